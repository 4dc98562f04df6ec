"""Tracking a case from the public web pages: a resident gives the reference and the email, phone
number or postcode they gave, and reads the case's public status, its dates and public milestones.

Only the wording the analyst wrote for residents (``engine.residents.public_maps``) and the case's own dates
leave here: never notes, task data, officer or team names. A reference that does not exist and a
detail that does not match give the same answer (None), so nobody learns which references exist;
the pages limit how often one address may ask (``webui.residents``).
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..casework import customers
from ..context import Context
from ..persistence.tables import Case, Customer, Process, PublishedService, Task
from ..types import CaseStatus, TaskStatus
from .public_maps import PublicMap, public_map

RECEIVED = "Received"
CLOSED = "Closed"
MAX_SECRET = 320


@dataclass(frozen=True)
class Milestone:
    at: datetime
    text: str


@dataclass(frozen=True)
class PublicCase:
    """What a resident may read about their case."""

    reference: str
    service: str
    status: str
    closed: bool
    received_at: datetime
    closed_at: datetime | None
    promised_by: datetime | None  # the case's SLA due instant, while open
    milestones: tuple[Milestone, ...]


def _same(given: str | None, kept: str | None) -> bool:
    return bool(given) and bool(kept) and hmac.compare_digest(str(given), str(kept))


def matches(customer: Customer | None, secret: str) -> bool:
    """Whether ``secret`` is the customer's email, phone number or postcode (compared as case search does)."""
    if customer is None:
        return False
    text = " ".join(secret.split())
    keys = customers.search_keys(text, text, text)
    return (_same(keys.get("email_key"), customer.email_key) or _same(keys.get("phone_key"), customer.phone_key)
            or _same(keys.get("postcode_key"), customer.postcode_key))


def closed_wording(case: Case, face: PublicMap) -> str:
    """What a closed case says: its outcome's wording (``publicOutcome.<outcome>``) for a completed case."""
    if case.status != CaseStatus.COMPLETED:
        return CLOSED
    outcome = str((case.data or {}).get("outcome") or "")
    return face.outcomes.get(outcome) or face.outcomes.get("") or CLOSED


def milestones(case: Case, tasks: list[Task], face: PublicMap) -> list[Milestone]:
    """The case's public milestones, oldest first: received, each new public status its tasks began
    (``tasks`` in the order they were created), and closed."""
    found = [Milestone(case.created_at, RECEIVED)]
    for task in tasks:
        text = face.statuses.get(task.bpmn_id)
        if text and task.status != TaskStatus.CANCELLED and found[-1].text != text:
            found.append(Milestone(task.created_at, text))
    if case.status in (CaseStatus.COMPLETED, CaseStatus.CANCELLED):
        found.append(Milestone(case.completed_at or case.updated_at, closed_wording(case, face)))
    return found


def public_status(case: Case, tasks: list[Task], face: PublicMap) -> str:
    """The case's status in the analyst's public words: its outcome's once closed, else its latest
    outstanding task's ``publicStatus``, else its latest public milestone (the residents' tracking
    page and Open311's ``status_notes``)."""
    if case.status in (CaseStatus.COMPLETED, CaseStatus.CANCELLED):
        return closed_wording(case, face)
    open_words = [face.statuses[t.bpmn_id] for t in tasks
                  if t.status in (TaskStatus.OPEN, TaskStatus.HANDED_BACK) and t.bpmn_id in face.statuses]
    return open_words[-1] if open_words else milestones(case, tasks, face)[-1].text


def _view(case: Case, tasks: list[Task], service: str, face: PublicMap) -> PublicCase:
    closed = case.status in (CaseStatus.COMPLETED, CaseStatus.CANCELLED)
    return PublicCase(case.reference or "", service, public_status(case, tasks, face), closed, case.created_at,
                      case.completed_at if closed else None, None if closed else case.due_at,
                      tuple(milestones(case, tasks, face)))


def track(ctx: Context, reference: str, secret: str, language: str = "en") -> PublicCase | None:
    """The public view of case ``reference`` if ``secret`` is the email, phone or postcode its customer
    gave; None otherwise (whether or not the case exists). The analyst's wordings in ``language`` where
    the map gives them; ``RECEIVED`` and ``CLOSED`` are the page's to translate."""
    reference = " ".join((reference or "").split()).upper()
    secret = (secret or "")[:MAX_SECRET]
    if "\x00" in reference + secret:  # no case holds one (and PostgreSQL refuses to compare with one)
        return None
    with ctx.db.transaction(readonly=True) as session:
        case = session.scalar(select(Case).where(Case.reference == reference)) if reference else None
        customer = session.get(Customer, case.customer_id) if case is not None and case.customer_id else None
        if case is None or not matches(customer, secret):
            return None
        tasks = list(session.scalars(select(Task).where(Task.case_id == case.id).order_by(Task.created_at, Task.id)))
        published = session.get(PublishedService, case.process_key)
        title = ((published.translations or {}).get(language, {}).get("title") or published.title) if published else None
        service = title or session.scalar(select(Process.name).where(Process.key == case.process_key)) or ""
        return _view(case, tasks, service, public_map(case.version).in_language(language))
