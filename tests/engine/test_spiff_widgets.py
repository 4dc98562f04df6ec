"""SpiffArena's own form widgets (typeahead, date range, numeric range, formatted number, checkbox):
a form using them deploys, answers are stored in SpiffArena's shape, and what SpiffArena's form would
refuse is refused with GOV.UK messages, through the API's completion as through the pages."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from engine import bpmn
from engine.bpmn import registry
from engine.casework import cases, typeahead_answer, typeahead_suggestions
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.errors import FormInvalid, TaskNotFound
from engine.persistence.db import Database
from engine.people import users
from engine.types import Role
from tests.conftest import FORMS

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


# SpiffArena's minimumDate/maximumDate schema extensions: "today" or another question's date.
VISIT = {"type": "object", "properties": {
    "works_period": {"type": "string", "title": "When the works happen"},
    "visit": {"type": "string", "format": "date", "title": "Inspection visit",
              "minimumDate": "today,field:works_period", "maximumDate": "field:works_period:end"},
    "report_due": {"type": "string", "title": "Report due", "maximumDate": "today"},
}}
TODAY = date(2026, 3, 2)


@pytest.mark.parametrize("answers, errors", [
    ({"works_period": "2026-03-03:::2026-03-20", "visit": "2026-03-10"}, {}),
    ({"works_period": "2026-03-03:::2026-03-20", "visit": "2026-03-03"}, {}),  # the same day counts
    ({"visit": "2026-03-01", "works_period": "2026-02-01:::2026-03-20"},
     {"visit": "Inspection visit must be today or in the future"}),
    ({"works_period": "2026-03-05:::2026-03-20", "visit": "2026-03-04"},
     {"visit": "Inspection visit must be the same as or after when the works happen"}),
    ({"works_period": "2026-03-05:::2026-03-20", "visit": "2026-03-21"},
     {"visit": "Inspection visit must be the same as or before when the works happen"}),
    ({"visit": "2026-03-10"}, {"visit": "Enter when the works happen: inspection visit must be the same as or after it"}),
    ({"works_period": "2026-03-05", "visit": "2026-03-10"},  # a range given its start only: no end to be before
     {"visit": "Enter when the works happen: inspection visit must be the same as or before it"}),
    ({"report_due": "2026-03-03"}, {"report_due": "Report due must be today or in the past"}),
    ({"report_due": "2026-02-01:::2026-03-30"}, {}),  # a range is checked by its start, as SpiffArena does
])
def test_dates_outside_their_minimum_and_maximum_are_refused(answers, errors):
    assert bpmn.errors_for(VISIT, answers, today=TODAY) == errors


def test_without_a_day_for_today_only_the_other_questions_limits_are_checked():
    assert bpmn.errors_for(VISIT, {"report_due": "2030-01-01", "works_period": "2026-03-05:::2026-03-20",
                                   "visit": "2026-03-10"}) == {}


def test_a_task_is_refused_a_date_before_today_by_the_case_clock(database_url):
    files = {p.name: p.read_bytes() for p in MAP.iterdir()}
    schema = json.loads(files["repairs-grant-schema.json"])
    schema["properties"]["works_period"]["minimumDate"] = "today"
    files["repairs-grant-schema.json"] = json.dumps(schema).encode()
    ctx = Context(Database(database_url), clock=FixedClock(datetime(2026, 3, 2, 0, 30, tzinfo=timezone.utc)),
                  settings=Settings(forms_dir=FORMS))
    try:
        registry.deploy(ctx, files)
        [task] = cases.start_case(ctx, "repairs_grant", {}).tasks
        with pytest.raises(FormInvalid) as refused:
            cases.complete_task(ctx, task.id, {**GOOD, "works_period": "2026-03-01:::2026-03-31"})
        assert refused.value.errors == {"works_period": "When the works happen must be today or in the future"}
        done = cases.complete_task(ctx, task.id, {**GOOD, "works_period": "2026-03-02:::2026-03-31"})
        assert cases.show_case(ctx, done.reference).data["works_period"] == "2026-03-02:::2026-03-31"
    finally:
        ctx.db.dispose()


def test_the_deploy_check_refuses_a_limit_naming_no_question_of_the_form(ctx):
    files = {p.name: p.read_bytes() for p in MAP.iterdir()}
    schema = json.loads(files["repairs-grant-schema.json"])
    schema["properties"]["works_period"]["minimumDate"] = "field:start_date"
    schema["properties"]["amount"]["maximumDate"] = "tomorrow"
    files["repairs-grant-schema.json"] = json.dumps(schema).encode()
    errors = registry.check(ctx, files).errors
    assert sorted((p.file, p.element) for p in errors) == [
        ("repairs-grant-schema.json", "/amount"), ("repairs-grant-schema.json", "/works_period")]
    assert all("naming a question of this form" in p.message for p in errors)
