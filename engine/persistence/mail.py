"""Tables of the email channel: the mailboxes admins configure, each email taken from one (exactly once,
by its IMAP UIDVALIDITY and UID) and the attachments it came with (engine.email.mailboxes, engine.email.mail_intake)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Mailbox(Base):
    """A shared mailbox read over IMAP (TLS). The password is never stored: ``secret_env`` names the
    environment variable of the worker that holds it. ``uidvalidity`` and ``last_uid`` are the cursor;
    ``leased_until``/``lease_holder`` let one worker at a time read it."""

    __tablename__ = "mailbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    address: Mapped[str] = mapped_column(String(320))
    channel: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int]
    username: Mapped[str] = mapped_column(String(320))
    secret_env: Mapped[str] = mapped_column(String(100))
    folder: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    uidvalidity: Mapped[int | None]
    last_uid: Mapped[int] = mapped_column(default=0)
    leased_until: Mapped[datetime | None]
    lease_holder: Mapped[str | None] = mapped_column(String(64))
    last_polled_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    # Replies go out through the council's mail server (SMTP over TLS, same user and password); None:
    # this mailbox cannot send replies.
    smtp_host: Mapped[str | None] = mapped_column(String(255))
    smtp_port: Mapped[int | None]
    # Replies go through this configured GOV.UK Notify adapter instead of SMTP (None: SMTP).
    notify_adapter: Mapped[str | None] = mapped_column(String(100))
    # "imap", or "graph": Microsoft Graph (Exchange Online) with an app's client credentials. For Graph,
    # ``username`` is the mailbox user, ``folder`` the mail folder, ``secret_env`` holds the client secret,
    # and ``delta_link`` (Graph's delta or next link) is the cursor instead of UIDVALIDITY/last UID.
    kind: Mapped[str] = mapped_column(String(10), default="imap", server_default="imap")
    tenant_id: Mapped[str | None] = mapped_column(String(100))
    client_id: Mapped[str | None] = mapped_column(String(100))
    authority_url: Mapped[str | None] = mapped_column(String(255))
    graph_url: Mapped[str | None] = mapped_column(String(255))
    delta_link: Mapped[str | None] = mapped_column(Text)
    # How an IMAP mailbox signs in: "password" (an app password in ``secret_env``) or "oauth2": an access
    # token from ``token_url`` for ``client_id`` and ``scope`` (client credentials, the client secret in
    # ``secret_env``), presented with SASL XOAUTH2 (to the SMTP server too, for replies).
    auth: Mapped[str] = mapped_column(String(10), default="password", server_default="password")
    token_url: Mapped[str | None] = mapped_column(String(255))
    scope: Mapped[str | None] = mapped_column(String(255))


class Email(Base):
    """One email taken from a mailbox; the unique (mailbox, uidvalidity, uid) is what makes intake
    exactly once even if two workers ever read the same message."""

    __tablename__ = "email_message"
    __table_args__ = (UniqueConstraint("mailbox_id", "uidvalidity", "uid", name="uq_email_message_uid"),
                      UniqueConstraint("mailbox_id", "remote_id", name="uq_email_message_remote"),
                      Index("ix_email_message_triage", "team_id", "status", "received_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailbox.id"))
    uidvalidity: Mapped[int]
    uid: Mapped[int]
    remote_id: Mapped[str | None] = mapped_column(String(255))  # Graph's message id (None for IMAP)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(998))  # the Message-ID it answers (a reply we sent?)
    sender: Mapped[str] = mapped_column(String(320), index=True)
    sender_name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(998))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)  # sanitised (engine.email.mail_parse), never the sender's own
    sent_at: Mapped[datetime | None]
    received_at: Mapped[datetime]
    # engine.types.EmailStatus: new (taken, not yet triaged), open, ignored (auto-reply or loop), resolved,
    # linked (to an existing case), started (a case was started from it).
    status: Mapped[str] = mapped_column(String(20))
    ignored_reason: Mapped[str | None] = mapped_column(String(200))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))  # a match to check, never merged
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    handled_by: Mapped[str | None] = mapped_column(String(320))
    handled_at: Mapped[datetime | None]
    bounce_of: Mapped[str | None] = mapped_column(String(998))  # a bounce: the Message-ID it says failed


class EmailAttachment(Base):
    """A file that came with an email; ``refused`` says why one was not kept (too large, unsafe type)."""

    __tablename__ = "email_attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    email_id: Mapped[int] = mapped_column(ForeignKey("email_message.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    refused: Mapped[str | None] = mapped_column(String(200))


class EmailReply(Base):
    """A reply written on a case to an email, sent by the worker through the mailbox's SMTP server,
    threaded to the email (In-Reply-To/References its Message-ID). ``message_id`` is made when it is
    written, so a retried send carries the same one."""

    __tablename__ = "email_reply"
    __table_args__ = (Index("ix_email_reply_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    email_id: Mapped[int] = mapped_column(ForeignKey("email_message.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(998))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    leased_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    written_by: Mapped[str] = mapped_column(String(320))
    written_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    via: Mapped[str] = mapped_column(String(10), default="smtp", server_default="smtp")  # smtp, notify
    template: Mapped[str | None] = mapped_column(String(100))  # the reply template it was written from
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    bounced_at: Mapped[datetime | None]  # a bounce for it came back (an incident on the case)
