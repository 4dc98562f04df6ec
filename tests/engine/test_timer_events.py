"""Every kind of BPMN timer councils draw, as analysts write them (Camunda Modeler's bare ISO 8601 or
SpiffWorkflow's quoted strings), fired by the worker from the indexed timer table; and several
workers on PostgreSQL firing a thousand due timers exactly once."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from engine.casework import cases
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.persistence.tables import Event, Timer
from engine.background.worker import fire_due_timers
from tests.conftest import FORMS
from tests.engine.helpers import complete, deploy_text, run_workers
from tests.engine.maps import boundary, catch, end, flow, process, start, timer, user_task

MONDAY_9AM = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _chased(key: str, definition: str, interrupting: bool = False) -> str:
    """'assess' with a boundary timer leading to a 'chase' task."""
    return process(key, "\n".join([
        start("f1"), user_task("assess", "Assess", "f1", "f2"), end("done", "f2"),
        boundary("reminder", "assess", "f3", definition, interrupting), user_task("chase", "Chase", "f3", "f4"),
        end("chased", "f4"),
        flow("f1", "start", "assess"), flow("f2", "assess", "done"), flow("f3", "reminder", "chase"),
        flow("f4", "chase", "chased")]))


def _waits(key: str, definition: str) -> str:
    """An intermediate timer, then a 'follow_up' task."""
    return process(key, "\n".join([
        start("f1"), catch("wait", "f1", "f2", definition), user_task("follow_up", "Follow up", "f2", "f3"),
        end("done", "f3"), flow("f1", "start", "wait"), flow("f2", "wait", "follow_up"),
        flow("f3", "follow_up", "done")]))


TIMER_START = process("scheduled_check", "\n".join([
    start("f1", timer("timeDuration", "PT4H")), user_task("inspect", "Inspect", "f1", "f2"), end("done", "f2"),
    flow("f1", "start", "inspect"), flow("f2", "inspect", "done")]))


@pytest.fixture
def timed(database_url):
    context = Context(Database(database_url), clock=FixedClock(MONDAY_9AM), settings=Settings(forms_dir=FORMS))
    yield context
    context.db.dispose()


def _open(ctx: Context, reference: str) -> list[str]:
    return sorted(t.bpmn_id for t in cases.show_case(ctx, reference).case.tasks)


def test_non_interrupting_boundary_timer_adds_a_chase_and_keeps_the_task(timed):
    deploy_text(timed, "chase.bpmn", _chased("chase_once", timer("timeDuration", "P1D")))
    view = cases.start_case(timed, "chase_once")
    timed.clock.advance(hours=23, minutes=59)
    assert fire_due_timers(timed) == 0
    timed.clock.advance(minutes=2)
    assert fire_due_timers(timed) == 1 and fire_due_timers(timed) == 0
    assert _open(timed, view.reference) == ["assess", "chase"]


def test_cycle_r3_fires_three_times_and_then_stops(timed):
    deploy_text(timed, "cycle.bpmn", _chased("chase_hourly", timer("timeCycle", "R3/PT1H")))
    view = cases.start_case(timed, "chase_hourly")
    chases = []
    for _ in range(5):
        timed.clock.advance(hours=1, seconds=1)
        fire_due_timers(timed)
        chases.append(_open(timed, view.reference).count("chase"))
    assert chases == [1, 2, 3, 3, 3]
    with timed.db.transaction(readonly=True) as s:
        assert s.scalar(select(func.count()).select_from(Timer)) == 0  # the cycle is over


@pytest.mark.parametrize("expression", ["PT2H", '"PT2H"'], ids=["camunda-bare", "spiff-quoted"])
def test_intermediate_timer_waits_then_continues(timed, expression):
    deploy_text(timed, "wait.bpmn", _waits("wait_two_hours", timer("timeDuration", expression)))
    view = cases.start_case(timed, "wait_two_hours")
    assert view.tasks == []
    with timed.db.transaction(readonly=True) as s:
        assert s.scalar(select(Timer.due_at)) == datetime(2026, 3, 2, 11, 0, tzinfo=timezone.utc)
    timed.clock.advance(hours=5)  # the worker was down when it fell due: it fires once on restart
    assert fire_due_timers(timed) == 1 and fire_due_timers(timed) == 0
    assert _open(timed, view.reference) == ["follow_up"]


def test_time_date_timer_fires_at_that_instant(timed):
    deploy_text(timed, "date.bpmn", _waits("until_thursday", timer("timeDate", "2026-03-05T09:00:00Z")))
    view = cases.start_case(timed, "until_thursday")
    timed.clock.set(datetime(2026, 3, 5, 9, 0, tzinfo=timezone.utc))
    assert fire_due_timers(timed) == 0  # SpiffWorkflow fires strictly after the instant
    timed.clock.advance(seconds=1)
    assert fire_due_timers(timed) == 1
    assert _open(timed, view.reference) == ["follow_up"]


def test_interrupting_boundary_timer_replaces_the_task(timed):
    deploy_text(timed, "deadline.bpmn", _chased("hard_deadline", timer("timeDuration", "P2D"), interrupting=True))
    view = cases.start_case(timed, "hard_deadline")
    timed.clock.advance(days=2, minutes=1)
    assert fire_due_timers(timed) == 1
    assert _open(timed, view.reference) == ["chase"]


def test_timer_start_event_case_waits_at_its_start_until_the_timer_fires(timed):
    deploy_text(timed, "scheduled.bpmn", TIMER_START)
    view = cases.start_case(timed, "scheduled_check")
    assert view.status == "open" and view.tasks == []
    timed.clock.advance(hours=3)
    assert fire_due_timers(timed) == 0
    timed.clock.advance(hours=1, seconds=1)
    assert fire_due_timers(timed) == 1
    after = complete(timed, cases.show_case(timed, view.reference).case, "inspect", {})
    assert after.status == "completed"


@pytest.mark.slow
def test_four_workers_fire_each_of_many_due_timers_exactly_once(timed, database_url):
    count = 1000 if database_url.startswith("postgresql") else 100  # SQLite serialises writers anyway
    deploy_text(timed, "wait.bpmn", _waits("wait_an_hour", timer("timeDuration", "PT1H")))
    for _ in range(count):
        cases.start_case(timed, "wait_an_hour")
    due = datetime(2026, 3, 2, 10, 1, tzinfo=timezone.utc)
    workers = [Context(Database(database_url), clock=FixedClock(due)) for _ in range(4)]
    fired = run_workers(workers, lambda w: fire_due_timers(w, limit=count))
    timed.clock.set(due)
    assert sum(fired) == count and fire_due_timers(timed) == 0
    with timed.db.transaction(readonly=True) as s:
        per_case = s.execute(select(Event.case_id, func.count()).where(Event.kind == "task_created")
                             .group_by(Event.case_id)).all()
    assert len(per_case) == count and {n for _, n in per_case} == {1}
