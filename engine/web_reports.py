"""A resident's report or application from the public web pages: the customer recorded from the details
they gave, the case started on channel ``web``, and the first task completed with their answers when
those answer everything it asks (else it waits for the front office, which sees the answers).

A resident is never joined to an existing customer record on their word: anyone can type someone
else's email. Their details become a new customer, and customers already recorded with the same
name and postcode, email or phone (``engine.customer_duplicates``) are flagged for staff in a note.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any


from . import cases, customers, forms, notes, publishing, registry
from .context import Context
from .errors import AlreadyStarted
from .public_maps import public_map
from .servicetasks import LANGUAGE
from .taskforms import FormTexts
from .types import Channel, PublishChannel

logger = logging.getLogger(__name__)
WEB_ACTOR = "resident (web)"  # who wrote the flags and completed the first task, in the case's history


@dataclass(frozen=True)
class WebService:
    """A service published on the web, with the form residents fill in (None: the map has none)."""

    service: publishing.PublishedService
    form: FormTexts | None


def web_service(ctx: Context, process_key: str) -> WebService:
    """The web-published ``process_key`` and its public form; ServiceNotPublished if it is not on the web."""
    service = publishing.get_published(ctx, channel=PublishChannel.WEB, process_key=process_key)
    with ctx.db.transaction(readonly=True) as session:
        version = registry.get_version(session, process_key)
        face = public_map(version)
        files = dict(version.files)
    if not face.form or face.form not in files:
        return WebService(service, None)
    return WebService(service, FormTexts(service.title, files[face.form],
                                         files.get(face.ui_schema) if face.ui_schema else None, files, face.form))


@dataclass(frozen=True)
class WebReport:
    reference: str
    first_task_done: bool  # the resident's answers completed the first task
    possible_matches: int  # customers already recorded who may be the same person (flagged for staff)


def _completes(ctx: Context, process_key: str, answers: dict[str, Any]) -> str | None:
    """The BPMN id of the first task the resident's form stands for, when their answers satisfy its whole form."""
    with ctx.db.transaction(readonly=True) as session:
        version = registry.get_version(session, process_key)
        face, files = public_map(version), dict(version.files)
    if face.form_task is None or not face.form or face.form not in files:
        return None
    schema = forms.load_schema(files[face.form], files.get, face.form)
    return face.form_task if not forms.errors_for(schema, answers, files.get) else None


def check_contact(contact: dict[str, Any]) -> None:
    """FormInvalid, by field, unless ``contact`` would make a customer record (nothing is stored)."""
    customers.check_details(contact)


def submit(ctx: Context, process_key: str, answers: dict[str, Any], contact: dict[str, Any] | None,
           language: str = "en", sending: str | None = None) -> WebReport:
    """Start a case of the web-published ``process_key`` with the resident's ``answers`` and ``contact``
    (name, address, postcode, email, phone; None: anonymous). Raises ServiceNotPublished, FormInvalid
    (the contact details, by field) or the engine's errors for the answers. A resident who used the pages
    in another language than English has it in the case's data as ``language`` (``cy``): the messages
    the map sends them use its templates in that language (``engine.servicetasks``).

    The customer and the case are written in one transaction. ``sending`` names this sending of the
    form (the page's own key): the same form sent again, however soon, gives the first one's report
    instead of a second case."""
    publishing.get_published(ctx, channel=PublishChannel.WEB, process_key=process_key)
    matches = customers.possible_duplicates(ctx, contact) if contact else []  # checks the details first
    data = answers if language == "en" else {**answers, LANGUAGE: language}
    task_bpmn_id = _completes(ctx, process_key, answers)
    try:  # the first task completed in the start's transaction: a slot picked is booked with the case, or neither
        case = cases.start_case(ctx, process_key, data, Channel.WEB, new_customer=contact or None,
                                start_key=f"web:{process_key}:{sending}" if sending else None,
                                first_task=(task_bpmn_id, answers) if task_bpmn_id else None)
    except AlreadyStarted as sent_before:
        return WebReport(sent_before.reference, False, 0)
    if matches:
        listed = "; ".join(f"{m.name} (customer {m.id}, same {', '.join(m.matched_on)})" for m in matches)
        notes.add_system_note(ctx, case.reference, "Reported online. Possibly a customer already recorded: "
                              f"{listed}. Not merged: check with the resident before linking.", WEB_ACTOR)
    logger.info("web report %s for %s", case.reference, process_key,
                extra={"reference": case.reference, "process_key": process_key, "matches": len(matches)})
    return WebReport(case.reference, task_bpmn_id is not None, len(matches))
