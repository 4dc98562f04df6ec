"""BPMN timers are indexed by due instant; the worker wakes only due cases, each exactly once."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest

from engine.casework import cases
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.background.worker import fire_due_timers
from tests.conftest import FORMS
from tests.engine.helpers import complete, deploy_library
from tests.engine.test_cases import RECORD


@pytest.fixture
def timed(database_url):
    context = Context(Database(database_url), clock=FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)),
                      settings=Settings(forms_dir=FORMS))
    deploy_library(context)
    yield context
    context.db.dispose()


def _awaiting_recollection(ctx):
    view = cases.start_case(ctx, "missed_bin_collection")
    return complete(ctx, view, "record_missed_collection", RECORD)


def test_boundary_timer_fires_once_when_due_and_not_before(timed):
    view = _awaiting_recollection(timed)
    assert fire_due_timers(timed) == 0
    timed.clock.advance(days=1, hours=23)
    assert fire_due_timers(timed) == 0
    timed.clock.advance(hours=2)  # the worker was "down" past the due instant
    assert fire_due_timers(timed) == 1
    assert fire_due_timers(timed) == 0
    now_open = [t.bpmn_id for t in cases.show_case(timed, view.reference).case.tasks]
    assert now_open == ["chase_overdue_recollection"]


def test_completing_the_task_first_removes_its_timer(timed):
    view = _awaiting_recollection(timed)
    complete(timed, view, "arrange_recollection", {"recollection_result": "collected",
                                                   "recollection_date": "2026-03-03"})
    timed.clock.advance(days=5)
    assert fire_due_timers(timed) == 0


def test_several_workers_fire_each_due_timer_exactly_once(timed):
    refs = [_awaiting_recollection(timed).reference for _ in range(12)]
    timed.clock.advance(days=3)
    fired: list[int] = []
    threads = [threading.Thread(target=lambda: fired.append(fire_due_timers(timed))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(fired) == len(refs)
    for ref in refs:
        history = cases.show_case(timed, ref).history
        created = [e for e in history if e.kind == "task_created" and e.detail["task_name"].startswith("Escalate")]
        assert len(created) == 1, ref
