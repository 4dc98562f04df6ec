"""Repeat contacts: the customer got in touch again about a case they already have (chasing progress,
adding information, ...). Each is written through the case writer, so it joins the case's history
with who took it, when and by which channel, and is kept as a ``case_contact`` row so management
information can count contacts by channel, kind and day without reading the history.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..context import Context
from ..errors import CaseNotFound, FormInvalid
from ..people import permissions, users
from ..persistence.tables import Case, CaseContact
from ..types import Channel, ContactKind, EventKind
from . import writer
from .views import iso

MAX_TEXT = 2000

# How each kind reads on pages and in the history.
KIND_LABELS = {
    ContactKind.CHASING: "Chasing progress",
    ContactKind.ADDING_INFORMATION: "Adding information",
    ContactKind.NOT_UNDERSTOOD: "Did not understand something we said",
    ContactKind.COMPLAINT_ABOUT_HANDLING: "Complaint about how the case is handled",
    ContactKind.OTHER: "Something else",
}


@dataclass(frozen=True)
class ContactView:
    id: int
    case: str
    channel: str
    kind: str
    text: str
    logged_by: str
    at: str | None

    @classmethod
    def of(cls, row: CaseContact, reference: str) -> "ContactView":
        return cls(row.id, reference, str(row.channel), str(row.kind), row.text, row.logged_by, iso(row.at))

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _checked(channel: str, kind: str, text: str) -> tuple[Channel, ContactKind, str]:
    """The contact's fields, or FormInvalid naming each wrong one in words a person can act on."""
    errors: dict[str, str] = {}
    body = (text or "").strip()
    if channel not in set(Channel):
        errors["channel"] = "Select how the customer got in touch"
    if kind not in set(ContactKind):
        errors["kind"] = "Select why the customer got in touch"
    if not body:
        errors["text"] = "Enter what the customer said"
    elif len(body) > MAX_TEXT:
        errors["text"] = f"What the customer said must be {MAX_TEXT} characters or fewer (it is {len(body)})"
    if errors:
        raise FormInvalid(errors)
    return Channel(channel), ContactKind(kind), body


def log_contact(ctx: Context, reference: str, channel: str, kind: str, text: str, actor: str) -> ContactView:
    """Record that the customer got in touch about case ``reference``, taken by ``actor`` (who must
    be allowed to see the case); a closed case takes contacts too (e.g. a complaint about handling)."""
    how, why, body = _checked(channel, kind, text)
    with writer.open_case(ctx, reference=reference, actor=actor) as w:
        if w.user is not None:
            permissions.require_case_visible(w.session, w.user, w.case)
        return ContactView.of(record_contact(w, how, why, body), reference)


def record_contact(w: writer.CaseWriter, how: Channel, why: ContactKind, body: str) -> CaseContact:
    """Add a checked contact to the case ``w`` holds, and to its history, as ``w``'s actor (the
    caller has decided they may)."""
    row = CaseContact(case_id=w.case.id, channel=how, kind=why, text=body[:MAX_TEXT], logged_by=w.actor, at=w.now)
    w.session.add(row)
    w.session.flush()
    w.record(EventKind.CONTACT_LOGGED, contact_id=row.id, channel=how.value, contact_kind=why.value,
             text=row.text)
    return row


def list_contacts(ctx: Context, reference: str, viewer_email: str) -> list[ContactView]:
    """The case's repeat contacts, oldest first, for someone allowed to see the case."""
    with ctx.db.transaction(readonly=True) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        if case is None:
            raise CaseNotFound(f"There is no case {reference}")
        permissions.require_case_visible(session, users.get_user(session, viewer_email), case)
        rows = session.scalars(select(CaseContact).where(CaseContact.case_id == case.id)
                               .order_by(CaseContact.at, CaseContact.id))
        return [ContactView.of(row, reference) for row in rows]
