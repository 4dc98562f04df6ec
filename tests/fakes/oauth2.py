"""A fake OAuth2 authorisation server on 127.0.0.1, as a mail provider's sign-in service behaves for an app
with client credentials (Exchange Online IMAP, for one): a token endpoint (RFC 6749 4.4, the client's
id and secret in the form) issuing opaque bearer tokens for one scope, and an introspection endpoint
(RFC 7662, ``POST token=...``) that the IMAP server (dovecot's oauth2 passdb) asks whether a token is
active and for whom.

``expire()`` ends every token issued so far, as the provider does when their lifetime is over;
``mail_access = False`` makes every token useless to the mail servers (the app was never granted the
mailbox, though it can sign in); ``introspections()`` lists the tokens the IMAP server asked about.
"""
from __future__ import annotations

import uuid
from typing import Any

from .server import FakeServer, Reply, Request

SCOPE = "https://outlook.office365.com/.default"


class FakeOAuth2(FakeServer):
    def __init__(self, user: str = "hub@council.test", scope: str = SCOPE, expires_in: int = 3599) -> None:
        super().__init__()
        self.client_id, self.secret = str(uuid.uuid4()), uuid.uuid4().hex
        self.user, self.scope, self.expires_in = user, scope, expires_in
        self.active: dict[str, str] = {}  # token -> the user it lets in
        self.issued: list[str] = []
        self.mail_access = True
        self.route("POST", "tenant/oauth2/v2.0/token", self.token)
        self.route("POST", "introspect", self.introspect)

    def error_body(self, status: int, message: str) -> Any:
        return {"error": "temporarily_unavailable", "error_description": message}

    @property
    def token_url(self) -> str:
        return f"{self.url}/tenant/oauth2/v2.0/token"

    @property
    def introspection_url(self) -> str:
        return f"{self.url}/introspect"

    # -- what the test does ----------------------------------------------------------------------
    def expire(self) -> None:
        with self.lock:
            self.active.clear()

    def lets_in(self, user: str, token: str) -> bool:
        """What the introspection endpoint would answer (for servers that check tokens in-process)."""
        with self.lock:
            return self.mail_access and self.active.get(token) == user

    def token_requests(self) -> int:
        return len(self.requests_to("POST", "/tenant/"))

    def introspections(self) -> list[str]:
        return [r.form.get("token", "") for r in self.requests_to("POST", "/introspect")]

    # -- the endpoints ---------------------------------------------------------------------------
    def token(self, request: Request) -> Reply:
        form = request.form
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type", "error_description": "Only client_credentials."}
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.secret:
            return 401, {"error": "invalid_client",
                         "error_description": "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x"}
        if form.get("scope") != self.scope:
            return 400, {"error": "invalid_scope", "error_description": f"AADSTS70011: The scope "
                                                                       f"'{form.get('scope')}' is not valid."}
        token = uuid.uuid4().hex
        self.active[token] = self.user
        self.issued.append(token)
        return 200, {"token_type": "Bearer", "expires_in": self.expires_in, "access_token": token}

    def introspect(self, request: Request) -> Reply:
        user = self.active.get(request.form.get("token", ""))
        if user is None or not self.mail_access:
            return 200, {"active": False}
        return 200, {"active": True, "username": user, "client_id": self.client_id, "scope": self.scope,
                     "token_type": "Bearer"}
