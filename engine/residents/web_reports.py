"""A resident's report or application from the public web pages: the customer recorded from the details
they gave, the case started on channel ``web``, and the first task completed with their answers when
those answer everything it asks (else it waits for the front office, which sees the answers).

A resident is never joined to an existing customer record on their word: anyone can type someone
else's email. Their details become a new customer, and customers already recorded with the same
name and postcode, email or phone (``engine.casework.customer_duplicates``) are flagged for staff in a note.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ..casework import customers
from ..casework.taskforms import FormTexts
from ..context import Context
from ..errors import AlreadyStarted
from ..outbox.servicetasks import LANGUAGE
from ..types import Channel, PublishChannel
from . import intake, publishing

logger = logging.getLogger(__name__)
WEB_ACTOR = "resident (web)"  # who wrote the flags and completed the first task, in the case's history


@dataclass(frozen=True)
class WebService:
    """A service published on the web, with the form residents fill in (None: the map has none)."""

    service: publishing.PublishedService
    form: FormTexts | None


def web_service(ctx: Context, process_key: str) -> WebService:
    """The web-published ``process_key`` and its public form (``engine.residents.intake``); ServiceNotPublished if
    it is not on the web."""
    service = publishing.get_published(ctx, channel=PublishChannel.WEB, process_key=process_key)
    form = intake.intake(ctx, process_key, title=service.title)
    return WebService(service, form.texts if form is not None else None)


@dataclass(frozen=True)
class WebReport:
    reference: str
    first_task_done: bool  # the resident's answers completed the first task
    possible_matches: int  # customers already recorded who may be the same person (flagged for staff)


def check_contact(contact: dict[str, Any]) -> None:
    """FormInvalid, by field, unless ``contact`` would make a customer record (nothing is stored)."""
    customers.check_details(contact)


def submit(ctx: Context, process_key: str, answers: dict[str, Any], contact: dict[str, Any] | None,
           language: str = "en", sending: str | None = None) -> WebReport:
    """Start a case of the web-published ``process_key`` with the resident's ``answers`` and ``contact``
    (name, address, postcode, email, phone; None: anonymous), as ``engine.residents.intake`` starts every case
    from outside. Raises ServiceNotPublished, FormInvalid (the contact details, by field) or the engine's
    errors for the answers. A resident who used the pages in another language than English has it in
    the case's data as ``language`` (``cy``): the messages the map sends them use its templates in that
    language (``engine.outbox.servicetasks``).

    The customer and the case are written in one transaction. ``sending`` names this sending of the
    form (the page's own key): the same form sent again, however soon, gives the first one's report
    instead of a second case."""
    publishing.get_published(ctx, channel=PublishChannel.WEB, process_key=process_key)
    sent = intake.Submission(answers, contact or None, data=None if language == "en" else {LANGUAGE: language})
    try:
        started = intake.start(ctx, process_key, sent, Channel.WEB, actor=None, flagged_by=WEB_ACTOR,
                               start_key=f"web:{process_key}:{sending}" if sending else None)
    except AlreadyStarted as sent_before:
        return WebReport(sent_before.reference, False, 0)
    logger.info("web report %s for %s", started.reference, process_key,
                extra={"reference": started.reference, "process_key": process_key,
                       "matches": started.possible_matches})
    return WebReport(started.reference, started.form_done, started.possible_matches)
