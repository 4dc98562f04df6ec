"""BPMN timers are indexed by due instant; the worker wakes only due cases, each exactly once."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from engine.casework import cases
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.persistence.tables import Case
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


def _open(ctx, reference):
    return [t.bpmn_id for t in cases.show_case(ctx, reference).case.tasks]


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


def _refuse_saving(db: Database, case_id: int) -> None:
    """A fault below the engine: the database refuses to save this case's workflow (a trigger), as a
    corrupt page or a full disk would."""
    with db.engine.begin() as conn:
        if db.is_sqlite:
            conn.exec_driver_sql(f"CREATE TRIGGER refuse_save BEFORE UPDATE ON case_state WHEN OLD.case_id = {case_id}"
                                 " BEGIN SELECT RAISE(ABORT, 'the disk is failing'); END")
        else:
            conn.exec_driver_sql("CREATE FUNCTION refuse_save() RETURNS trigger LANGUAGE plpgsql AS "
                                 "$$ BEGIN RAISE EXCEPTION 'the disk is failing'; END $$")
            conn.exec_driver_sql(f"CREATE TRIGGER refuse_save BEFORE UPDATE ON case_state FOR EACH ROW "
                                 f"WHEN (OLD.case_id = {case_id}) EXECUTE FUNCTION refuse_save()")


def test_a_case_that_cannot_be_saved_stops_only_itself_and_stays_due(timed, caplog):
    # The worker fires due cases in batches, one transaction each; a case that fails undoes its batch,
    # whose cases are then fired one at a time: the others fire, the failing one loses nothing.
    refs = [_awaiting_recollection(timed).reference for _ in range(3)]
    with timed.db.transaction(readonly=True) as session:
        broken = session.scalar(select(Case.id).where(Case.reference == refs[1]))
    _refuse_saving(timed.db, broken)
    timed.clock.advance(days=3)
    assert fire_due_timers(timed) == 2
    assert [_open(timed, ref) for ref in refs] == [["chase_overdue_recollection"], ["arrange_recollection"],
                                                  ["chase_overdue_recollection"]]
    assert "was undone" in caplog.text and "could not be fired; it stays due" in caplog.text
    with timed.db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER refuse_save" + ("" if timed.db.is_sqlite else " ON case_state"))
    assert fire_due_timers(timed) == 1  # the next round
    assert all(_open(timed, ref) == ["chase_overdue_recollection"] for ref in refs)
