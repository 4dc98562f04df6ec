"""The case writer writes the case and task rows it changed with one UPDATE each instead of the Session's flush
(engine/persistence/row_updates.py): the same rows, the same version check, and nothing left for the flush."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from engine.casework import cases
from engine.people import routing
from engine.persistence import row_updates
from engine.persistence.tables import Case, Task, Team
from engine.types import CaseStatus, TaskStatus
from tests.engine.helpers import complete, deploy_library

PROCESS = "missed_bin_collection"
RECORD = {"bin_type": "refuse", "scheduled_collection_date": "2025-03-10", "bin_out_by_7am": "yes",
          "bin_location": "rear_lane", "crew_report": "none"}


@pytest.fixture
def started(ctx):
    deploy_library(ctx)
    return cases.start_case(ctx, PROCESS, {"postcode": "AB1 2CD"})


def _case(session, reference: str) -> Case:
    return session.scalars(select(Case).where(Case.reference == reference)).one()


def test_changed_columns_are_written_with_the_version_raised_and_nothing_left_to_flush(ctx, started):
    with ctx.db.transaction() as session:
        case = _case(session, started.reference)
        version = case.lock_version
        case.status, case.error = CaseStatus.FAILED, "a step failed"
        row_updates.write(session, [case])
        assert not session.dirty and not session.is_modified(case)
        assert case.lock_version == version + 1
        case.error = "and again"  # a second change to the same row checks the version the first wrote
        row_updates.write(session, [case])
    with ctx.db.transaction() as session:
        case = _case(session, started.reference)
        assert (case.status, case.error, case.lock_version) == (CaseStatus.FAILED, "and again", version + 2)


def test_a_row_saved_by_someone_else_since_it_was_read_is_refused_like_the_flush_refuses_it(ctx, started):
    with pytest.raises(StaleDataError, match="changed or removed by someone else"), \
            ctx.db.transaction() as session:
        case = _case(session, started.reference)
        session.connection().execute(update(Case).where(Case.id == case.id)
                                     .values(lock_version=Case.lock_version + 1))  # another save, unseen
        case.error = "lost"
        row_updates.write(session, [case])
    with ctx.db.transaction() as session:
        assert _case(session, started.reference).error is None  # nothing of the refused write is kept


def test_a_changed_relationship_is_left_to_the_flush(ctx, started):
    routing.add_team(ctx, "Night Desk")
    with ctx.db.transaction() as session:
        task = session.get(Task, started.tasks[0].id)
        task.team = session.scalars(select(Team).where(Team.name == "Night Desk")).one()
        row_updates.write(session, [task])
        assert session.is_modified(task)  # not written here: its team is a relationship
    assert cases.show_case(ctx, started.reference).case.tasks[0].team == "Night Desk"


def test_a_completion_leaves_the_rows_as_the_flush_would_have(ctx, started):
    view = complete(ctx, started, "record_missed_collection", RECORD)
    with ctx.db.transaction() as session:
        case = _case(session, started.reference)
        rows = {t.bpmn_id: t for t in session.scalars(select(Task).where(Task.case_id == case.id))}
    done = rows["record_missed_collection"]
    assert (done.status, done.completed_by) == (TaskStatus.COMPLETED, "system") and done.completed_at is not None
    assert case.lock_version == 3  # started (inserted, then saved), then completed: one version a save
    assert case.data["bin_type"] == "refuse" and case.status == CaseStatus.OPEN
    assert [t.bpmn_id for t in view.tasks] == [b for b, t in rows.items() if t.status == TaskStatus.OPEN]


def test_a_value_given_again_is_no_change_as_for_the_flush(ctx, started):
    with ctx.db.transaction() as session:
        case = _case(session, started.reference)
        version = case.lock_version
        case.status, case.data = case.status, dict(case.data)  # the same values, assigned again
        row_updates.write(session, [case])
        assert not session.is_modified(case) and case.lock_version == version
    with ctx.db.transaction() as session:
        assert _case(session, started.reference).lock_version == version


def test_a_write_in_a_savepoint_rolled_back_is_forgotten_and_the_row_written_again_later(ctx, started):
    with ctx.db.transaction() as session:
        case = _case(session, started.reference)
        version = case.lock_version
        savepoint = session.begin_nested()
        case.error = "undone"
        row_updates.write(session, [case])
        savepoint.rollback()
        assert (case.error, case.lock_version) == (None, version)  # read again: as the table has it
        case.error = "kept"
        row_updates.write(session, [case])
    with ctx.db.transaction() as session:
        assert (_case(session, started.reference).error, _case(session, started.reference).lock_version) == \
            ("kept", version + 1)


def test_a_row_whose_version_is_not_loaded_is_left_to_the_flush(ctx, started):
    with ctx.db.transaction() as session:
        case = _case(session, started.reference)
        session.expire(case, ["lock_version"])
        case.error = "by the flush"
        row_updates.write(session, [case])
        assert session.is_modified(case)
    with ctx.db.transaction() as session:
        assert _case(session, started.reference).error == "by the flush"
