"""The intake of a published service: the form someone outside the council fills in, and how their
answers become a case. One definition for every door from outside: a resident's web form
(``engine.residents.web_reports``) and a partner's report over Open311 (``engine.open311.open311_requests``).

The form is the one the map shows the public (``engine.residents.public_maps``): its start event's form when it
has one, otherwise the form of the first user task a case reaches from the start event (in the shipped
maps the front office's "record the details" task). A case starts with the answers in its data and the
customer's details; when the answers satisfy that first task's whole form it is completed at once, in
the same transaction, so the case goes straight on to the team that does the work (else it waits for
the front office, which sees the answers). Someone's details are never joined to a customer already
recorded on their word: customers recorded with the same name and postcode, email or phone
(``engine.casework.customer_duplicates``) are flagged for staff in a note, never merged.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..bpmn import forms, registry
from ..casework import cases, customers, notes, taskforms
from ..casework.writer import CaseWriter
from ..context import Context
from ..persistence.tables import Task
from ..types import Channel, TaskStatus
from .public_maps import public_map


@dataclass(frozen=True)
class Intake:
    """The intake form: ``task`` is the BPMN id of the user task it belongs to (None: the start
    event's, whose answers start the case)."""

    task: str | None
    texts: taskforms.FormTexts

    def schema(self) -> dict[str, Any]:
        assert self.texts.schema is not None
        return forms.load_schema(self.texts.schema, self.texts.files.get, self.texts.name)

    def ui_schema(self) -> dict[str, Any]:
        loaded = json.loads(self.texts.ui_schema) if self.texts.ui_schema else {}
        return loaded if isinstance(loaded, dict) else {}

    def problems(self, answers: dict[str, Any]) -> dict[str, str]:
        """What the form says of ``answers``, by field (empty: they answer it all)."""
        return forms.errors_for(self.schema(), answers, self.texts.files.get)


def intake(ctx: Context, process_key: str, title: str | None = None) -> Intake | None:
    """The current version's intake form (None: the process asks for nothing before staff take it),
    named ``title`` (default: the process's name, or the task's)."""
    with ctx.db.transaction(readonly=True) as session:
        version = registry.get_version(session, process_key)
        face, files, name = public_map(version), dict(version.files), version.name
        task_name = (version.user_tasks.get(face.form_task) or {}).get("name") if face.form_task else None
    if not face.form or face.form not in files:
        return None
    return Intake(face.form_task, taskforms.FormTexts(title or task_name or face.form_task or name, files[face.form],
                                                      files.get(face.ui_schema) if face.ui_schema else None,
                                                      files, face.form))


@dataclass(frozen=True)
class Started:
    reference: str
    due_at: datetime | None
    form_done: bool  # the answers completed the intake task (never, for a start event's form: they started the case)
    possible_matches: int  # customers already recorded who may be the same person (flagged for staff)


@dataclass(frozen=True)
class Submission:
    """What came in from outside: the intake form's ``answers``, the sender's ``contact`` details (a
    customer's: name, email, phone, address, postcode; None: no customer) or the ``customer_id`` they
    were already recorded as, and ``data`` the case also keeps (the language, a partner's report)."""

    answers: dict[str, Any]
    contact: dict[str, Any] | None = None
    customer_id: int | None = None
    data: dict[str, Any] | None = None


def _flag(matches: list[customers.PossibleDuplicate], how: str) -> str:
    listed = "; ".join(f"{m.name} (customer {m.id}, same {', '.join(m.matched_on)})" for m in matches)
    return (f"{how}. Possibly a customer already recorded: {listed}. "
            "Not merged: check with the resident before linking.")


def start(ctx: Context, process_key: str, sent: Submission, channel: Channel, *, actor: str | None,
          person: bool = True, how: str = "Reported online", flagged_by: str | None = None,
          start_key: str | None = None, then: Callable[[CaseWriter], None] | None = None) -> Started:
    """Start a case of ``process_key`` from ``sent`` on ``channel`` in ``actor``'s name, its customer
    and flags written with it, its intake task completed when the answers satisfy it, and ``then``
    (the door's own record of it) in the same transaction. ``how`` begins the flag's note, written by
``flagged_by`` (default: ``actor``). Raises
    FormInvalid (the contact details, by field), AlreadyStarted for a ``start_key`` already used, or the
    engine's errors for the answers."""
    form = intake(ctx, process_key)
    matches = customers.possible_duplicates(ctx, sent.contact) if sent.contact else []  # checks the details first
    matches = [m for m in matches if m.id != sent.customer_id]
    done = False

    def finish(w: CaseWriter) -> None:
        nonlocal done
        if matches:
            notes.write_system_note(w.session, w.case.id, _flag(matches, how), flagged_by or w.actor, w.now)
        task = _intake_task(w, form)
        if task is not None and form is not None and not form.problems(sent.answers):
            w.session.flush()
            cases.finish_task(w, task, sent.answers)
            done = True
        if then is not None:
            then(w)

    view = cases.start_case(ctx, process_key, {**(sent.data or {}), **sent.answers}, channel,
                            customer_id=sent.customer_id, actor=actor, person=person,
                            new_customer=None if sent.customer_id else sent.contact, start_key=start_key, then=finish)
    due = datetime.fromisoformat(view.due_at) if view.due_at else None
    return Started(view.reference, due, done, len(matches))


def _intake_task(w: CaseWriter, form: Intake | None) -> Task | None:
    if form is None or form.task is None:
        return None
    return next((t for t in w.projector.outstanding or [] if t.bpmn_id == form.task and t.status == TaskStatus.OPEN),
                None)
