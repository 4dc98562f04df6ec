"""Triage of emails just taken from a mailbox (``engine.email.mail_intake``): each becomes an open contact in
the mailbox team's inbox, is flagged with the known customer whose address it came from (a match to
check, never a merge), or, when it quotes the reference of an existing case, is logged on that case as a
repeat contact (through the case writer, with its attachments as case documents). Automatic messages
(auto-replies, bounces, lists), mail from the mailbox itself and floods from one sender are kept but
ignored: never answered, so no mail loop can start.

Each email leaves ``new`` by a conditional UPDATE in the transaction that does its work, so it is
triaged exactly once however many workers run.
"""
from __future__ import annotations

import logging
import re
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..casework import contacts, documents, writer
from ..context import Context
from ..persistence.tables import Case, Customer, Email, EmailAttachment, EmailReply, Mailbox
from ..types import Channel, ContactKind, EmailStatus, EventKind
from . import email_bounces

logger = logging.getLogger(__name__)
INTAKE_ACTOR = "mail-intake"
RATE_WINDOW = timedelta(hours=1)
RATE_LIMIT = 20  # emails an hour from one sender to one mailbox before the rest are held as a loop
_REFERENCE = re.compile(r"\bCF-?(\d{6,9})\b", re.IGNORECASE)


def references_in(*texts: str) -> list[str]:
    """Case references quoted in ``texts``, in order, each once (``CF-000123``, ``cf000123``)."""
    found = [f"CF-{int(m.group(1)):06d}" for text in texts for m in _REFERENCE.finditer(text or "")]
    return list(dict.fromkeys(found))


def triage_new(ctx: Context, limit: int = 500) -> int:
    with ctx.db.transaction(readonly=True) as session:
        ids = list(session.scalars(select(Email.id).where(Email.status == EmailStatus.NEW)
                                   .order_by(Email.id).limit(limit)))
    return sum(_triage(ctx, email_id) for email_id in ids)


def _claim(session: Session, email_id: int, status: EmailStatus, **values: object) -> bool:
    """Move the email out of ``new``; False when another worker already did."""
    done = session.execute(update(Email).where(Email.id == email_id, Email.status == EmailStatus.NEW)
                           .values(status=status, **values))
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def _ignored_because(session: Session, email: Email, mailbox: Mailbox) -> str | None:
    if email.ignored_reason:
        return email.ignored_reason
    if email.sender == mailbox.address.lower():
        return "sent from this mailbox (a mail loop)"
    recent = session.scalar(select(func.count()).select_from(Email).where(
        Email.mailbox_id == email.mailbox_id, Email.sender == email.sender, Email.id < email.id,
        Email.received_at > email.received_at - RATE_WINDOW))
    if (recent or 0) >= RATE_LIMIT:
        return f"more than {RATE_LIMIT} emails an hour from one sender (a mail loop?)"
    return None


def _triage(ctx: Context, email_id: int) -> int:
    with ctx.db.transaction(readonly=True) as session:
        bounce_of = session.scalar(select(Email.bounce_of).where(Email.id == email_id))
    if bounce_of and email_bounces.reply_bounced(ctx, email_id, bounce_of):
        return 1
    with ctx.db.transaction() as session:
        email = session.get(Email, email_id)
        if email is None or email.status != EmailStatus.NEW:
            return 0
        mailbox = session.get(Mailbox, email.mailbox_id)
        assert mailbox is not None
        channel = Channel(mailbox.channel)
        reason = _ignored_because(session, email, mailbox)
        if reason is not None:
            _claim(session, email_id, EmailStatus.IGNORED, ignored_reason=reason[:200])
            logger.info("email %s ignored: %s", email_id, reason, extra={"email": email_id})
            return 1
        cases = [ref for ref in references_in(email.subject, email.text[:5000])
                 if session.scalar(select(Case.id).where(Case.reference == ref)) is not None]
        if not cases and email.in_reply_to:  # an answer to a reply sent from a case (engine.email.email_replies)
            answered = session.scalar(select(Case.reference).join(EmailReply, EmailReply.case_id == Case.id)
                                      .where(EmailReply.message_id == email.in_reply_to))
            cases = [answered] if answered else []
        customer_id = session.scalar(select(Customer.id).where(Customer.email_key == email.sender)
                                     .order_by(Customer.id).limit(1))
        if not cases:
            _claim(session, email_id, EmailStatus.OPEN, customer_id=customer_id)
            return 1
    return _link(ctx, email_id, cases[0], channel, customer_id)


def _link(ctx: Context, email_id: int, reference: str, channel: Channel, customer_id: int | None) -> int:
    with writer.open_case(ctx, reference=reference, actor=INTAKE_ACTOR, person=False) as w:
        if not _claim(w.session, email_id, EmailStatus.LINKED, case_id=w.case.id, customer_id=customer_id,
                      handled_by=INTAKE_ACTOR, handled_at=w.now):
            return 0
        join_case(ctx, w, email_id, channel)
        return 1


def join_case(ctx: Context, w: writer.CaseWriter, email_id: int, channel: Channel,
              kind: ContactKind = ContactKind.OTHER) -> None:
    """The email becomes a repeat contact on the case ``w`` holds, and its attachments case documents."""
    email = w.session.get(Email, email_id)
    assert email is not None
    contact = contacts.record_contact(w, channel, kind, f"Email: {email.subject}\n\n{email.text}".strip())
    files = attach_to_case(ctx, w, email_id)
    w.record(EventKind.EMAIL_RECEIVED, email_id=email_id, contact_id=contact.id, subject=email.subject[:200],
             documents=files)


def attach_to_case(ctx: Context, w: writer.CaseWriter, email_id: int) -> list[int]:
    """The email's kept attachments become the case's documents, queued for filing in the EDRMS."""
    operation = documents.filing_operation(ctx)
    kept = w.session.scalars(select(EmailAttachment).where(EmailAttachment.email_id == email_id,
                                                           EmailAttachment.refused.is_(None))
                             .order_by(EmailAttachment.id))
    return [documents.keep_document(w.session, w.case, a.filename, a.content_type, a.content or b"", w.actor,
                                    w.now, operation).id for a in kept]
