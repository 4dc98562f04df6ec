"""The one spelling of the case lock, for the case writer (``engine.casework.writer``) and the few use cases
that change many cases in one transaction (moving a team's open tasks, recalculating SLA clocks).

Every writer of a case takes the case row first: ``SELECT … FOR UPDATE`` on PostgreSQL (``SKIP
LOCKED`` for background workers, which take the case on their next round instead of waiting); on
SQLite the transaction's ``BEGIN IMMEDIATE`` already holds the database's write lock. Reading the row
afresh after the lock means a change someone committed a moment ago is seen.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from ..persistence.configuration import GENERATION, use_generation
from ..persistence.tables import Case, Task

# The statements, built once (building one costs about as much as running it): by id or reference,
# waiting or skipping a held case; the free ones of a batch; and a task's case. Each reads the configuration's
# generation too, so the transaction may use this process's copies of lanes' teams and SLA policies
# (engine/persistence/configuration.py) without a statement of its own.
_LOCK = {(by, skip): select(Case, GENERATION).where(column == bindparam("key"))
         .with_for_update(of=Case, skip_locked=skip).execution_options(populate_existing=True)
         for by, column in (("id", Case.id), ("reference", Case.reference)) for skip in (False, True)}
_LOCK_FREE = select(Case, GENERATION).where(Case.id.in_(bindparam("keys", expanding=True))).order_by(Case.id) \
    .with_for_update(of=Case, skip_locked=True).execution_options(populate_existing=True)
_LOCK_TASK_CASE = select(Case, GENERATION).join(Task, Task.case_id == Case.id).where(Task.id == bindparam("task")) \
    .with_for_update(of=Case).execution_options(populate_existing=True)


def _locked(session: Session, statement: Select[Case, int], params: dict[str, Any]) -> list[Case]:
    rows = session.execute(statement, params).all()
    if rows:
        use_generation(session, rows[0][1])
    return [row[0] for row in rows]


def lock_case(session: Session, *, case_id: int | None = None, reference: str | None = None,
              skip_locked: bool = False) -> Case | None:
    """Lock one case row (None: no such case, or ``skip_locked`` and someone holds it)."""
    key: Any = case_id if case_id is not None else reference
    found = _locked(session, _LOCK["id" if case_id is not None else "reference", skip_locked], {"key": key})
    return found[0] if found else None


def lock_free_cases(session: Session, case_ids: list[int]) -> list[Case]:
    """Lock, with one statement, the cases of ``case_ids`` that nobody holds right now (the background
    workers' batches; the held ones are left for their next round), in id order."""
    return _locked(session, _LOCK_FREE, {"keys": case_ids})


def lock_task_case(session: Session, task_id: int) -> Case | None:
    """Lock the case a task belongs to, found and locked in one statement (None: no such task).
    The task itself is not locked, and must be read again after this: on PostgreSQL a row joined to
    the locked one is the row as it was before the wait."""
    found = _locked(session, _LOCK_TASK_CASE, {"task": task_id})
    return found[0] if found else None
