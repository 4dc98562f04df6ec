"""Signing in as an app with its client credentials (OAuth2, RFC 6749 4.4): the access token a mailbox
presents to Microsoft Graph, or to an IMAP or SMTP server with SASL XOAUTH2.

A token is kept (per token URL, client, secret and scope, for the worker's process) until ``EARLY_S``
before the sign-in service said it expires, so a poll every minute signs in about once an hour. A server
refusing a token it should still take (revoked, or the clocks disagree) asks for ``forget()`` and a new
one. The client secret is never logged nor put in an error message.
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests

from ..clock import Clock, SystemClock
from ..persistence.tables import Mailbox
from .imap import MailboxUnreachable

TIMEOUT_S = (5.0, 30.0)
EARLY_S = 60  # a token is renewed this long before the sign-in service says it expires

_tokens: dict[tuple[str, str, str, str], tuple[str, datetime]] = {}
_tokens_lock = threading.Lock()


class TokenRefused(MailboxUnreachable):
    """The sign-in service could not be reached, refused the app, or answered without a token."""


@dataclass(frozen=True)
class ClientCredentials:
    token_url: str
    client_id: str
    secret: str = field(repr=False)
    scope: str


def sign_in_error(response: requests.Response) -> str:
    """The sign-in service's own words: ``error: first line of error_description`` (RFC 6749 5.2), or
    Graph's ``{"error": {"code", "message"}}``, else the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or f"HTTP {response.status_code}"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")[:300]
    if isinstance(error, str):
        description = str(body.get("error_description") or "").splitlines()
        return f"{error}: {description[0] if description else ''}".strip(": ")[:300]
    return response.text.strip()[:300]


class TokenClient:
    """``token()`` gives a current access token for ``credentials``, signing in when none is kept.
    ``http`` is a session to reuse; ``clock`` says when a kept token is too old; ``service`` and ``app``
    name the sign-in service and the app in error messages."""

    def __init__(self, credentials: ClientCredentials, http: requests.Session | None = None,
                 clock: Clock | None = None, service: str = "", app: str = "") -> None:
        self.credentials = credentials
        self.service = service or f"The sign-in service {credentials.token_url.split('?')[0]}"
        self.app = app or f"the app {credentials.client_id}"
        self.http = http or requests.Session()
        self.clock = clock or SystemClock()
        c = credentials
        self._key = (c.token_url, c.client_id, hashlib.sha256(c.secret.encode()).hexdigest(), c.scope)

    def token(self) -> str:
        with _tokens_lock:
            kept = _tokens.get(self._key)
        if kept is not None and kept[1] > self.clock.now():
            return kept[0]
        token, expires_in = self._sign_in()
        with _tokens_lock:
            _tokens[self._key] = (token, self.clock.now() + timedelta(seconds=max(0.0, expires_in - EARLY_S)))
        return token

    def forget(self) -> None:
        """Drop the kept token: the next ``token()`` signs in again."""
        with _tokens_lock:
            _tokens.pop(self._key, None)

    def _sign_in(self) -> tuple[str, float]:
        c = self.credentials
        try:
            response = self.http.post(c.token_url, timeout=TIMEOUT_S, data={
                "grant_type": "client_credentials", "client_id": c.client_id, "client_secret": c.secret,
                "scope": c.scope}, headers={"Accept": "application/json"})
        except requests.Timeout:
            raise TokenRefused(f"{self.service} did not answer within {TIMEOUT_S[1]:g} seconds") from None
        except requests.RequestException as err:
            raise TokenRefused(f"{self.service} cannot be reached: {type(err).__name__}") from None
        if not response.ok:
            reason = sign_in_error(response).replace(c.secret, "***") if c.secret else sign_in_error(response)
            raise TokenRefused(f"{self.service} refused {self.app} ({response.status_code}): {reason}")
        try:
            body = response.json()
            return str(body["access_token"]), float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise TokenRefused(f"{self.service} answered without an access token") from None


def mailbox_tokens(box: Mailbox, secret: str, clock: Clock | None = None) -> TokenClient | None:
    """The token client of an IMAP mailbox that signs in with OAuth2, ``secret`` its client secret
    (None: the mailbox signs in with its password)."""
    if box.auth != "oauth2":
        return None
    return TokenClient(ClientCredentials(box.token_url or "", box.client_id or "", secret, box.scope or ""),
                       clock=clock)
