"""A case's history as the case writer's transaction makes it: its events kept in order, then written in
one statement and counted for MI.

Events are append-only and never read back by the transaction that adds them, so the case writer
does not send them through the Session's unit of work (an ORM object per event and a flush that
orders and inserts them one by one cost more than the rest of a step's history). The writer keeps
them here as they happen, each naming its task (a task opened in this transaction gets its id when
the Session flushes it), and ``write`` inserts them with Core in the order they were added and hands
them to the MI roll-up, just as the roll-up counts the events other units of work add through the
Session. The writer writes its history when it saves and before its transaction commits.

``add_event`` is how every module adds a case event, whether or not a case writer is open: into the
open writer's history when there is one on the session, so a step's events keep their order, else as
an ORM row (counted by the roll-up's flush listener).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from ..mi import mi_rollup
from ..persistence.tables import Event, Task
from ..types import EventKind

_KEY = "case_history"  # session.info: the open case writer's history
_INSERT = insert(Event)  # built once


@dataclass(eq=False)
class Entry:
    """An event still to be written (its ``detail`` may still change: a completion adds what it changed)."""

    case_id: int
    actor: str
    at: datetime
    kind: EventKind
    detail: dict[str, Any]
    task: Task | None = None
    known_task_id: int | None = field(default=None, repr=False)

    @property
    def task_id(self) -> int | None:
        return self.task.id if self.task is not None else self.known_task_id

    def row(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "task_id": self.task_id, "actor": self.actor, "at": self.at,
                "kind": self.kind, "detail": self.detail}


class History:
    """The events of one case writer's transaction, written together (``of``: the one of a session, shared
    by the writers of a sweep's batch, so each case's events stay in the order they happened)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.pending: list[Entry] = []
        session.info[_KEY] = self

    @classmethod
    def of(cls, session: Session) -> History:
        history: History | None = session.info.get(_KEY)
        return history if history is not None else cls(session)

    def add(self, case_id: int, actor: str, at: datetime, kind: EventKind, detail: dict[str, Any],
            task: Task | None = None, task_id: int | None = None) -> Entry:
        entry = Entry(case_id, actor, at, kind, detail, task, task_id)
        self.pending.append(entry)
        return entry

    def write(self) -> None:
        """Insert the events added since the last write, in order, and count them for MI."""
        if not self.pending:
            return
        if any(e.task is not None and e.task.id is None for e in self.pending):
            self.session.flush()  # a task opened in this transaction: its id
        entries, self.pending = self.pending, []
        self.session.connection().execute(_INSERT, [e.row() for e in entries])
        mi_rollup.count_written(self.session, entries)


def add_event(session: Session, case_id: int, task_id: int | None, actor: str, at: datetime, kind: EventKind,
              detail: dict[str, Any]) -> None:
    """An event of the case: into the case writer's history when one is open on ``session``, else an ORM row."""
    history: History | None = session.info.get(_KEY)
    if history is not None:
        history.add(case_id, actor, at, kind, detail, task_id=task_id)
    else:
        session.add(Event(case_id=case_id, task_id=task_id, actor=actor, at=at, kind=kind, detail=detail))
