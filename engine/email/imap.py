"""Reading a mailbox over IMAP with TLS (the standard library's imaplib), by UID.

The folder is opened read-only and messages fetched with ``BODY.PEEK[]``, so councilflow never marks,
moves or deletes anything in the council's mailbox: what it has taken is known by its own cursor
(UIDVALIDITY and the last UID, RFC 3501 2.3.1.1), not by flags a person could change.

It signs in with the mailbox's (app) password, or with OAuth2: an access token from the sign-in service
(client credentials, ``engine.email.oauth_token``) presented with SASL XOAUTH2. A token the server refuses
is dropped and a new one asked for, once, on the same connection (it may have been revoked, or expired
sooner than the sign-in service said).
"""
from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..errors import EngineError

if TYPE_CHECKING:
    from .oauth_token import TokenClient

TIMEOUT_S = 30.0
BATCH = 25
_UID = re.compile(rb"UID (\d+)")


class MailboxUnreachable(EngineError):
    """The server could not be reached, refused the sign-in or the folder (the message says which,
    never the password)."""


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int
    username: str
    password: str
    folder: str
    oauth: "TokenClient | None" = None  # sign in with SASL XOAUTH2 and its tokens rather than the password


class MailReader(Protocol):
    def open(self, account: ImapAccount) -> "MailSession": ...


class MailSession(Protocol):
    uidvalidity: int

    def uids_after(self, last_uid: int) -> list[int]: ...

    def fetch(self, uids: list[int]) -> Iterator[tuple[int, bytes]]: ...

    def close(self) -> None: ...


class ImapSession:
    def __init__(self, account: ImapAccount, context: ssl.SSLContext) -> None:
        try:
            self.conn = imaplib.IMAP4_SSL(account.host, account.port, ssl_context=context, timeout=TIMEOUT_S)
        except (OSError, imaplib.IMAP4.error) as err:
            raise MailboxUnreachable(f"Cannot reach {account.host}:{account.port}: {err}") from None
        try:
            if account.oauth is None:
                self.conn.login(account.username, account.password)
            else:
                self._xoauth2(account.username, account.oauth)
            status, _ = self.conn.select(_quoted(account.folder), readonly=True)
            if status != "OK":
                raise MailboxUnreachable(f"There is no folder '{account.folder}' in the mailbox")
            _, data = self.conn.response("UIDVALIDITY")
            self.uidvalidity = int(data[0]) if data and data[0] is not None else 0
        except imaplib.IMAP4.error as err:
            self.close()
            said = str(err).replace(account.password, "***") if account.password else str(err)
            raise MailboxUnreachable(f"{account.host} refused the {'OAuth2 ' if account.oauth else ''}sign-in "
                                     f"or the folder: {said}") from None
        except MailboxUnreachable:
            self.close()
            raise

    def _xoauth2(self, username: str, tokens: "TokenClient") -> None:
        """SASL XOAUTH2; a refused token is dropped and a new one tried once."""
        for attempt in range(2):
            # The first challenge is empty; after a refusal the server sends its reason as a second
            # challenge, and the empty answer ends the exchange.
            answers = iter([xoauth2(username, tokens.token())])
            try:
                self.conn.authenticate("XOAUTH2", lambda challenge: next(answers, b""))
                return
            except imaplib.IMAP4.error:
                tokens.forget()
                if attempt:
                    raise

    def uids_after(self, last_uid: int) -> list[int]:
        # "n:*" always includes the highest UID even when it is below n (RFC 3501 6.4.8): filtered here.
        _, data = self.conn.uid("SEARCH", f"UID {last_uid + 1}:*")
        return sorted(uid for uid in (int(x) for x in (data[0] or b"").split()) if uid > last_uid)

    def fetch(self, uids: list[int]) -> Iterator[tuple[int, bytes]]:
        for start in range(0, len(uids), BATCH):
            _, data = self.conn.uid("FETCH", ",".join(map(str, uids[start:start + BATCH])), "(UID BODY.PEEK[])")
            for item in data:
                if isinstance(item, tuple) and (found := _UID.search(item[0])):
                    yield int(found.group(1)), item[1]

    def close(self) -> None:
        try:
            self.conn.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


def xoauth2(username: str, token: str) -> bytes:
    """The initial response of SASL XOAUTH2 (before base64, which imaplib and smtplib add)."""
    return f"user={username}\x01auth=Bearer {token}\x01\x01".encode()


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ImapReader:
    """Certificates are checked against the system's trusted authorities (``SSL_CERT_FILE`` names
    another bundle, e.g. a council's own CA)."""

    def open(self, account: ImapAccount) -> MailSession:
        return ImapSession(account, ssl.create_default_context())
