"""SpiffArena's own form widgets (typeahead, date range, numeric range, formatted number, checkbox):
a form using them deploys, answers are stored in SpiffArena's shape, and what SpiffArena's form would
refuse is refused with GOV.UK messages, through the API's completion as through the pages."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import bpmn
from engine.bpmn import registry
from engine.casework import cases, typeahead_answer, typeahead_suggestions
from engine.errors import FormInvalid, TaskNotFound
from engine.people import users
from engine.types import Role

MAP = Path(__file__).resolve().parents[1] / "spiff_widgets"
SCHEMA = json.loads((MAP / "repairs-grant-schema.json").read_text())
UI = json.loads((MAP / "repairs-grant-uischema.json").read_text())
CLERK = "clerk@example.gov.uk"
ACME = '{"name":"Acme Plumbing","town":"Anytown","id":7}'
GOOD = {"supplier": ACME, "works_period": "2026-03-01:::2026-03-31", "budget": {"min": 1200, "max": 4500.5},
        "amount": 1234.5, "inspected": False}


@pytest.fixture
def grant(ctx):
    """An open "Record the grant" task of a case whose map wrote the suppliers typeahead store."""
    registry.deploy(ctx, registry.read_paths([MAP]))
    with ctx.db.transaction() as session:
        users.add_user(session, CLERK, "Casey Clerk", [Role.BACK_OFFICE], ctx.clock.now(), ["Waste Services"])
        users.add_user(session, "other@example.gov.uk", "Olly Other", [Role.BACK_OFFICE], ctx.clock.now(), [])
    view = cases.start_case(ctx, "repairs_grant", {})
    [task] = [t for t in view.tasks if t.status == "open"]
    return task.id


def test_the_widgets_convert_typed_answers_as_spiffarena_stores_them():
    assert bpmn.date_range("2026-03-01", "2026-03-31") == "2026-03-01:::2026-03-31"
    assert (bpmn.date_range("2026-03-01", ""), bpmn.date_range("", "2026-03-31")) == ("2026-03-01", ":::2026-03-31")
    assert bpmn.date_range_parts(":::2026-03-31") == ("", "2026-03-31")
    money = SCHEMA["properties"]["amount"]
    assert bpmn.number_from_text("£1,234.50", money, {"decimals": 2}) == 1234.5
    assert bpmn.number_from_text("1,234", money) == 1234 and bpmn.number_from_text(" ", money) is None
    assert bpmn.number_from_text("1.234", money, {"decimals": 2}) == "1.234"  # too many decimals: refused
    assert bpmn.number_from_text("12.5", {"type": "integer"}) == "12.5"
    assert bpmn.number_from_text("-5", money) == "-5"  # minimum 0: no minus sign
    assert bpmn.number_from_text("£1,234.50", {"type": "string"}) == "1234.50"
    assert bpmn.item_text(json.loads(ACME), UI["supplier"]["ui:options"]["itemFormat"]) == "Acme Plumbing (Anytown)"


@pytest.mark.parametrize("answers, field, message", [
    ({"works_period": "2026-03-31:::2026-03-01"}, "works_period",
     "The end date of when the works happen must be the same as or after the start date"),
    ({"works_period": "2026-02-30:::2026-03-01"}, "works_period", "The start date of when the works happen must be a real date"),
    ({"works_period": "2026-03-01"}, "works_period", "Enter the end date of when the works happen"),
    ({"budget": {"min": 5000, "max": 100}}, "budget", "The lowest quoted cost must be the same as or less than the highest"),
    ({"budget": {"min": 10, "max": 60000}}, "budget", "The highest quoted cost must be 50,000 or less"),
    ({"budget": {"min": 10}}, "budget", "Enter the highest quoted cost"),
    ({"budget": {"min": "ten", "max": 20}}, "budget", "The lowest quoted cost must be a number"),
    ({"amount": "12.345"}, "amount", "Grant amount must be a number"),
    ({"supplier": "Acme"}, "supplier", "Select supplier from the list"),
])
def test_answers_spiffarena_would_refuse_are_refused_with_govuk_messages(answers, field, message):
    errors = bpmn.errors_for(SCHEMA, {**GOOD, **answers}, None, UI)
    assert errors == {field: message}


def test_a_grant_is_recorded_in_spiffarenas_shapes(ctx, grant):
    assert [s.text for s in typeahead_suggestions(ctx, grant, CLERK, "supplier", "acme")] == [
        "Acme Plumbing (Anytown)", "Acme Roofing (Millbridge)"]
    assert typeahead_answer(ctx, grant, CLERK, "supplier", "acme plumbing (anytown)") == ACME
    assert typeahead_answer(ctx, grant, CLERK, "supplier", "Acme Plumbing") == ACME
    assert typeahead_answer(ctx, grant, CLERK, "supplier", "Acme") is None
    with pytest.raises(FormInvalid) as refused:
        cases.complete_task(ctx, grant, {**GOOD, "budget": {"min": 9000, "max": 10}}, actor=CLERK)
    assert refused.value.errors == {"budget": "The lowest quoted cost must be the same as or less than the highest"}
    view = cases.complete_task(ctx, grant, GOOD, actor=CLERK)
    data = cases.show_case(ctx, view.reference).data
    assert {k: data[k] for k in GOOD} == GOOD


def test_only_those_who_may_work_on_the_task_see_its_suggestions(ctx, grant):
    with pytest.raises(TaskNotFound):
        typeahead_suggestions(ctx, grant, "other@example.gov.uk", "supplier", "a")
    with pytest.raises(TaskNotFound):  # a question the form does not ask: no other category can be read
        typeahead_suggestions(ctx, grant, CLERK, "works_period", "a")


def test_the_deploy_check_refuses_a_widget_on_a_property_it_cannot_work_on(ctx):
    files = {p.name: p.read_bytes() for p in MAP.iterdir()}
    ui = {**UI, "supplier": {"ui:widget": "typeahead"}, "budget": {"ui:field": "numeric-range"},
          "inspected": {"ui:widget": "checkbox"}}
    schema = {**SCHEMA, "properties": {**SCHEMA["properties"], "budget": {"type": "number", "title": "Quoted cost"}}}
    files["repairs-grant-uischema.json"] = json.dumps(ui).encode()
    files["repairs-grant-schema.json"] = json.dumps(schema).encode()
    bundle = registry.check(ctx, files)
    assert sorted((p.file, p.element) for p in bundle.errors) == [
        ("repairs-grant-uischema.json", "/budget"), ("repairs-grant-uischema.json", "/supplier")]
    assert registry.check(ctx, {p.name: p.read_bytes() for p in MAP.iterdir()}).errors == []


def test_a_formatted_number_is_shown_as_typed_with_its_decimal_places():
    assert bpmn.number_text(1234.5, {"decimals": 2}, "£") == "£1,234.50"
    assert bpmn.number_text(1234, {"decimals": 2}, "£") == "£1,234"
    assert bpmn.number_text(-5.5, {}, "£") == "-£5.5" and bpmn.number_text(None) == ""
