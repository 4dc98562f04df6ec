"""Replies from the case: an advisor or officer writes a reply to an email that joined the case (from a
template of the service, in English or Welsh: ``engine.email.reply_templates``); the worker sends it through
the mailbox's own mail server (SMTP over TLS, the mailbox's user and password, or with OAuth2 the
mailbox's token over SASL XOAUTH2, as it reads; a Microsoft Graph
mailbox sends through Graph as itself), threaded to the email
(``In-Reply-To`` and ``References`` its Message-ID), or through the mailbox's GOV.UK Notify adapter, with
the case reference in the subject, so the resident's answer comes back to the same case. Written and sent
are both on the case's timeline. Nothing is sent inside the request that writes the reply. A bounce that
comes back for a reply (``engine.email.email_bounces``) is an incident on the case.

A reply is leased (a conditional UPDATE) before it is sent, so two workers never send it twice at once;
its Message-ID is fixed when it is written, so a send retried after a crash carries the same one.
"""
from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import or_, select, update

from ..casework import writer
from ..casework.views import iso
from ..context import Context
from ..errors import UserError
from ..outbox.calls import error_message
from ..people import permissions
from ..people.users import find_user
from ..persistence.tables import Case, Email, EmailReply, Mailbox, PublishedService
from ..types import EventKind
from . import reply_templates
from .graph_mail import GraphMail, graph_account
from .imap import MailboxUnreachable, xoauth2
from .oauth_token import TokenClient, mailbox_tokens

logger = logging.getLogger(__name__)
SENDER_ACTOR = "mail-sender"
MAX_TEXT = 10_000
MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=2)
TIMEOUT_S = 30.0


class ReplyRefused(UserError):
    pass


@dataclass(frozen=True)
class ReplyView:
    id: int
    email_id: int
    to: str
    subject: str
    text: str
    status: str
    written_by: str
    written_at: str | None
    sent_at: str | None
    last_error: str | None
    via: str = "smtp"
    language: str = reply_templates.ENGLISH
    template: str | None = None

    @classmethod
    def of(cls, r: EmailReply) -> "ReplyView":
        return cls(r.id, r.email_id, r.to_address, r.subject, r.text, r.status, r.written_by, iso(r.written_at),
                   iso(r.sent_at), r.last_error, r.via, r.language, r.template)


@dataclass(frozen=True)
class ReplyForm:
    """What the case page's reply form offers: the case's emails to answer (newest first), the
    service's templates in the chosen language, the languages, and the text a chosen template gives."""

    emails: list[tuple[int, str, str]]  # (id, sender, subject)
    templates: list[reply_templates.ReplyTemplate]
    languages: tuple[str, ...]
    language: str
    template: str | None
    text: str


def reply_subject(subject: str, reference: str) -> str:
    base = subject if subject.lower().startswith("re:") else f"Re: {subject}".strip()
    return base if reference in base else f"{base} [{reference}]"


def _replyable(mailbox: Mailbox) -> bool:
    return bool(mailbox.smtp_host or mailbox.notify_adapter or mailbox.kind == "graph")


def _via(mailbox: Mailbox) -> str:
    return "notify" if mailbox.notify_adapter else "graph" if mailbox.kind == "graph" else "smtp"


def reply_form(ctx: Context, reference: str, actor: str, template: str | None = None,
               language: str | None = None) -> ReplyForm | None:
    """The reply form of case ``reference`` for ``actor`` (who must be allowed to see it), or None when no
    email on the case can be answered."""
    with ctx.db.transaction(readonly=True) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        user = find_user(session, actor)
        if case is None or user is None:
            return None
        permissions.require_case_visible(session, user, case)
        rows = session.execute(select(Email, Mailbox).join(Mailbox, Mailbox.id == Email.mailbox_id)
                               .where(Email.case_id == case.id).order_by(Email.id.desc())).all()
        emails = [(e.id, e.sender_name or e.sender, e.subject or "(no subject)") for e, box in rows
                  if _replyable(box)]
        if not emails:
            return None
        languages = reply_templates.languages(session, case.process_key)
        chosen = language if language in languages else reply_templates.ENGLISH
        published = session.get(PublishedService, case.process_key)
        service = published.title if published is not None else (case.version.name or case.process_key)
        if published is not None and chosen != reply_templates.ENGLISH:
            service = (published.translations or {}).get(chosen, {}).get("title") or service
        name = next((e.sender_name for e, _ in rows if e.sender_name), "") or emails[0][1]
    templates = reply_templates.templates_for(ctx, case.process_key, chosen)
    picked = next((t for t in templates if t.key == template), None)
    text = reply_templates.fill(picked.text, {"name": name, "reference": reference, "service": service}) \
        if picked else ""
    return ReplyForm(emails, templates, languages, chosen, picked.key if picked else None, text)


def write_reply(ctx: Context, reference: str, email_id: int, text: str, actor: str, template: str | None = None,
                language: str = reply_templates.ENGLISH) -> ReplyView:
    """Queue a reply to email ``email_id`` on case ``reference``, which ``actor`` must be allowed to see
    (``template`` and ``language``: what it was written from, kept with it)."""
    body = (text or "").strip()
    if not body:
        raise ReplyRefused("Enter your reply")
    if len(body) > MAX_TEXT:
        raise ReplyRefused(f"The reply must be {MAX_TEXT} characters or fewer (it is {len(body)})")
    with writer.open_case(ctx, reference=reference, actor=actor) as w:
        if w.user is not None:
            permissions.require_case_visible(w.session, w.user, w.case)
        email = w.session.get(Email, email_id)
        if email is None or email.case_id != w.case.id:
            raise ReplyRefused(f"That email is not on case {reference}")
        mailbox = w.session.get_one(Mailbox, email.mailbox_id)
        if not _replyable(mailbox):
            raise ReplyRefused(f"Replies cannot be sent from the {mailbox.name} mailbox: no outgoing mail server "
                               "is set up for it")
        if language not in reply_templates.languages(w.session, w.case.process_key):
            raise ReplyRefused("Choose English or a language the service's public pages are in")
        row = EmailReply(email_id=email.id, case_id=w.case.id, to_address=email.sender,
                         message_id=make_msgid(domain=mailbox.address.split("@")[1]),
                         subject=reply_subject(email.subject, w.case.reference or reference), text=body,
                         status="pending", attempts=0, next_attempt_at=w.now, written_by=w.actor, written_at=w.now,
                         via=_via(mailbox), template=(template or None),
                         language=language)
        w.session.add(row)
        w.session.flush()
        w.record(EventKind.EMAIL_REPLY_WRITTEN, reply_id=row.id, email_id=email.id, to=row.to_address,
                 subject=row.subject, text=body, via=row.via, language=language)
        return ReplyView.of(row)


def replies_on(ctx: Context, case_id: int) -> list[ReplyView]:
    with ctx.db.transaction(readonly=True) as session:
        rows = session.scalars(select(EmailReply).where(EmailReply.case_id == case_id).order_by(EmailReply.id))
        return [ReplyView.of(r) for r in rows]


Send = Callable[[Mailbox, str, EmailMessage], None]


def smtp_send(mailbox: Mailbox, password: str, message: EmailMessage) -> None:
    """SMTP over TLS (implicit, port 465), the server's certificate checked as for IMAP. ``password`` is
    the client secret of a mailbox that signs in with OAuth2."""
    assert mailbox.smtp_host is not None
    tokens = mailbox_tokens(mailbox, password)
    with smtplib.SMTP_SSL(mailbox.smtp_host, mailbox.smtp_port or 465, context=ssl.create_default_context(),
                          timeout=TIMEOUT_S) as smtp:
        if tokens is None:
            smtp.login(mailbox.username, password)
        else:
            _smtp_xoauth2(smtp, mailbox.username, tokens)
        smtp.send_message(message)


def _smtp_xoauth2(smtp: smtplib.SMTP, username: str, tokens: TokenClient) -> None:
    """SASL XOAUTH2 with the token as the initial response; a refused token is dropped and a new one
    tried once. After a refusal the server sends its reason as a challenge; the empty answer ends it."""
    smtp.ehlo_or_helo_if_needed()
    for attempt in range(2):
        answers = iter([xoauth2(username, tokens.token()).decode()])
        try:
            smtp.auth("XOAUTH2", lambda challenge=None: next(answers, ""), initial_response_ok=True)
            return
        except smtplib.SMTPAuthenticationError:
            tokens.forget()
            if attempt:
                raise


def _message(mailbox: Mailbox, email: Email, reply: EmailReply) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = mailbox.address
    msg["To"], msg["Subject"], msg["Message-ID"] = reply.to_address, reply.subject, reply.message_id
    if email.message_id:
        msg["In-Reply-To"] = email.message_id
        msg["References"] = email.message_id
    msg.set_content(reply.text)
    return msg


def send_due(ctx: Context, send: Send | None = None, environ: Mapping[str, str] | None = None, limit: int = 100) -> int:
    """Send the replies that are due; returns how many were sent."""
    now = ctx.clock.now()
    with ctx.db.transaction(readonly=True) as session:
        ids = list(session.scalars(select(EmailReply.id).where(EmailReply.status == "pending",
                                                               EmailReply.next_attempt_at <= now)
                                   .order_by(EmailReply.id).limit(limit)))
    return sum(_send_one(ctx, reply_id, send or smtp_send, environ if environ is not None else os.environ)
               for reply_id in ids)


def _lease(ctx: Context, reply_id: int) -> tuple[Mailbox, Email, EmailReply] | None:
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        won = session.execute(update(EmailReply).where(
            EmailReply.id == reply_id, EmailReply.status == "pending",
            or_(EmailReply.leased_until.is_(None), EmailReply.leased_until < now))
            .values(leased_until=now + LEASE, attempts=EmailReply.attempts + 1)).rowcount  # type: ignore[attr-defined]
        if won != 1:
            return None
        reply = session.get_one(EmailReply, reply_id)
        email = session.get_one(Email, reply.email_id)
        mailbox = session.get_one(Mailbox, email.mailbox_id)
        for row in (reply, email, mailbox):
            session.expunge(row)
        return mailbox, email, reply


def _send_one(ctx: Context, reply_id: int, send: Send, environ: Mapping[str, str]) -> int:
    leased = _lease(ctx, reply_id)
    if leased is None:
        return 0
    mailbox, email, reply = leased
    if mailbox.notify_adapter:
        try:
            _notify(ctx, mailbox, reply)
        except Exception as err:  # an AdapterError, or anything the adapter let slip
            _failed(ctx, reply, error_message(err)[:500])
            return 0
        return _sent(ctx, reply)
    password = environ.get(mailbox.secret_env)
    if mailbox.kind == "graph" and not mailbox.notify_adapter:
        return _send_graph(ctx, mailbox, email, reply, password)
    try:
        if not password:
            raise smtplib.SMTPException(f"the environment variable {mailbox.secret_env} (the password) is not set")
        send(mailbox, password, _message(mailbox, email, reply))
    except (smtplib.SMTPException, OSError, MailboxUnreachable) as err:
        said = err.message if isinstance(err, MailboxUnreachable) else str(err)
        message = said.replace(password, "***") if password else said
        _failed(ctx, reply, message[:500])
        return 0
    return _sent(ctx, reply)


def _send_graph(ctx: Context, mailbox: Mailbox, email: Email, reply: EmailReply, secret: str | None) -> int:
    """Through Microsoft Graph, as MIME from the mailbox itself, threaded like an SMTP reply."""
    try:
        if not secret:
            raise MailboxUnreachable(f"the environment variable {mailbox.secret_env} (the client secret) is not set")
        GraphMail(graph_account(mailbox, secret)).send(_message(mailbox, email, reply))
    except MailboxUnreachable as err:
        _failed(ctx, reply, err.message[:500])
        return 0
    return _sent(ctx, reply)


NOTIFY_TEMPLATE = "email_reply"  # the Notify adapter's template for replies: ((subject)) and ((body))


def _notify(ctx: Context, mailbox: Mailbox, reply: EmailReply) -> None:
    """Through GOV.UK Notify (its ``email_reply`` template, ``email_reply_cy`` in Welsh); the reply's
    Message-ID is the idempotency key, so a retried send is looked up, not sent twice. Notify makes its
    own Message-ID: the answer finds the case by the reference in the subject."""
    if ctx.adapters is None:
        raise UserError("no adapters are configured, so GOV.UK Notify cannot be reached")
    ctx.adapters.call(f"{mailbox.notify_adapter}/send_email", {
        "template": NOTIFY_TEMPLATE, "language": reply.language, "email_address": reply.to_address,
        "personalisation": {"subject": reply.subject, "body": reply.text}}, reply.message_id)


def _sent(ctx: Context, reply: EmailReply) -> int:
    reply_id = reply.id
    with writer.open_case(ctx, case_id=reply.case_id, actor=SENDER_ACTOR, person=False) as w:
        w.session.execute(update(EmailReply).where(EmailReply.id == reply_id)
                          .values(status="sent", sent_at=w.now, leased_until=None, last_error=None))
        w.record(EventKind.EMAIL_REPLY_SENT, reply_id=reply_id, message_id=reply.message_id)
    logger.info("reply %s sent", reply_id, extra={"reply": reply_id})
    return 1


def _failed(ctx: Context, reply: EmailReply, message: str) -> None:
    """Try again later with backoff; after MAX_ATTEMPTS the reply fails, on the case's timeline."""
    final = reply.attempts >= MAX_ATTEMPTS
    with writer.open_case(ctx, case_id=reply.case_id, actor=SENDER_ACTOR, person=False) as w:
        w.session.execute(update(EmailReply).where(EmailReply.id == reply.id).values(
            status="failed" if final else "pending", last_error=message, leased_until=None,
            next_attempt_at=w.now + timedelta(minutes=2 ** reply.attempts)))
        if final:
            w.record(EventKind.EMAIL_REPLY_FAILED, reply_id=reply.id, reason=message)
    # The server's words may name the recipient: they go on the case, not in the log.
    logger.warning("reply %s not sent (attempt %s)", reply.id, reply.attempts, extra={"reply": reply.id})
