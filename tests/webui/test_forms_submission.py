"""Posted form strings become typed answers that match the schema; what was typed is kept for
showing the page again; saved answers fill the form back in and read well on summaries."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from webui.forms import Form

FORM = Form({
    "type": "object",
    "properties": {
        "adults": {"type": "integer", "title": "How many adults?"},
        "ongoing": {"type": "boolean", "title": "Still happening?"},
        "agree": {"type": "boolean", "const": True, "title": "The resident agrees"},
        "bins": {"type": "array", "title": "Bins", "items": {"type": "string", "oneOf": [
            {"const": "refuse", "title": "Refuse"}, {"const": "recycling", "title": "Recycling"}]}},
        "missed_on": {"type": "string", "format": "date", "title": "Date missed"},
        "route": {"type": "string", "oneOf": [{"const": "call", "title": "In the call"},
                                              {"const": "later", "title": "Later"}]},
        "details": {"type": "string", "maxLength": 10, "title": "Details"},
        "notes": {"type": "string", "title": "Notes"},
    },
    "required": ["route"],
    "allOf": [{"if": {"properties": {"route": {"const": "later"}}, "required": ["route"]},
               "then": {"required": ["details"]}}],
}, {"agree": {"ui:widget": "checkbox"}})


def post(**fields) -> MultiDict:
    return MultiDict([(k.replace("__", "-"), v) for k, vs in fields.items()
                      for v in (vs if isinstance(vs, list) else [vs])])


def test_posted_strings_become_typed_answers():
    submission = FORM.read(post(adults=" 2 ", ongoing="false", agree="true", bins=["refuse", "recycling"],
                                missed_on__day="3", missed_on__month="4", missed_on__year="2025",
                                route="later", details="Gate code", notes="  "))
    assert submission.data == {"adults": 2, "ongoing": False, "agree": True, "bins": ["refuse", "recycling"],
                               "missed_on": "2025-04-03", "route": "later", "details": "Gate code"}
    assert FORM.errors(submission.data) == {}


def test_blank_answers_are_left_out_so_required_messages_apply():
    submission = FORM.read(post(adults="", missed_on__day="", missed_on__month="", missed_on__year=""))
    assert submission.data == {}
    assert FORM.errors(submission.data) == {"route": "Select route"}


def test_a_follow_up_hidden_under_another_answer_is_not_submitted_but_is_kept_as_typed():
    submission = FORM.read(post(route="call", details="typed before changing my mind"))
    assert "details" not in submission.data
    assert submission.values["details"] == "typed before changing my mind"


def test_a_revealed_follow_up_is_required_when_its_answer_is_chosen():
    assert FORM.errors(FORM.read(post(route="later")).data) == {"details": "Enter details"}


def test_what_was_typed_is_kept_when_it_is_wrong():
    submission = FORM.read(post(adults="two", missed_on__day="31", missed_on__month="2", missed_on__year="2025",
                                route="call"))
    assert submission.values["adults"] == "two"
    assert submission.values["missed_on"] == {"day": "31", "month": "2", "year": "2025"}
    assert FORM.errors(submission.data) == {"adults": "How many adults must be a whole number",
                                            "missed_on": "Date missed must be a real date"}


def test_a_date_with_a_missing_or_non_numeric_part_is_not_a_real_date():
    for day, month, year in (("", "3", "2025"), ("1", "March", "2025"), ("1", "3", "25")):
        data = FORM.read(post(missed_on__day=day, missed_on__month=month, missed_on__year=year, route="call")).data
        assert FORM.errors(data) == {"missed_on": "Date missed must be a real date"}


def test_line_breaks_count_as_one_character_like_the_character_count_shows():
    data = FORM.read(post(route="later", details="abcd\r\nefgh")).data
    assert data["details"] == "abcd\nefgh" and FORM.errors(data) == {}


def test_saved_answers_fill_the_form_back_in():
    values = FORM.values({"adults": 2, "ongoing": False, "agree": True, "bins": ["refuse"],
                          "missed_on": "2025-04-03", "route": "later"})
    assert values == {"adults": "2", "ongoing": "false", "agree": "true", "bins": ["refuse"],
                      "missed_on": {"day": "3", "month": "4", "year": "2025"}, "route": "later"}


def test_form_defaults_fill_a_new_form():
    form = Form({"type": "object", "properties": {"nights": {"type": "integer", "default": 1}}})
    assert form.values() == {"nights": "1"}


def test_answers_read_as_people_write_them():
    data = {"adults": 2, "ongoing": False, "agree": True, "bins": ["refuse", "recycling"],
            "missed_on": "2025-04-03", "route": "later", "details": "<b>line 1</b>\nline 2"}
    shown = {a.field.name: str(a.text) for a in FORM.answers(data)}
    assert shown == {"adults": "2", "ongoing": "No", "agree": "Yes", "bins": "Refuse<br>Recycling",
                     "missed_on": "3 April 2025", "route": "Later", "details": "&lt;b&gt;line 1&lt;/b&gt;<br>line 2",
                     "notes": "Not answered"}


def test_answers_leave_out_follow_ups_that_were_not_asked():
    names = [a.field.name for a in FORM.answers({"route": "call"}, answered_only=True)]
    assert names == ["route"]


def test_a_checkbox_left_unticked_is_false_as_spiffarena_submits_it_unless_it_must_be_ticked():
    form = Form({"type": "object", "required": ["eula"], "properties": {
        "urgent": {"type": "boolean", "title": "Urgent"},
        "eula": {"type": "boolean", "title": "I have read the terms"},
        "agree": {"type": "boolean", "const": True, "title": "The resident agrees"},
        "notes": {"type": "string", "title": "Notes"}}},
        {"urgent": {"ui:widget": "checkbox"}, "eula": {"ui:widget": "checkbox"}, "agree": {"ui:widget": "checkbox"},
         "notes": {"ui:widget": "markdown"}})
    assert form.read(post()).data == {"urgent": False}
    assert form.read(post(urgent="true", eula="true", agree="true")).data == {"urgent": True, "eula": True,
                                                                              "agree": True}
    assert [f.kind.value for f in form.fields] == ["checkbox", "checkbox", "checkbox", "textarea"]
