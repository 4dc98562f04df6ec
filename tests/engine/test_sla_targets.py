"""SLA targets that depend on the case's data (urgent enquiries in 2 working days, the rest in 10),
and the list of SLAs naming each task once, as the version that applies names it."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest

from engine.casework import cases
from engine.deadlines import sla, sla_clocks
from engine.clock import FixedClock
from engine.errors import UserError
from engine.deadlines.sla import SlaTerms, TargetRule
from engine.types import SlaUnit
from tests.engine import maps
from tests.engine.helpers import deploy_library, deploy_text, task_for

FRIDAY_11AM = datetime(2026, 3, 6, 11, 0, tzinfo=timezone.utc)
ADMIN = "admin@example.gov.uk"


def enquiry(task_name: str) -> str:
    return maps.process("enquiry", maps.start("f1") + maps.user_task("answer", task_name, "f1", "f2")
                        + maps.end("done", "f2") + maps.flow("f1", "start", "answer") + maps.flow("f2", "answer", "done"))


@pytest.fixture
def timed(ctx):
    ctx.clock = FixedClock(FRIDAY_11AM)
    deploy_text(ctx, "enquiry.bpmn", enquiry("Answer the enquiry"))
    return ctx


def urgent_in_two(ctx, *rules: str, task: str | None = "answer") -> sla.PolicyView:
    terms = SlaTerms(SlaUnit.WORKING_DAYS, 10, None, (), tuple(TargetRule.parse(r) for r in rules))
    return sla.set_policy(ctx, "enquiry", task, terms, ADMIN)


def due_of(ctx, data: dict) -> tuple[str, str]:
    """The due date of a new case's task, and what its history says the clock started with."""
    view = cases.start_case(ctx, "enquiry", data)
    [started] = [e for e in cases.show_case(ctx, view.reference).history if e.kind == "sla_started"]
    return task_for(view, "answer").due_at, started.detail["sla"]


def test_an_urgent_case_gets_two_working_days_and_any_other_the_default(timed):
    policy = urgent_in_two(timed, 'priority == "urgent"=2')
    assert policy.terms.describe() == '2 working days if priority == "urgent", otherwise 10 working days'
    due, said = due_of(timed, {"priority": "urgent"})
    assert due == datetime(2026, 3, 10, 17, tzinfo=timezone.utc).isoformat()  # Friday + 2: Tuesday 17:00
    assert said == '2 working days (because priority == "urgent")'
    due, said = due_of(timed, {"priority": "routine"})
    assert due == datetime(2026, 3, 20, 17, tzinfo=timezone.utc).isoformat()  # Friday + 10 working days
    assert said == "10 working days"


def test_the_first_condition_that_holds_wins(timed):
    urgent_in_two(timed, 'priority == "urgent"=2', 'ward in ("North", "South")=5')
    assert due_of(timed, {"priority": "urgent", "ward": "North"})[0].startswith("2026-03-10")
    assert due_of(timed, {"priority": "routine", "ward": "North"})[0].startswith("2026-03-13")


def test_a_condition_that_fails_when_the_clock_starts_falls_back_to_the_default(timed, caplog):
    urgent_in_two(timed, "priority.upper() == 'URGENT'=2", task=None)
    with caplog.at_level(logging.WARNING, logger="engine.deadlines.sla_targets"):
        view = cases.start_case(timed, "enquiry", {"ward": "North"})  # no priority at all
    assert view.status == "open" and view.due_at == datetime(2026, 3, 20, 17, tzinfo=timezone.utc).isoformat()
    [started] = [e for e in cases.show_case(timed, view.reference).history if e.kind == "sla_started"]
    assert "name 'priority' is not defined" in started.detail["condition_failed"]
    assert started.detail["sla"].startswith("10 working days (the default: the condition")
    assert "SLA target condition failed, default used" in caplog.text


@pytest.mark.parametrize("condition, reason", [
    ('priority == "urgent', "cannot be used"),
    ("__import__('os').system('id')", "names that start with an underscore are not allowed"),
    ("x = 1", "cannot be used"),
    ("", "write CONDITION=N"),
])
def test_a_condition_that_cannot_run_is_refused_when_the_sla_is_set(timed, condition, reason):
    with pytest.raises(UserError, match=reason):
        urgent_in_two(timed, f"{condition}=2")
    assert sla.list_policies(timed) == []


def test_a_conditional_target_needs_a_whole_number():
    with pytest.raises(UserError, match="CONDITION=N"):
        TargetRule.parse('priority == "urgent"=two')
    with pytest.raises(UserError, match="at least 1"):
        TargetRule.parse('priority == "urgent"=0')


def test_recalculating_chooses_the_target_again_from_the_case_data(timed):
    sla.set_policy(timed, "enquiry", "answer", SlaTerms(SlaUnit.WORKING_DAYS, 10), ADMIN)
    view = cases.start_case(timed, "enquiry", {"priority": "urgent"})
    assert task_for(view, "answer").due_at.startswith("2026-03-20")
    urgent_in_two(timed, 'priority == "urgent"=2')
    assert sla_clocks.recalculate(timed, "enquiry", "answer", ADMIN) == 1
    [clock] = sla_clocks.case_clocks(timed, view.reference)
    assert clock.due_at.startswith("2026-03-10") and clock.sla.startswith("2 working days")


def test_each_task_is_listed_once_as_the_latest_version_with_it_names_it(timed):
    urgent_in_two(timed, 'priority == "urgent"=2')
    sla.set_policy(timed, "enquiry", None, SlaTerms(SlaUnit.WORKING_DAYS, 20), ADMIN)
    deploy_text(timed, "enquiry.bpmn", enquiry("Answer the councillor"))  # version 2 renames the task
    listed = sla.list_policies(timed)
    assert [(p.task, p.label, p.version) for p in listed] == [
        (None, "enquiry – whole case", 2), ("answer", "enquiry – Answer the councillor", 2)]
    assert listed[1].to_dict()["rules"] == [{"when": 'priority == "urgent"', "amount": 2}]


def test_tasks_that_share_a_name_are_told_apart_by_lane(ctx):
    deploy_library(ctx)
    for team in ("waste", "highways"):
        sla.set_policy(ctx, "member_enquiry", f"prepare_response_{team}", SlaTerms(SlaUnit.WORKING_DAYS, 5), ADMIN)
    assert [p.label for p in sla.list_policies(ctx)] == [
        "Member enquiry – Prepare draft response (Highways)", "Member enquiry – Prepare draft response (Waste Services)"]
