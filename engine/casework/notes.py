"""Notes staff add to a case, optionally while working one of its tasks; each is in the history too."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..context import Context
from ..errors import CaseNotFound, TaskNotFound, UserError
from ..people import permissions, users
from ..persistence.tables import Case, Note, Task
from ..types import EventKind
from . import history
from .views import iso

MAX_NOTE = 5000


@dataclass(frozen=True)
class NoteView:
    id: int
    case: str
    task_id: int | None
    task_name: str | None
    author: str
    at: str | None
    text: str


def add_note(ctx: Context, reference: str, text: str, actor: str, task_id: int | None = None) -> NoteView:
    """Add a note to case ``reference`` as ``actor``, who must be allowed to see the case."""
    body = (text or "").strip()
    if not body:
        raise UserError("Enter the note")
    if len(body) > MAX_NOTE:
        raise UserError(f"The note must be {MAX_NOTE} characters or fewer (it is {len(body)})")
    with ctx.db.transaction() as session:
        # Notes do not touch the workflow, so no case lock: they never clash with other writers.
        case = session.scalar(select(Case).where(Case.reference == reference))
        if case is None:
            raise CaseNotFound(f"There is no case {reference}")
        who = users.get_user(session, actor)
        permissions.require_case_visible(session, who, case)
        task = None
        if task_id is not None:
            task = session.get(Task, task_id)
            if task is None or task.case_id != case.id:
                raise TaskNotFound(f"Case {reference} has no task {task_id}")
        now = ctx.clock.now()
        note = Note(case_id=case.id, task_id=task_id, author=who.email, at=now, text=body)
        session.add(note)
        session.flush()
        history.add_event(session, case.id, task_id, who.email, now, EventKind.NOTE_ADDED,
                          {"note_id": note.id, "text": body, "task_name": task.name if task else None})
        return NoteView(note.id, reference, task_id, task.name if task else None, who.email, iso(now), body)


def list_notes(ctx: Context, reference: str) -> list[NoteView]:
    """The case's notes, oldest first."""
    with ctx.db.transaction(readonly=True) as session:
        case_id = session.scalar(select(Case.id).where(Case.reference == reference))
        if case_id is None:
            raise CaseNotFound(f"There is no case {reference}")
        rows = session.execute(select(Note, Task.name).outerjoin(Task, Task.id == Note.task_id)
                               .where(Note.case_id == case_id).order_by(Note.at, Note.id))
        return [NoteView(n.id, reference, n.task_id, name, n.author, iso(n.at), n.text) for n, name in rows]


def add_system_note(ctx: Context, reference: str, text: str, author: str) -> None:
    """A note written by a part of the system (``author``, e.g. the public web pages) rather than a
    member of staff: what it flags for staff, in the case's notes and its history."""
    with ctx.db.transaction() as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        if case is None:
            raise CaseNotFound(f"There is no case {reference}")
        write_system_note(session, case.id, text, author, ctx.clock.now())


def write_system_note(session: Session, case_id: int, text: str, author: str, now: datetime) -> None:
    """``add_system_note`` in the caller's transaction (the case writer's, to flag what it just wrote)."""
    note = Note(case_id=case_id, task_id=None, author=author, at=now, text=text[:MAX_NOTE])
    session.add(note)
    session.flush()
    history.add_event(session, case_id, None, author, now, EventKind.NOTE_ADDED,
                      {"note_id": note.id, "text": note.text, "task_name": None})
