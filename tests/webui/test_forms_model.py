"""Schema -> GOV.UK component mapping: every kind of field, its parameters, ordering, follow-up
questions revealed under the answer that asks them, and Camunda formField forms alike."""
from __future__ import annotations

import pytest

from engine.bpmn.forms import camunda_schema
from webui.forms.components import component, components, error_list
from webui.forms.model import Kind, fields_for


def schema(**properties) -> dict:
    return {"type": "object", "properties": properties}


def only(prop: dict, ui: dict | None = None, required: bool = True):
    fields = fields_for({**schema(x=prop), "required": ["x"] if required else []}, {"x": ui or {}})
    return fields[0]


CHOICES = [{"const": c, "title": c.title()} for c in ("a", "b", "c")]
MANY = [{"const": str(i), "title": f"Option {i}"} for i in range(7)]


@pytest.mark.parametrize("prop,ui,kind,macro", [
    ({"type": "string"}, {}, Kind.TEXT, "govukInput"),
    ({"type": "string", "format": "email"}, {}, Kind.EMAIL, "govukInput"),
    ({"type": "string"}, {"ui:widget": "email"}, Kind.EMAIL, "govukInput"),
    ({"type": "string", "format": "phone"}, {}, Kind.TEL, "govukInput"),
    ({"type": "string"}, {"ui:widget": "tel"}, Kind.TEL, "govukInput"),
    ({"type": "integer"}, {}, Kind.NUMBER, "govukInput"),
    ({"type": "number"}, {}, Kind.NUMBER, "govukInput"),
    ({"type": "string"}, {"ui:widget": "textarea"}, Kind.TEXTAREA, "govukTextarea"),
    ({"type": "string", "maxLength": 500}, {}, Kind.TEXTAREA, "govukCharacterCount"),
    ({"type": "string", "format": "date"}, {}, Kind.DATE, "govukDateInput"),
    ({"type": "string", "oneOf": CHOICES}, {}, Kind.RADIOS, "govukRadios"),
    ({"type": "string", "enum": ["x", "y"]}, {}, Kind.RADIOS, "govukRadios"),
    ({"type": "string", "oneOf": MANY}, {}, Kind.SELECT, "govukSelect"),
    ({"type": "string", "oneOf": MANY}, {"ui:widget": "radio"}, Kind.RADIOS, "govukRadios"),
    ({"type": "string", "oneOf": CHOICES}, {"ui:widget": "select"}, Kind.SELECT, "govukSelect"),
    ({"type": "array", "items": {"oneOf": CHOICES}, "uniqueItems": True}, {}, Kind.CHECKBOXES, "govukCheckboxes"),
    ({"type": "boolean"}, {}, Kind.RADIOS, "govukRadios"),
    ({"type": "boolean", "const": True}, {"ui:widget": "checkbox"}, Kind.CHECKBOX, "govukCheckboxes"),
])
def test_each_kind_of_property_becomes_its_gov_uk_component(prop, ui, kind, macro):
    field = only(prop, ui)
    assert field.kind is kind
    assert component(field, {}, {}).macro == macro


def test_a_field_named_phone_is_a_telephone_input():
    assert only({"type": "string"}, required=False).kind is Kind.TEXT
    assert fields_for(schema(customer_phone={"type": "string"}))[0].kind is Kind.TEL


def test_text_input_has_label_hint_value_error_and_width_from_max_length():
    field = only({"type": "string", "title": "Badge number", "description": "On the front", "maxLength": 20})
    params = component(field, {"x": "AB12"}, {"x": "Enter the badge number"}).params
    assert params == {"id": "x", "name": "x", "label": {"text": "Badge number", "classes": "govuk-label--s"},
                      "hint": {"text": "On the front"}, "errorMessage": {"text": "Enter the badge number"},
                      "value": "AB12", "classes": "govuk-input--width-20"}


def test_optional_questions_say_so_in_their_label():
    params = component(only({"type": "string", "title": "Notes"}, required=False), {}, {}).params
    assert params["label"]["text"] == "Notes (optional)"


def test_email_phone_and_number_inputs_get_the_right_type_and_keyboard():
    email = component(only({"type": "string", "format": "email"}), {}, {}).params
    tel = component(only({"type": "string", "format": "phone"}), {}, {}).params
    whole = component(only({"type": "integer"}), {}, {}).params
    decimal = component(only({"type": "number"}), {}, {}).params
    assert (email["type"], email["spellcheck"]) == ("email", False)
    assert tel["type"] == "tel"
    assert (whole["inputmode"], whole["classes"]) == ("numeric", "govuk-input--width-5")
    assert decimal["inputmode"] == "decimal"
    assert "type" not in whole  # GOV.UK: numbers are text inputs with a numeric keyboard


def test_textarea_counts_characters_up_to_max_length_with_rows_from_the_ui_schema():
    params = component(only({"type": "string", "maxLength": 500}, {"ui:options": {"rows": 4}}), {}, {}).params
    assert (params["maxlength"], params["rows"]) == (500, 4)


def test_date_is_three_boxes_named_after_the_field_with_a_hint():
    params = component(only({"type": "string", "format": "date", "title": "Collection date"}),
                       {"x": {"day": "3", "month": "4", "year": "2025"}}, {"x": "Enter a date"}).params
    assert params["namePrefix"] == "x" and params["id"] == "x"
    assert params["fieldset"]["legend"]["text"] == "Collection date"
    assert params["hint"] == {"text": "For example, 27 3 2025"}
    assert [(i["name"], i["value"]) for i in params["items"]] == [("day", "3"), ("month", "4"), ("year", "2025")]
    assert all("govuk-input--error" in i["classes"] for i in params["items"])


def test_radios_in_a_fieldset_with_the_answer_checked():
    params = component(only({"type": "string", "title": "Which bin?", "oneOf": CHOICES}), {"x": "b"}, {}).params
    assert params["fieldset"]["legend"] == {"text": "Which bin?", "classes": "govuk-fieldset__legend--s"}
    assert params["items"] == [{"value": "a", "text": "A"}, {"value": "b", "text": "B", "checked": True},
                               {"value": "c", "text": "C"}]


def test_select_starts_with_an_empty_choice():
    params = component(only({"type": "string", "oneOf": MANY}), {"x": "3"}, {}).params
    assert params["items"][0] == {"value": "", "text": "Select an option"}
    assert params["value"] == "3" and len(params["items"]) == 8


def test_checkboxes_tick_every_chosen_item():
    field = only({"type": "array", "items": {"type": "string", "oneOf": CHOICES}})
    params = component(field, {"x": ["a", "c"]}, {}).params
    assert [i.get("checked", False) for i in params["items"]] == [True, False, True]


def test_yes_no_is_inline_radios_and_a_declaration_is_one_checkbox():
    yes_no = component(only({"type": "boolean", "title": "Still happening?"}), {"x": "false"}, {}).params
    assert yes_no["classes"] == "govuk-radios--inline"
    assert yes_no["items"] == [{"value": "true", "text": "Yes"}, {"value": "false", "text": "No", "checked": True}]
    declaration = component(only({"type": "boolean", "const": True, "title": "I agree"}), {"x": "true"}, {}).params
    assert declaration["items"] == [{"value": "true", "text": "I agree", "checked": True}]
    assert "fieldset" not in declaration


def test_fields_follow_ui_order_then_the_rest():
    form = schema(a={"type": "string"}, b={"type": "string"}, c={"type": "string"}, d={"type": "string"})
    assert [f.name for f in fields_for(form, {"ui:order": ["c", "a"]})] == ["c", "a", "b", "d"]
    assert [f.name for f in fields_for(form, {"ui:order": ["d", "*", "a"]})] == ["d", "b", "c", "a"]
    assert [f.name for f in fields_for(form, {"b": {"ui:widget": "hidden"}})] == ["a", "c", "d"]


REVEALING = {
    **schema(route={"type": "string", "oneOf": CHOICES}, detail={"type": "string", "title": "Detail"},
             reason={"type": "string", "maxLength": 500}, other={"type": "string"}),
    "required": ["route"],
    "allOf": [
        {"if": {"properties": {"route": {"const": "b"}}, "required": ["route"]}, "then": {"required": ["detail"]}},
        {"if": {"properties": {"route": {"enum": ["a", "c"]}}, "required": ["route"]}, "then": {"required": ["reason"]}},
    ],
}


def test_a_follow_up_for_one_answer_is_revealed_under_that_answer():
    fields = fields_for(REVEALING)
    assert [f.name for f in fields] == ["route", "reason", "other"]
    assert [f.name for f in fields[0].reveals["b"]] == ["detail"]
    rendered = components(fields)[0]
    assert rendered.reveals["b"][0].params["label"]["text"] == "Detail"  # not "(optional)": asked if needed


def test_a_follow_up_for_several_answers_stays_in_place_and_is_not_called_optional():
    reason = fields_for(REVEALING)[1]
    assert reason.conditional and component(reason, {}, {}).params["label"]["text"] == "Reason"


def test_error_summary_lists_errors_in_page_order_linking_to_first_inputs():
    form = {**schema(when={"type": "string", "format": "date"}, what={"type": "string", "oneOf": CHOICES}),
            "required": ["when", "what"]}
    fields = fields_for(form, {"ui:order": ["what", "when"]})
    assert error_list(fields, {"when": "Enter the date", "what": "Select what", "what.0": "ignored"}) == [
        {"text": "Select what", "href": "#what"}, {"text": "Enter the date", "href": "#when-day"}]


def test_camunda_form_fields_map_to_the_same_components():
    fields = fields_for(camunda_schema("Log noise", [
        {"id": "source", "label": "Source", "type": "enum", "values": [{"id": "dog", "name": "Dog"}],
         "constraints": {"required": None}},
        {"id": "nights", "label": "Nights", "type": "long", "constraints": {}},
        {"id": "ongoing", "label": "Ongoing", "type": "boolean", "constraints": {}},
        {"id": "started", "label": "Started", "type": "date", "constraints": {}},
        {"id": "notes", "label": "Notes", "type": "string", "constraints": {}},
    ]))
    assert [(f.name, f.kind) for f in fields] == [("source", Kind.RADIOS), ("nights", Kind.NUMBER),
                                                   ("ongoing", Kind.RADIOS), ("started", Kind.DATE),
                                                   ("notes", Kind.TEXT)]
    assert fields[0].required and not fields[1].required
