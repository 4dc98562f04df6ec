"""Findings 4 and 5 of the hostile test: what a task may write into a case, how big submitted data may
be, and a case whose saved state cannot be loaded (a "poison case").

4. An officer completed a task through the API with an extra ``customer_email`` and the closure
   email went elsewhere: a task now sets only its form's fields, never a protected case field.
5. JSON nested 600 levels deep was accepted, and the case could then be neither completed,
   cancelled nor shown: such data is refused at every door, and a case stored before the limit
   (or otherwise unloadable) can still be shown and cancelled.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from engine.bpmn import registry
from engine.casework import cases
from engine.casework.casedata import MAX_DEPTH, DataTooLarge
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.persistence.tables import Case, CaseState
from engine.types import Role
from engine.background.worker import fire_due_timers
from tests.conftest import FORMS, PROCESSES
from tests.engine.helpers import task_for
from tests.engine.maps import catch, end, flow, message, process, start, user_task
from tests.engine.test_cases import COLLECTED, RECORD

from .conftest import csrf_token

RESIDENT = {"customer_name": "Ann Smith", "customer_email": "ann@example.com", "customer_phone": "07700 900123"}
ATTACKER = "attacker@example.net"


def nested(levels: int) -> dict:
    value: object = "bottom"
    for _ in range(levels):
        value = {"more": value}
    return value  # type: ignore[return-value]


@pytest.fixture
def missed_bin(live):
    """The missed bin map, and a case for Ann already handed off to Waste Services."""
    registry.deploy(live.ctx, registry.read_paths([PROCESSES / "missed_bin_collection.bpmn", FORMS]))
    view = cases.start_case(live.ctx, "missed_bin_collection", dict(RESIDENT), channel="phone")
    view = cases.complete_task(live.ctx, task_for(view, "record_missed_collection").id, RECORD)
    return view


def case_data(live, reference: str) -> dict:
    return cases.show_case(live.ctx, reference).data


# -- 4. mass assignment -------------------------------------------------------------------------

def test_officer_cannot_redirect_the_closure_email_through_api_completion(live, missed_bin):
    officer = live.api_client(Role.BACK_OFFICE)
    task = task_for(missed_bin, "arrange_recollection")
    url = f"{live.url}/api/v1/tasks/{task.id}/complete"

    refused = officer.post(url, json={"data": {**COLLECTED, "customer_email": ATTACKER, "favourite": "x"}},
                           timeout=30)

    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert set(body["errors"]) == {"customer_email", "favourite"}
    assert "customer_email" in body["message"] and "favourite" in body["message"]
    assert case_data(live, missed_bin.reference)["customer_email"] == "ann@example.com"
    # The honest answers still complete the task, and the email still goes to Ann.
    done = officer.post(url, json={"data": COLLECTED}, timeout=30)
    assert done.status_code == 200, done.text
    assert case_data(live, missed_bin.reference)["customer_email"] == "ann@example.com"


FORMLESS = process("formless", "\n".join([
    start("f1"),
    '<bpmn:userTask id="check" name="Check the report"><bpmn:incoming>f1</bpmn:incoming>'
    '<bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>',
    end("done", "f2"), flow("f1", "start", "check"), flow("f2", "check", "done")]))


def test_a_task_without_a_form_takes_no_answers_over_the_api(live):
    registry.deploy(live.ctx, {"formless.bpmn": FORMLESS.encode()})
    view = cases.start_case(live.ctx, "formless", dict(RESIDENT))
    officer = live.api_client(Role.BACK_OFFICE)
    url = f"{live.url}/api/v1/tasks/{view.tasks[0].id}/complete"

    refused = officer.post(url, json={"data": {"customer_email": ATTACKER, "outcome": "closed"}}, timeout=30)

    assert refused.status_code == 422, refused.text
    assert set(refused.json()["errors"]) == {"customer_email", "outcome"}
    assert "has no form" in refused.json()["errors"]["outcome"]
    done = officer.post(url, json={}, timeout=30)
    assert done.status_code == 200 and done.json()["status"] == "completed", done.text
    assert case_data(live, view.reference)["customer_email"] == "ann@example.com"


CONTACT_FORM = {"type": "object", "title": "Update contact",
                "properties": {"customer_email": {"type": "string", "title": "Email"},
                               "notes": {"type": "string", "title": "Notes"}}}
CONTACT = process("contact", "\n".join([
    start("f1"),
    '<bpmn:userTask id="update" name="Update contact"><bpmn:extensionElements><spiffworkflow:properties>'
    '<spiffworkflow:property name="formJsonSchemaFilename" value="contact-schema.json" />'
    '</spiffworkflow:properties></bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming>'
    '<bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>',
    end("done", "f2"), flow("f1", "start", "update"), flow("f2", "update", "done")]))


def test_a_form_that_asks_for_a_protected_field_cannot_change_it_through_the_task_page(live):
    registry.deploy(live.ctx, {"contact.bpmn": CONTACT.encode(),
                               "contact-schema.json": json.dumps(CONTACT_FORM).encode()})
    view = cases.start_case(live.ctx, "contact", dict(RESIDENT))
    officer = live.as_role(Role.BACK_OFFICE)
    url = f"{live.url}/tasks/{view.tasks[0].id}"
    page = officer.get(url, timeout=30)
    assert page.status_code == 200

    check = officer.post(url, data={"csrf_token": csrf_token(page.text), "customer_email": ATTACKER,
                                    "notes": "moved house"}, allow_redirects=False, timeout=30)
    assert check.status_code == 200  # the hub's "check your answers" page
    carried = re.search(r'name="answers" value="([^"]+)"', check.text).group(1)
    answer = officer.post(f"{url}/check", data={"csrf_token": csrf_token(check.text), "answers": carried},
                          allow_redirects=False, timeout=30)

    assert answer.status_code == 400, (answer.status_code, answer.text)
    assert "cannot be changed by a task" in answer.text
    assert case_data(live, view.reference)["customer_email"] == "ann@example.com"
    assert cases.show_case(live.ctx, view.reference).case.status == "open"


# -- 5. bounded data ----------------------------------------------------------------------------

WAITS_FOR_REPLY = process("waits_for_reply", "\n".join([
    start("f1"), user_task("ask", "Ask the contractor", "f1", "f2"), catch("wait", "f2", "f3", message("reply")),
    end("done", "f3"), flow("f1", "start", "ask"), flow("f2", "ask", "wait"), flow("f3", "wait", "done")]),
    messages=("reply",))


def test_a_message_cannot_set_a_protected_field_either(live):
    """A catch event without a message variable merges the payload into the case data, as a task's
    answers are merged: the same protected fields are refused there."""
    registry.deploy(live.ctx, {"waits_for_reply.bpmn": WAITS_FOR_REPLY.encode()})
    view = cases.start_case(live.ctx, "waits_for_reply", dict(RESIDENT))
    cases.complete_task(live.ctx, view.tasks[0].id)  # the officer's team worked on it: they see the case
    officer = live.api_client(Role.BACK_OFFICE)
    url = f"{live.url}/api/v1/cases/{view.reference}/messages/reply"

    refused = officer.post(url, json={"customer_email": ATTACKER, "outcome": "fixed"}, timeout=30)

    assert refused.status_code == 400 and "customer_email" in refused.json()["message"], refused.text
    assert case_data(live, view.reference)["customer_email"] == "ann@example.com"
    delivered = officer.post(url, json={"outcome": "fixed"}, timeout=30)
    assert delivered.status_code == 200, delivered.text
    assert case_data(live, view.reference)["customer_email"] == "ann@example.com"


def test_json_nested_600_levels_is_refused_at_every_door_and_the_case_still_completes(live, missed_bin):
    officer = live.api_client(Role.BACK_OFFICE)
    advisor = live.api_client(Role.FRONT_OFFICE)
    task = task_for(missed_bin, "arrange_recollection")
    deep = nested(600)

    doors = {
        "complete": officer.post(f"{live.url}/api/v1/tasks/{task.id}/complete",
                                 json={"data": {**COLLECTED, "recollection_notes": deep}}, timeout=30),
        "start": advisor.post(f"{live.url}/api/v1/cases",
                              json={"process": "missed_bin_collection", "data": {"notes": deep}}, timeout=30),
        "message": officer.post(f"{live.url}/api/v1/cases/{missed_bin.reference}/messages/job_done",
                                json={"detail": deep}, timeout=30),
    }

    for door, answer in doors.items():
        assert answer.status_code == 400, (door, answer.status_code, answer.text[:200])
        assert f"more than {MAX_DEPTH} levels deep" in answer.json()["message"], door
    # Straight to the engine (as the CLI and the pages call it): the same refusal.
    with pytest.raises(DataTooLarge, match=f"more than {MAX_DEPTH} levels deep"):
        cases.complete_task(live.ctx, task.id, {**COLLECTED, "recollection_notes": deep})
    done = officer.post(f"{live.url}/api/v1/tasks/{task.id}/complete", json={"data": COLLECTED}, timeout=30)
    assert done.status_code == 200 and done.json()["tasks"] == [], done.text  # on to the closure email


def test_the_limits_are_exact_and_name_what_was_broken(live):
    """32 levels are fine, 33 are not; one overlong text, too many fields or too much data altogether
    is refused before anything is stored, with the limit in the message."""
    registry.deploy(live.ctx, {"formless.bpmn": FORMLESS.encode()})
    assert cases.start_case(live.ctx, "formless", {"notes": nested(MAX_DEPTH - 1)}).status == "open"
    refused = {
        "levels deep": {"notes": nested(MAX_DEPTH)},
        "longer than 100,000 characters": {"notes": "x" * 100_001},
        "more than 10,000 fields": {"notes": list(range(10_001))},
        "larger than 1,000,000 characters": {f"notes{n}": "x" * 90_000 for n in range(12)},
    }
    for words, data in refused.items():
        with pytest.raises(DataTooLarge, match=words):
            cases.start_case(live.ctx, "formless", data)
    with live.ctx.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1


# -- 5. a case whose saved state cannot be loaded -----------------------------------------------

def _poison(ctx: Context, reference: str, how: str) -> None:
    """Write a state the engine cannot load straight through the persistence layer, as a case saved
    before the limits (or a damaged row) would be."""
    with ctx.db.transaction() as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        row = session.get_one(CaseState, case.id)
        if how == "too deep":
            state = json.loads(row.state)
            for task in state["tasks"].values():
                task["data"]["recollection_notes"] = nested(600)
            row.state = json.dumps(state)
            case.data = {**case.data, "recollection_notes": nested(600)}
        else:
            row.state = row.state[: len(row.state) // 2]


@pytest.mark.parametrize("how", ["too deep", "truncated"])
def test_a_case_whose_saved_state_cannot_be_loaded_can_still_be_shown_and_cancelled(live, missed_bin, how):
    _poison(live.ctx, missed_bin.reference, how)
    reference = missed_bin.reference
    lead = live.api_client(Role.TEAM_LEAD)
    officer = live.api_client(Role.BACK_OFFICE)
    browser = live.as_role(Role.FRONT_OFFICE)

    page = browser.get(f"{live.url}/cases/{reference}", timeout=30)
    assert page.status_code == 200, page.status_code
    assert f"Case {reference}" in page.text and "saved state cannot be loaded" in page.text
    assert "started the case" in page.text  # the timeline is still there
    shown = lead.get(f"{live.url}/api/v1/cases/{reference}", timeout=30)
    assert shown.status_code == 200 and "cannot be loaded" in shown.json()["state_problem"], shown.text
    task = task_for(missed_bin, "arrange_recollection")
    blocked = officer.post(f"{live.url}/api/v1/tasks/{task.id}/complete", json={"data": COLLECTED}, timeout=30)
    assert blocked.status_code == 409 and "cannot be loaded" in blocked.json()["message"], blocked.text

    cancelled = lead.post(f"{live.url}/api/v1/cases/{reference}/cancel", json={"reason": "poisoned"}, timeout=30)

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled", cancelled.text
    detail = cases.show_case(live.ctx, reference)
    assert detail.case.tasks == [] and "case_cancelled" in [e.kind for e in detail.history]
    after = browser.get(f"{live.url}/cases/{reference}", timeout=30)
    assert after.status_code == 200 and "Cancelled" in after.text


def test_an_unloadable_case_does_not_stop_the_worker_firing_other_cases_timers(database_url):
    """The poison case's timer is due first; the worker fails that case (saying why) and drops its
    timers instead of stopping at it on every round, and the healthy case's timer still fires."""
    ctx = Context(Database(database_url), clock=FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)),
                  settings=Settings(forms_dir=FORMS))
    registry.deploy(ctx, registry.read_paths([PROCESSES / "missed_bin_collection.bpmn", FORMS]))
    poisoned = _handed_off(ctx)
    ctx.clock.advance(hours=1)
    healthy = _handed_off(ctx)
    _poison(ctx, poisoned.reference, "truncated")
    ctx.clock.advance(days=3)

    fire_due_timers(ctx)

    failed = cases.show_case(ctx, poisoned.reference)
    assert failed.case.status == "failed" and "cannot be loaded" in (failed.case.error or "")
    assert "chase_overdue_recollection" in [t.bpmn_id for t in cases.show_case(ctx, healthy.reference).case.tasks]
    assert fire_due_timers(ctx) == 0
    ctx.db.dispose()


def _handed_off(ctx):
    view = cases.start_case(ctx, "missed_bin_collection", dict(RESIDENT), channel="phone")
    return cases.complete_task(ctx, task_for(view, "record_missed_collection").id, RECORD)
