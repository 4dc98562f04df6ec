"""Mailboxes admins configure: a shared mailbox read over IMAP with TLS (signing in with an app password,
or with OAuth2: an app's client credentials at a token URL, for a scope), or an Exchange Online mailbox
read through Microsoft Graph as an app (tenant id, client id and secret), the channel it stands for
(email, or councillor for the members' mailbox) and the team whose triage inbox its emails go to.

The password (an app password) or the app's client secret is never stored: ``secret_env`` names the
environment variable that holds it on the worker, read only when the mailbox is polled.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select

from ..context import Context
from ..people import routing

from ..casework.views import iso
from ..errors import FormInvalid, NotFound, UserError
from ..persistence.tables import Email, Mailbox, Team
from ..types import MAILBOX_CHANNELS, Channel
from .graph_mail import DEFAULT_AUTHORITY, DEFAULT_GRAPH

IMAPS_PORT = 993
SMTPS_PORT = 465
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_ENV = re.compile(r"^[A-Z_][A-Z0-9_]{0,99}$")
_HOST = re.compile(r"^[A-Za-z0-9.-]{1,255}$|^\[?[0-9a-fA-F:.]+\]?$")
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TENANT = re.compile(r"^[A-Za-z0-9.-]{1,100}$")  # a GUID or a domain like council.onmicrosoft.com
KINDS = ("imap", "graph")
AUTHS = ("password", "oauth2")  # how an IMAP mailbox signs in


class MailboxNotFound(NotFound):
    pass


@dataclass(frozen=True)
class MailboxView:
    name: str
    address: str
    channel: str
    team: str
    host: str
    port: int
    username: str
    secret_env: str
    folder: str
    active: bool
    last_uid: int
    last_polled_at: str | None
    last_error: str | None
    emails: int
    smtp_host: str | None
    smtp_port: int | None
    notify_adapter: str | None = None
    kind: str = "imap"
    tenant_id: str | None = None
    client_id: str | None = None
    authority_url: str | None = None
    graph_url: str | None = None
    auth: str = "password"
    token_url: str | None = None
    scope: str | None = None

    @classmethod
    def of(cls, row: Mailbox, team: str, emails: int) -> "MailboxView":
        return cls(row.name, row.address, row.channel, team, row.host, row.port, row.username, row.secret_env,
                   row.folder, row.active, row.last_uid, iso(row.last_polled_at), row.last_error, emails,
                   row.smtp_host, row.smtp_port, row.notify_adapter, row.kind, row.tenant_id, row.client_id,
                   row.authority_url, row.graph_url, row.auth, row.token_url, row.scope)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class MailboxDetails:
    """What an admin types in; ``checked()`` says what is wrong with each field."""

    name: str
    address: str
    team: str
    host: str
    username: str
    secret_env: str
    channel: str = Channel.EMAIL.value
    port: int | str = IMAPS_PORT
    folder: str = "INBOX"
    smtp_host: str = ""  # "": replies cannot be sent from this mailbox
    smtp_port: int | str = SMTPS_PORT
    notify_adapter: str = ""  # "": replies go through SMTP; else the configured Notify adapter's name
    kind: str = "imap"  # or "graph": Microsoft Graph; ``username`` is then the mailbox user, ``secret_env``
    tenant_id: str = ""  # holds the app's client secret, and replies go through Graph too
    client_id: str = ""
    authority_url: str = ""  # "": Microsoft's sign-in service (login.microsoftonline.com)
    graph_url: str = ""  # "": https://graph.microsoft.com/v1.0
    auth: str = "password"  # IMAP: or "oauth2", the client secret of ``client_id`` in ``secret_env``; tokens
    token_url: str = ""  # from ``token_url`` for ``scope``, presented with SASL XOAUTH2
    scope: str = ""

    def checked(self) -> "MailboxDetails":
        if self.kind == "graph":
            return self._checked_graph()
        if self.kind != "imap":
            raise FormInvalid({"kind": "Select IMAP or Microsoft Graph"})
        errors = {**self._common_errors(), **self._oauth2_errors()}
        name, env = self.name.strip().lower(), self.secret_env.strip()
        oauth2 = self.auth == "oauth2"
        if not _HOST.match(self.host.strip()):
            errors["host"] = "Enter the IMAP server's name, like outlook.office365.com"
        port = _port(self.port, IMAPS_PORT) or 0
        if not port:
            errors["port"] = "Enter the IMAP port as a number (993 for IMAP over TLS)"
        if not self.username.strip():
            errors["username"] = "Enter the user name the mailbox signs in with"
        if not _ENV.match(env) and oauth2:
            errors["secret_env"] = ("Enter the name of the environment variable that holds the client secret, "
                                    "in capitals, like COUNCILFLOW_MAIL_HUB_SECRET (never the secret)")
        elif not _ENV.match(env):
            errors["secret_env"] = ("Enter the name of the environment variable that holds the password, "
                                    "in capitals, like COUNCILFLOW_MAIL_HUB_PASSWORD (never the password)")
        if not self.folder.strip():
            errors["folder"] = "Enter the folder to read, usually INBOX"
        smtp_port = _port(self.smtp_port, SMTPS_PORT)
        if self.smtp_host.strip() and not _HOST.match(self.smtp_host.strip()):
            errors["smtp_host"] = "Enter the outgoing (SMTP) server's name, like smtp.office365.com, or leave it empty"
        if smtp_port is None:
            errors["smtp_port"] = "Enter the SMTP port as a number (465 for SMTP over TLS)"
        notify = self.notify_adapter.strip()
        if notify and not _NAME.match(notify):
            errors["notify_adapter"] = "Enter the name of the GOV.UK Notify adapter, like 'notify', or leave it empty"
        if errors:
            raise FormInvalid(errors)
        return MailboxDetails(name, self.address.strip(), self.team.strip(), self.host.strip(),
                              self.username.strip(), env, self.channel, port, self.folder.strip(),
                              self.smtp_host.strip(), smtp_port or SMTPS_PORT, notify,
                              client_id=self.client_id.strip() if oauth2 else "", auth=self.auth,
                              token_url=self.token_url.strip() if oauth2 else "",
                              scope=self.scope.strip() if oauth2 else "")

    def _oauth2_errors(self) -> dict[str, str]:
        if self.auth not in AUTHS:
            return {"auth": "Select whether the mailbox signs in with a password or with OAuth2"}
        if self.auth != "oauth2":
            return {}
        errors: dict[str, str] = {}
        if not self.token_url.strip():
            errors["token_url"] = ("Enter the sign-in service's token URL, like "
                                   "https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token")
        elif (refused := _not_https(self.token_url.strip())) is not None:
            errors["token_url"] = refused
        if not self.client_id.strip() or len(self.client_id.strip()) > 100:
            errors["client_id"] = "Enter the app's client (application) id"
        if not self.scope.strip() or len(self.scope.strip()) > 255:
            errors["scope"] = "Enter the scope tokens are asked for, like https://outlook.office365.com/.default"
        return errors

    def _checked_graph(self) -> "MailboxDetails":
        errors = self._common_errors()
        if not _TENANT.match(self.tenant_id.strip()):
            errors["tenant_id"] = "Enter the Microsoft Entra tenant id (a GUID) or domain, like council.onmicrosoft.com"
        if not _GUID.match(self.client_id.strip()):
            errors["client_id"] = ("Enter the app's client (application) id, a GUID like "
                                   "00000000-0000-0000-0000-000000000000")
        if not self.username.strip():
            errors["username"] = "Enter the mailbox's user (its address or user id), like hub@council.gov.uk"
        if not _ENV.match(self.secret_env.strip()):
            errors["secret_env"] = ("Enter the name of the environment variable that holds the client secret, "
                                    "in capitals, like COUNCILFLOW_MAIL_HUB_SECRET (never the secret)")
        if not self.folder.strip():
            errors["folder"] = "Enter the folder to read, usually inbox"
        authority, graph = (self.authority_url.strip() or DEFAULT_AUTHORITY).rstrip("/"), \
            (self.graph_url.strip() or DEFAULT_GRAPH).rstrip("/")
        for field, url in (("authority_url", authority), ("graph_url", graph)):
            if _not_https(url) is not None:
                errors[field] = "Enter an https:// address, or leave it empty for Microsoft's own"
        if errors:
            raise FormInvalid(errors)
        return MailboxDetails(self.name.strip().lower(), self.address.strip(), self.team.strip(),
                              urlsplit(graph).hostname or "", self.username.strip(), self.secret_env.strip(),
                              self.channel, 443, self.folder.strip(), "", SMTPS_PORT, "", "graph",
                              self.tenant_id.strip(), self.client_id.strip(), authority, graph)

    def _common_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not _NAME.match(self.name.strip().lower()):
            errors["name"] = "Enter a short name of lower-case letters, digits and hyphens, like 'hub'"
        if not _ADDRESS.match(self.address.strip()):
            errors["address"] = "Enter the mailbox's email address, like hub@council.gov.uk"
        if self.channel not in {c.value for c in MAILBOX_CHANNELS}:
            errors["channel"] = "Select whether the mailbox is for residents (email) or councillors"
        if not self.team.strip():
            errors["team"] = "Enter the team whose inbox its emails go to"
        return errors


def _not_https(url: str) -> str | None:
    """What is wrong with ``url`` as a sign-in or API address (plain http only on this machine), or None."""
    parts = urlsplit(url)
    if len(url) > 255 or not parts.hostname:
        return "Enter a whole https:// address"
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")):
        return "Enter an https:// address"
    return None


def _port(value: int | str, default: int) -> int | None:
    """The port as a number (``default`` when left empty), or None when it is not one."""
    if isinstance(value, str) and not value.strip():
        return default
    try:
        port = int(value)
    except ValueError:
        return None
    return port if 0 < port < 65536 else None


def add_mailbox(ctx: Context, details: MailboxDetails) -> MailboxView:
    """Configure a new mailbox; its emails are read from the next poll on, starting with those already
    in the folder."""
    d = details.checked()
    with ctx.db.transaction() as session:
        if session.scalar(select(Mailbox.id).where(Mailbox.name == d.name)) is not None:
            raise UserError(f"There is already a mailbox called '{d.name}'")
        team = routing.get_team(session, d.team)
        row = Mailbox(name=d.name, address=d.address, channel=d.channel, team_id=team.id, host=d.host,
                      port=int(d.port), username=d.username, secret_env=d.secret_env, folder=d.folder,
                      active=True, last_uid=0, created_at=ctx.clock.now(), smtp_host=d.smtp_host or None,
                      smtp_port=int(d.smtp_port) if d.smtp_host else None, notify_adapter=d.notify_adapter or None,
                      kind=d.kind, tenant_id=d.tenant_id or None, client_id=d.client_id or None,
                      authority_url=d.authority_url or None, graph_url=d.graph_url or None, auth=d.auth,
                      token_url=d.token_url or None, scope=d.scope or None)
        session.add(row)
        session.flush()
        return MailboxView.of(row, team.name, 0)


def list_mailboxes(ctx: Context) -> list[MailboxView]:
    with ctx.db.transaction(readonly=True) as session:
        counts: dict[int, int] = {box: n for box, n in session.execute(
            select(Email.mailbox_id, func.count()).group_by(Email.mailbox_id))}
        rows = session.execute(select(Mailbox, Team.name).join(Team, Team.id == Mailbox.team_id)
                               .order_by(Mailbox.name))
        return [MailboxView.of(row, team, counts.get(row.id, 0)) for row, team in rows]


def remove_mailbox(ctx: Context, name: str) -> str:
    """Stop reading the mailbox: deleted if nothing was taken from it yet, otherwise turned off so its
    emails keep their source. Returns "removed" or "turned off"."""
    with ctx.db.transaction() as session:
        row = session.scalar(select(Mailbox).where(Mailbox.name == name.strip().lower()).with_for_update())
        if row is None:
            raise MailboxNotFound(f"There is no mailbox called '{name}'")
        if session.scalar(select(Email.id).where(Email.mailbox_id == row.id).limit(1)) is None:
            session.delete(row)
            return "removed"
        row.active = False
        return "turned off"
