"""The worker's mail intake: each active mailbox is read from its cursor and every new message is kept
as an email row, exactly once, then triaged (``engine.email.email_triage``).

Exactly once, across restarts and several workers: a worker first leases the mailbox row (a conditional
UPDATE, so only one wins); each batch of messages is written in the same transaction that advances the
cursor (UIDVALIDITY + last UID) and renews the lease, and only while the lease is still this worker's.
A crash before the commit leaves the cursor where it was, so the messages are read again next time;
the unique (mailbox, uidvalidity, uid) on the email row is the last guard. If the server's UIDVALIDITY
changes (the folder was rebuilt), the folder is read from the start and messages already taken are
recognised by their Message-ID. An IMAP mailbox signs in with its app password or, with OAuth2, a token
from its sign-in service (``engine.email.oauth_token``), kept between polls until shortly before it expires.

A Microsoft Graph mailbox (``engine.email.graph_mail``) is leased the same way; its cursor is Graph's delta
link, written with each page's messages, and the unique (mailbox, Graph message id) is the last guard
(Graph lists a message again when it changes, e.g. when someone reads it).
"""
from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..context import Context
from ..persistence.tables import Email, EmailAttachment, Mailbox
from ..types import EmailStatus
from . import email_triage, mail_parse
from .graph_mail import DeltaExpired, GraphAccount, GraphMail, graph_account
from .imap import ImapAccount, ImapReader, MailboxUnreachable, MailReader, MailSession
from .oauth_token import mailbox_tokens

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
COMMIT_EVERY = 25


def poll_mailboxes(ctx: Context, reader: MailReader | None = None, environ: Mapping[str, str] | None = None,
                   holder: str | None = None, sleep: Callable[[float], None] = time.sleep) -> int:
    """Read every active mailbox no other worker is reading; returns how many emails were taken.
    ``sleep`` waits out a Graph mailbox's throttling."""
    with ctx.db.transaction(readonly=True) as session:
        ids = list(session.scalars(select(Mailbox.id).where(Mailbox.active).order_by(Mailbox.id)))
    taken = sum(poll_mailbox(ctx, mailbox_id, reader or ImapReader(), environ if environ is not None else os.environ,
                             holder or uuid.uuid4().hex, sleep) for mailbox_id in ids)
    email_triage.triage_new(ctx)
    return taken


def _lease(ctx: Context, mailbox_id: int, holder: str) -> Mailbox | None:
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        won = session.execute(update(Mailbox).where(
            Mailbox.id == mailbox_id, Mailbox.active,
            or_(Mailbox.leased_until.is_(None), Mailbox.leased_until < now, Mailbox.lease_holder == holder))
            .values(leased_until=now + LEASE, lease_holder=holder)).rowcount  # type: ignore[attr-defined]
        if won != 1:
            return None
        row = session.get(Mailbox, mailbox_id)
        if row is not None:
            session.expunge(row)
        return row


def _finish(ctx: Context, mailbox_id: int, holder: str, error: str | None) -> None:
    with ctx.db.transaction() as session:
        session.execute(update(Mailbox).where(Mailbox.id == mailbox_id, Mailbox.lease_holder == holder)
                        .values(leased_until=None, lease_holder=None, last_polled_at=ctx.clock.now(),
                                last_error=error))


def poll_mailbox(ctx: Context, mailbox_id: int, reader: MailReader, environ: Mapping[str, str], holder: str,
                 sleep: Callable[[float], None] = time.sleep) -> int:
    box = _lease(ctx, mailbox_id, holder)
    if box is None:
        return 0  # another worker is reading it
    password = environ.get(box.secret_env)
    if not password:
        what = "the client secret" if box.kind == "graph" or box.auth == "oauth2" else "the password"
        logger.warning("mailbox %s: environment variable %s is not set", box.name, box.secret_env)
        _finish(ctx, mailbox_id, holder, f"The environment variable {box.secret_env} ({what}) is not set")
        return 0
    if box.kind == "graph":
        return _poll_graph(ctx, box, graph_account(box, password), holder, sleep)
    tokens = mailbox_tokens(box, password, ctx.clock)
    try:
        conn = reader.open(ImapAccount(box.host, box.port, box.username, "" if tokens else password, box.folder,
                                       tokens))
    except MailboxUnreachable as err:
        logger.warning("mailbox %s: %s", box.name, err.message, extra={"mailbox": box.name})
        _finish(ctx, mailbox_id, holder, err.message)
        return 0
    try:
        taken = _read(ctx, box, conn, holder)
    except (OSError, MailboxUnreachable) as err:
        _finish(ctx, mailbox_id, holder, getattr(err, "message", None) or str(err))
        raise
    finally:
        conn.close()
    _finish(ctx, mailbox_id, holder, None)
    if taken:
        logger.info("mailbox %s: %s emails taken", box.name, taken, extra={"mailbox": box.name, "taken": taken})
    return taken


def _read(ctx: Context, box: Mailbox, conn: MailSession, holder: str) -> int:
    rebuilt = box.uidvalidity is not None and box.uidvalidity != conn.uidvalidity
    uids = conn.uids_after(0 if rebuilt or box.uidvalidity is None else box.last_uid)
    taken, batch = 0, []
    for uid, raw in conn.fetch(uids):
        batch.append((uid, raw))
        if len(batch) >= COMMIT_EVERY:
            taken += _store(ctx, box, conn.uidvalidity, batch, holder, rebuilt)
            batch = []
    return taken + (_store(ctx, box, conn.uidvalidity, batch, holder, rebuilt) if batch or rebuilt else 0)


def _store(ctx: Context, box: Mailbox, uidvalidity: int, batch: list[tuple[int, bytes]], holder: str,
           rebuilt: bool) -> int:
    """Keep ``batch`` and advance the cursor past it, in one transaction, if the lease is still ours."""
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        row = _still_leased(session, box, holder)
        if row is None:
            return 0
        seen = _seen_message_ids(session, box.id) if rebuilt else set()
        taken = 0
        for uid, raw in batch:
            if uidvalidity == row.uidvalidity and uid <= row.last_uid:
                continue
            parsed = mail_parse.parse(raw)
            if parsed.message_id is not None and parsed.message_id in seen:
                continue
            _keep(session, box, uidvalidity, uid, parsed, now)
            taken += 1
        row.uidvalidity = uidvalidity
        row.last_uid = max([row.last_uid if not rebuilt else 0, *(uid for uid, _ in batch)])
        row.leased_until = now + LEASE
        return taken


def _still_leased(session: Session, box: Mailbox, holder: str) -> Mailbox | None:
    """The mailbox's row, locked, if ``holder`` still has its lease."""
    row = session.scalar(select(Mailbox).where(Mailbox.id == box.id, Mailbox.lease_holder == holder).with_for_update())
    if row is None:
        logger.warning("mailbox %s: lease lost; another worker goes on", box.name)
    return row


def _known_remote_ids(session: Session, mailbox_id: int, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    return {r for r in session.scalars(select(Email.remote_id).where(Email.mailbox_id == mailbox_id,
                                                                      Email.remote_id.in_(ids))) if r}


def _seen_message_ids(session: Session, mailbox_id: int) -> set[str]:
    return {m for m in session.scalars(select(Email.message_id).where(Email.mailbox_id == mailbox_id)) if m}


def _keep(session: Session, box: Mailbox, uidvalidity: int, uid: int, parsed: mail_parse.ParsedEmail,
          now: datetime, remote_id: str | None = None) -> None:
    email = Email(mailbox_id=box.id, uidvalidity=uidvalidity, uid=uid, remote_id=remote_id, team_id=box.team_id,
                  message_id=parsed.message_id, in_reply_to=parsed.in_reply_to, sender=parsed.sender or "(no sender)", sender_name=parsed.sender_name,
                  subject=parsed.subject, text=parsed.text, html=parsed.html, sent_at=parsed.sent_at,
                  received_at=now, status=EmailStatus.NEW, ignored_reason=parsed.automatic,
                  bounce_of=parsed.bounce_of)
    session.add(email)
    session.flush()
    for a in parsed.attachments:
        session.add(EmailAttachment(email_id=email.id, filename=a.filename, content_type=a.content_type,
                                    size=len(a.content), sha256=a.sha256, content=a.content if a.refused is None
                                    else None, refused=a.refused))



def _poll_graph(ctx: Context, box: Mailbox, account: GraphAccount, holder: str,
                sleep: Callable[[float], None]) -> int:
    graph, taken, error, link = GraphMail(account, sleep, ctx.clock), 0, None, box.delta_link
    try:
        for attempt in range(2):
            try:
                for ids, cursor in graph.pages(link):
                    stored = _store_graph(ctx, box, _fetch_new(ctx, box, graph, ids), cursor, holder)
                    if stored is None:
                        break
                    taken += stored
                break
            except DeltaExpired:
                if attempt:
                    raise
                logger.warning("mailbox %s: Graph's delta link expired; the folder is read again", box.name)
                link = None  # what was taken already is known by its Graph id
    except MailboxUnreachable as err:
        logger.warning("mailbox %s: %s", box.name, err.message, extra={"mailbox": box.name})
        error = err.message
    _finish(ctx, box.id, holder, error)
    if taken:
        logger.info("mailbox %s: %s emails taken", box.name, taken, extra={"mailbox": box.name, "taken": taken})
    return taken


def _fetch_new(ctx: Context, box: Mailbox, graph: GraphMail, ids: list[str]) -> list[tuple[str, bytes]]:
    """The MIME of the messages in ``ids`` not taken yet."""
    if not ids:
        return []
    with ctx.db.transaction(readonly=True) as session:
        known = _known_remote_ids(session, box.id, ids)
    return [(remote_id, graph.mime(remote_id)) for remote_id in dict.fromkeys(ids) if remote_id not in known]


def _store_graph(ctx: Context, box: Mailbox, batch: list[tuple[str, bytes]], cursor: str, holder: str) -> int | None:
    """Keep ``batch`` and store ``cursor``, in one transaction, if the lease is still ours (None if not)."""
    with ctx.db.transaction() as session:
        now = ctx.clock.now()
        row = _still_leased(session, box, holder)
        if row is None:
            return None
        known = _known_remote_ids(session, box.id, [r for r, _ in batch])
        taken = 0
        for remote_id, raw in batch:
            if remote_id in known:
                continue
            row.last_uid += 1
            _keep(session, box, 0, row.last_uid, mail_parse.parse(raw), now, remote_id)
            taken += 1
        row.delta_link = cursor
        row.leased_until = now + LEASE
        return taken
