"""Reading and sending the mail of an Exchange Online mailbox through Microsoft Graph, as an app signed
in with its client credentials (OAuth2 client-credentials grant, the app's secret from the worker's
environment; ``engine.email.oauth_token`` signs in and keeps the token).

Reading uses Graph's delta query on the mailbox's folder: each page lists message ids and ends with a
link to the next page (``@odata.nextLink``) or, on the last page, the link that will list only what
changes from now on (``@odata.deltaLink``). The intake keeps that link as the mailbox's cursor, written
with the messages of its page, so a restart goes on where the last committed page ended. Each message's
MIME (``/messages/{id}/$value``) goes through the same parser as an IMAP message. Nothing is marked, moved
or deleted in the mailbox. Ids are asked for as immutable ids, so a message moved between folders keeps
its id.

Replies are sent as MIME (``/users/{id}/sendMail``), so they keep our Message-ID, In-Reply-To and
References, as the SMTP path does.

Throttling (429, 503) is waited out as the server's ``Retry-After`` says, up to ``MAX_WAIT_S`` a time and
``TRIES`` times; longer than that, the poll stops with the mailbox's error and the next poll goes on.
"""
from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

import requests

from ..clock import Clock
from ..persistence.tables import Mailbox
from .imap import MailboxUnreachable
from .oauth_token import ClientCredentials, TokenClient, sign_in_error

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
DEFAULT_GRAPH = "https://graph.microsoft.com/v1.0"
SCOPE = "https://graph.microsoft.com/.default"
TIMEOUT_S = (5.0, 30.0)
PAGE = 25  # messages a delta page is asked to hold (Graph's odata.maxpagesize)
TRIES = 4
MAX_WAIT_S = 60.0


class DeltaExpired(MailboxUnreachable):
    """Graph no longer knows the stored delta link (410 Gone): the folder is listed again from the start."""


@dataclass(frozen=True)
class GraphAccount:
    authority_url: str
    graph_url: str
    tenant_id: str
    client_id: str
    secret: str
    user: str
    folder: str


def graph_account(box: Mailbox, secret: str) -> GraphAccount:
    """The Graph account of a ``graph`` mailbox, signing in with ``secret``."""
    return GraphAccount(box.authority_url or DEFAULT_AUTHORITY, box.graph_url or DEFAULT_GRAPH, box.tenant_id or "",
                        box.client_id or "", secret, box.username, box.folder)


def _retry_after(response: requests.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After") or 1))
    except ValueError:
        return 1.0


class GraphMail:
    """One mailbox's folder, read and written through Graph. ``sleep`` waits out throttling."""

    def __init__(self, account: GraphAccount, sleep: Callable[[float], None] = time.sleep,
                 clock: Clock | None = None) -> None:
        self.account = account
        self.sleep = sleep
        self.base = account.graph_url.rstrip("/")
        self.user_url = f"{self.base}/users/{quote(account.user, safe='@')}"
        self.http = requests.Session()
        authority = account.authority_url.rstrip("/")
        self.tokens = TokenClient(
            ClientCredentials(f"{authority}/{quote(account.tenant_id, safe='')}/oauth2/v2.0/token",
                              account.client_id, account.secret, SCOPE),
            self.http, clock, "Microsoft sign-in", f"the app {account.client_id} of tenant {account.tenant_id}")

    # -- signing in ------------------------------------------------------------------------------
    def token(self) -> str:
        return self.tokens.token()

    # -- requests --------------------------------------------------------------------------------
    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send, waiting out throttling; a 401 with a cached token signs in again once."""
        renewed, given = False, dict(kwargs.pop("headers", None) or {})
        for attempt in range(TRIES):
            headers = {**given, "Authorization": f"Bearer {self.token()}"}
            try:
                response = self.http.request(method, url, headers=headers, timeout=TIMEOUT_S, **kwargs)
            except requests.RequestException as err:
                raise MailboxUnreachable(f"Cannot reach {url.split('?')[0]}: {type(err).__name__}") from None
            if response.status_code == 401 and not renewed:
                self.tokens.forget()
                renewed = True
                continue
            if response.status_code in (429, 503) and attempt < TRIES - 1:
                wait = _retry_after(response)
                if wait > MAX_WAIT_S:
                    break
                self.sleep(wait)
                continue
            return response
        if response.status_code in (429, 503):
            raise MailboxUnreachable(f"Microsoft Graph is throttling the mailbox ({response.status_code}); "
                                     f"it asked to wait {_retry_after(response):g} seconds")
        return response

    def _ok(self, method: str, url: str, what: str, **kwargs: Any) -> requests.Response:
        response = self._send(method, url, **kwargs)
        if response.ok:
            return response
        if response.status_code == 410:
            raise DeltaExpired("Microsoft Graph no longer knows the mailbox's cursor; the folder is read again")
        reason = sign_in_error(response)
        if response.status_code in (401, 403):
            raise MailboxUnreachable(f"Microsoft Graph refused to {what} of {self.account.user} "
                                     f"({response.status_code}): {reason}. Check the app's Mail.Read/Mail.Send "
                                     "application permissions and the mailbox's access policy")
        if response.status_code == 404:
            raise MailboxUnreachable(f"Microsoft Graph found no mailbox {self.account.user} or folder "
                                     f"'{self.account.folder}' (404): {reason}")
        raise MailboxUnreachable(f"Microsoft Graph could not {what} of {self.account.user} "
                                 f"({response.status_code}): {reason}")

    # -- reading ---------------------------------------------------------------------------------
    def first_link(self) -> str:
        return (f"{self.user_url}/mailFolders/{quote(self.account.folder, safe='')}/messages/delta"
                "?$select=id")

    def pages(self, link: str | None) -> Iterator[tuple[list[str], str]]:
        """From ``link`` (None: the folder from the start), each delta page's new message ids and the
        link to store after it (the next page's, or the delta link on the last page)."""
        url = link or self.first_link()
        while True:
            if not url.startswith(self.base + "/"):
                raise MailboxUnreachable("Microsoft Graph gave a link outside its own address; not followed")
            body = self._ok("GET", url, "list the messages", headers={
                "Prefer": f'odata.maxpagesize={PAGE}, IdType="ImmutableId"'}).json()
            ids = [str(m["id"]) for m in body.get("value", []) if "@removed" not in m and m.get("id")]
            following = body.get("@odata.nextLink")
            cursor = following or body.get("@odata.deltaLink")
            if not cursor:
                raise MailboxUnreachable("Microsoft Graph's delta answer had neither a next nor a delta link")
            yield ids, str(cursor)
            if not following:
                return
            url = str(following)

    def mime(self, message_id: str) -> bytes:
        return self._ok("GET", f"{self.user_url}/messages/{quote(message_id, safe='')}/$value",
                        "read a message", headers={"Prefer": 'IdType="ImmutableId"'}).content

    # -- sending ---------------------------------------------------------------------------------
    def send(self, message: EmailMessage) -> None:
        """Send ``message`` as MIME from the mailbox (kept in its Sent Items)."""
        self._ok("POST", f"{self.user_url}/sendMail", "send mail", data=base64.b64encode(message.as_bytes()),
                 headers={"Content-Type": "text/plain"})
