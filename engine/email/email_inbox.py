"""The triage inbox: the emails waiting in a team's inbox, each read with its attachments, and what
an advisor does with one: log it as resolved, link it to an existing case (a repeat contact), or start
a mapped process from it with its details filled in and its attachments as case documents.

An email is seen by the members of the team whose inbox it is in, and by admins; to anyone else it
does not exist (EmailNotFound), as with cases.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..casework import cases, writer
from ..casework.views import iso
from ..catalogue import directory_entries
from ..context import Context
from ..errors import Conflict, NotFound, UserError
from ..people import permissions, users
from ..persistence.tables import Case, Customer, Email, EmailAttachment, Mailbox, Team, User
from ..types import Channel, ContactKind, EmailStatus, EventKind
from . import email_triage

MAX_NOTE = 2000
MAX_CASE_TEXT = 10_000


class EmailNotFound(NotFound):
    pass


@dataclass(frozen=True)
class AttachmentView:
    id: int
    filename: str
    content_type: str
    size: int
    refused: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class EmailView:
    id: int
    mailbox: str
    channel: str
    team: str
    sender: str
    sender_name: str
    subject: str
    received_at: str | None
    status: str
    customer_id: int | None = None
    customer_name: str | None = None
    case: str | None = None
    text: str = ""
    html: str | None = None
    ignored_reason: str | None = None
    handled_by: str | None = None
    attachments: list[AttachmentView] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "attachments": [a.to_dict() for a in self.attachments]}


def _view(session: Session, email: Email, full: bool = False) -> EmailView:
    mailbox = session.get_one(Mailbox, email.mailbox_id)
    customer = session.get(Customer, email.customer_id) if email.customer_id is not None else None
    case = session.get(Case, email.case_id) if email.case_id is not None else None
    attachments = [AttachmentView(a.id, a.filename, a.content_type, a.size, a.refused) for a in session.scalars(
        select(EmailAttachment).where(EmailAttachment.email_id == email.id).order_by(EmailAttachment.id))] \
        if full else []
    return EmailView(email.id, mailbox.name, mailbox.channel, session.get_one(Team, email.team_id).name, email.sender,
                     email.sender_name, email.subject, iso(email.received_at), email.status, email.customer_id,
                     customer.name if customer else None, case.reference if case else None,
                     email.text if full else email.text[:200], email.html if full else None, email.ignored_reason,
                     email.handled_by, attachments)


def _may_see(session: Session, user: User, email: Email) -> bool:
    return permissions.is_admin(user) or email.team_id in users.team_ids(session, user)


def _email(session: Session, user: User, email_id: int) -> Email:
    email = session.get(Email, email_id)
    if email is None or email.status == EmailStatus.NEW or not _may_see(session, user, email):
        raise EmailNotFound(f"There is no email {email_id}")
    return email


def triage_inbox(ctx: Context, viewer: str, status: str = EmailStatus.OPEN) -> list[EmailView]:
    """The emails with ``status`` in the viewer's teams' inboxes (an admin: every inbox), oldest first."""
    if status not in {s.value for s in EmailStatus} - {EmailStatus.NEW}:
        raise UserError(f"'{status}' is not an email status")
    with ctx.db.transaction(readonly=True) as session:
        user = users.get_user(session, viewer)
        query = select(Email).where(Email.status == status).order_by(Email.received_at, Email.id).limit(500)
        if not permissions.is_admin(user):
            query = query.where(Email.team_id.in_(users.team_ids(session, user)))
        return [_view(session, email) for email in session.scalars(query)]


def get_email(ctx: Context, email_id: int, viewer: str) -> EmailView:
    with ctx.db.transaction(readonly=True) as session:
        return _view(session, _email(session, users.get_user(session, viewer), email_id), full=True)


def get_attachment(ctx: Context, email_id: int, attachment_id: int, viewer: str) -> tuple[AttachmentView, bytes]:
    """A kept attachment's bytes, for download only (never shown inline: engine.casework.documents' safe types)."""
    with ctx.db.transaction(readonly=True) as session:
        _email(session, users.get_user(session, viewer), email_id)
        row = session.get(EmailAttachment, attachment_id)
        if row is None or row.email_id != email_id or row.refused is not None or row.content is None:
            raise EmailNotFound(f"There is no attachment {attachment_id} on email {email_id}")
        return AttachmentView(row.id, row.filename, row.content_type, row.size, None), row.content


def _take(session: Session, email_id: int, status: EmailStatus, actor: str, now: Any, **values: object) -> None:
    """Move an open email on; Conflict if someone else dealt with it a moment ago."""
    done = session.execute(update(Email).where(Email.id == email_id, Email.status == EmailStatus.OPEN)
                           .values(status=status, handled_by=actor, handled_at=now, **values))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        email = session.get_one(Email, email_id)
        raise Conflict(f"This email was already dealt with ({email.status}) by {email.handled_by or 'the system'}")


def resolve_email(ctx: Context, email_id: int, actor: str, note: str = "") -> EmailView:
    """Answered there and then: the email leaves the inbox, with who and when."""
    if len(note) > MAX_NOTE:
        raise UserError(f"The note must be {MAX_NOTE} characters or fewer")
    with ctx.db.transaction() as session:
        _email(session, users.get_user(session, actor), email_id)
        _take(session, email_id, EmailStatus.RESOLVED, actor, ctx.clock.now(), ignored_reason=note.strip() or None)
        return _view(session, session.get_one(Email, email_id), full=True)


def link_email(ctx: Context, email_id: int, reference: str, actor: str,
               kind: str = ContactKind.OTHER.value) -> EmailView:
    """Log the email as a repeat contact on case ``reference`` (which ``actor`` must be allowed to see),
    its attachments becoming the case's documents."""
    try:
        why = ContactKind(kind)
    except ValueError:
        raise UserError("Select why the customer got in touch") from None
    with ctx.db.transaction(readonly=True) as session:
        _email(session, users.get_user(session, actor), email_id)
    with writer.open_case(ctx, reference=reference.strip().upper(), actor=actor) as w:
        assert w.user is not None
        permissions.require_case_visible(w.session, w.user, w.case)
        _take(w.session, email_id, EmailStatus.LINKED, w.actor, w.now, case_id=w.case.id)
        email_triage.join_case(ctx, w, email_id, _channel(w.session, email_id), why)
        return _view(w.session, w.session.get_one(Email, email_id), full=True)


def _channel(session: Session, email_id: int) -> Channel:
    return Channel(session.get_one(Mailbox, session.get_one(Email, email_id).mailbox_id).channel)


def prefill(email: EmailView) -> dict[str, Any]:
    """The email's details as case data: what the first form of a mapped process finds filled in. A
    matched customer's own details (``writer.new_case``) are not overwritten by the email's."""
    data: dict[str, Any] = {"email_subject": email.subject, "email_text": email.text[:MAX_CASE_TEXT],
                            "description": f"{email.subject}\n\n{email.text}".strip()[:MAX_CASE_TEXT]}
    if email.customer_id is None:
        data["customer_email"] = email.sender
        if email.sender_name:
            data["customer_name"] = email.sender_name
    return data


def start_case_from_email(ctx: Context, email_id: int, process_key: str, actor: str,
                          service: str | None = None) -> EmailView:
    """Start ``process_key`` for the email's sender, with the email's details filled in and its kept
    attachments as case documents (queued for filing in the EDRMS), in one transaction."""
    email = get_email(ctx, email_id, actor)
    if email.status != EmailStatus.OPEN:
        raise Conflict(f"This email was already dealt with ({email.status}) by {email.handled_by or 'the system'}")
    with writer.new_case(ctx, process_key, prefill(email), cases.as_channel(email.channel), email.customer_id,
                         actor, service) as w:
        w.step(ctx.runtime.advance)
        _take(w.session, email_id, EmailStatus.STARTED, w.actor, w.now, case_id=w.case.id)
        files = email_triage.attach_to_case(ctx, w, email_id)
        w.record(EventKind.EMAIL_RECEIVED, email_id=email_id, subject=email.subject[:200], documents=files)
        w.save()
        return _view(w.session, w.session.get_one(Email, email_id), full=True)


def services_to_start(ctx: Context) -> list[tuple[str, str, str]]:
    """(directory key, name, process) of every directory service that starts a mapped process: what
    an advisor may start from an email."""
    return [(e.key, e.name, e.process) for e in directory_entries.list_entries(ctx) if e.process]
