"""The one spelling of the case lock, for the case writer (``engine.casework.writer``) and the few use cases
that change many cases in one transaction (moving a team's open tasks, recalculating SLA clocks).

Every writer of a case takes the case row first: ``SELECT … FOR UPDATE`` on PostgreSQL (``SKIP
LOCKED`` for background workers, which take the case on their next round instead of waiting); on
SQLite the transaction's ``BEGIN IMMEDIATE`` already holds the database's write lock. Reading the row
afresh after the lock means a change someone committed a moment ago is seen.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from ..persistence.tables import Case, Task


def lock_case(session: Session, *, case_id: int | None = None, reference: str | None = None,
              skip_locked: bool = False) -> Case | None:
    """Lock one case row (None: no such case, or ``skip_locked`` and someone holds it)."""
    where: ColumnElement[bool] = Case.id == case_id if case_id is not None else Case.reference == reference
    return session.scalar(select(Case).where(where).with_for_update(skip_locked=skip_locked)
                          .execution_options(populate_existing=True))


def lock_task_case(session: Session, task_id: int) -> Case | None:
    """Lock the case a task belongs to, found and locked in one statement (None: no such task).
    The task itself is not locked, and must be read again after this: on PostgreSQL a row joined to
    the locked one is the row as it was before the wait."""
    return session.scalar(select(Case).join(Task, Task.case_id == Case.id).where(Task.id == task_id)
                          .with_for_update(of=Case).execution_options(populate_existing=True))
