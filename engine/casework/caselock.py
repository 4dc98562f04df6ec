"""The one spelling of the case lock, for the case writer (``engine.casework.writer``) and the few use cases
that change many cases in one transaction (moving a team's open tasks, recalculating SLA clocks).

Every writer of a case takes the case row first: ``SELECT … FOR UPDATE`` on PostgreSQL (``SKIP
LOCKED`` for background workers, which take the case on their next round instead of waiting); on
SQLite the transaction's ``BEGIN IMMEDIATE`` already holds the database's write lock. Reading the row
afresh after the lock means a change someone committed a moment ago is seen. The case writer locks the
case's saved state with it, in the same statement and always second, and so reads the state without a
statement of its own.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from ..persistence.configuration import GENERATION, use_generation
from ..persistence.tables import Case, CaseState, Task

# The statements, built once (building one costs about as much as running it): by id or reference,
# waiting or skipping a held case, with or without its saved state; the free ones of a batch; and a task's case.
# Each reads the configuration's generation too, so the transaction may use this process's copies of lanes'
# teams and SLA policies (engine/persistence/configuration.py) without a statement of its own. The case
# writer's forms read the case's saved state with it and lock its row too, after the case's (the rows are
# locked in the order ``of`` names them, the order in which every writer takes them): on PostgreSQL a row read
# in the locking statement without being locked itself could be the row as it was before the wait.
_STATE_COLUMNS = (CaseState.serializer_version, CaseState.state)


def _lock(statement: Select[Any], skip: bool, with_state: bool) -> Select[Any]:
    if with_state:
        statement = statement.add_columns(*_STATE_COLUMNS).join(CaseState, CaseState.case_id == Case.id)
    return statement.with_for_update(of=[Case, CaseState] if with_state else Case, skip_locked=skip) \
        .execution_options(populate_existing=True)


_LOCK = {(by, skip, state): _lock(select(Case, GENERATION).where(column == bindparam("key")), skip, state)
         for by, column in (("id", Case.id), ("reference", Case.reference)) for skip in (False, True)
         for state in (False, True)}
_LOCK_FREE = {state: _lock(select(Case, GENERATION).where(Case.id.in_(bindparam("keys", expanding=True)))
                           .order_by(Case.id), True, state) for state in (False, True)}
_LOCK_TASK_CASE = _lock(select(Case, GENERATION).join(Task, Task.case_id == Case.id).where(Task.id == bindparam("task")),
                        False, True)

# A case and, when read with the lock, its saved state's format and document.
Locked = tuple[Case, tuple[str, str] | None]


def _locked(session: Session, statement: Select[Any], params: dict[str, Any]) -> list[Locked]:
    rows = session.execute(statement, params).all()
    if rows:
        use_generation(session, rows[0][1])
    return [(row[0], (row[2], row[3]) if len(row) > 2 else None) for row in rows]


def lock_case(session: Session, *, case_id: int | None = None, reference: str | None = None,
              skip_locked: bool = False) -> Case | None:
    """Lock one case row (None: no such case, or ``skip_locked`` and someone holds it)."""
    found = _lock_one(session, case_id, reference, skip_locked, with_state=False)
    return found[0] if found is not None else None


def lock_case_and_state(session: Session, *, case_id: int | None = None, reference: str | None = None,
                        skip_locked: bool = False) -> Locked | None:
    """``lock_case`` for the case writer: the case with its saved state, both rows locked (the state is None
    only for a case that has none, which the writer then reports when it needs it)."""
    return _lock_one(session, case_id, reference, skip_locked, with_state=True) or \
        _lock_one(session, case_id, reference, skip_locked, with_state=False)


def _lock_one(session: Session, case_id: int | None, reference: str | None, skip_locked: bool,
              with_state: bool) -> Locked | None:
    key: Any = case_id if case_id is not None else reference
    by = "id" if case_id is not None else "reference"
    found = _locked(session, _LOCK[by, skip_locked, with_state], {"key": key})
    return found[0] if found else None


def lock_free_cases(session: Session, case_ids: list[int]) -> list[Locked]:
    """Lock, with one statement, the cases of ``case_ids`` that nobody holds right now (the background
    workers' batches; the held ones are left for their next round), in id order, with their saved states."""
    found = _locked(session, _LOCK_FREE[True], {"keys": case_ids})
    missing = set(case_ids).difference(case.id for case, _ in found)
    if missing:  # held by someone else, or (never in practice) without a saved state: the writer reports that
        found = sorted(found + _locked(session, _LOCK_FREE[False], {"keys": sorted(missing)}), key=lambda f: f[0].id)
    return found


def lock_task_case(session: Session, task_id: int) -> Locked | None:
    """Lock the case a task belongs to and read its saved state, found and locked in one statement (None: no such
    task). The task itself is not locked, and must be read again after this: on PostgreSQL a row joined to
    the locked one is the row as it was before the wait."""
    found = _locked(session, _LOCK_TASK_CASE, {"task": task_id})
    if not found:  # no such task, or (never in practice) a case without a saved state
        case_id = session.scalar(select(Task.case_id).where(Task.id == task_id))
        return lock_case_and_state(session, case_id=case_id) if case_id is not None else None
    return found[0]
