"""A fake OpenID Connect provider (as Microsoft Entra ID behaves for a single-tenant app): a real
HTTP server on 127.0.0.1 with a discovery document, a JWKS, an authorize endpoint that redirects
back with a code (as if the person had signed in as ``user``), and a token endpoint that checks the
client secret and the PKCE verifier and issues an RS256-signed ID token.

``tamper`` makes the next ID tokens wrong in one way: ``"nonce"`` (not the one sent), ``"signature"``
(signed by a key the provider never published), ``"audience"`` (issued to another client),
``"issuer"`` (from another tenant), ``"expired"``.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import time
from functools import cache
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey

from .server import FakeServer, Reply, Request

CLIENT_ID, CLIENT_SECRET = "councilflow-client", "client-secret-for-tests"


@cache
def _key(name: str) -> RSAKey:
    # Generating RSA keys is slow: one per name for the whole test session.
    return RSAKey.generate_key(2048, parameters={"kid": "signing-key"}, private=True)


class FakeOidcProvider(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.user: dict[str, Any] = {"sub": "0001", "email": "someone@example.gov.uk"}
        self.tamper: str | None = None
        self.codes: dict[str, dict[str, Any]] = {}
        self.route("GET", "/.well-known/openid-configuration", self._discovery)
        self.route("GET", "/jwks", lambda request: (200, {"keys": [_key("published").as_dict(private=False)]}))
        self.route("GET", "/authorize", self._authorize)
        self.route("POST", "/token", self._token)

    def error_body(self, status: int, message: str) -> Any:
        return {"error": "invalid_request", "error_description": message}

    def _discovery(self, request: Request) -> Reply:
        return 200, {"issuer": self.url, "authorization_endpoint": f"{self.url}/authorize",
                     "token_endpoint": f"{self.url}/token", "jwks_uri": f"{self.url}/jwks",
                     "response_types_supported": ["code"], "subject_types_supported": ["public"],
                     "id_token_signing_alg_values_supported": ["RS256"],
                     "code_challenge_methods_supported": ["S256"]}

    def _authorize(self, request: Request) -> Reply:
        query = request.query
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return 400, self.error_body(400, "unknown client or response type")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return 400, self.error_body(400, "PKCE is required")
        if "openid" not in query.get("scope", "").split() or not query.get("nonce") or not query.get("state"):
            return 400, self.error_body(400, "scope openid, a nonce and a state are required")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": query["nonce"], "challenge": query["code_challenge"],
                            "redirect_uri": query["redirect_uri"], "user": dict(self.user)}
        location = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
        return 302, "", {"Location": location}

    def _token(self, request: Request) -> Reply:
        form = request.form
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or form.get("grant_type") != "authorization_code" or \
                form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
        if challenge != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        return 200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 3600,
                     "id_token": self.id_token(grant["nonce"], grant["user"])}

    def id_token(self, nonce: str, user: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 600, "nonce": nonce, **user}
        if self.tamper == "nonce":
            claims["nonce"] = "not-the-nonce-that-was-sent"
        if self.tamper == "issuer":
            claims["iss"] = "https://login.example.invalid/another-tenant/v2.0"
        if self.tamper == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        if self.tamper == "audience":
            claims["aud"], claims["azp"] = "some-other-client", CLIENT_ID  # azp alone must not be enough
        key = _key("unpublished" if self.tamper == "signature" else "published")
        return jwt.encode({"alg": "RS256", "kid": "signing-key"}, claims, key)
