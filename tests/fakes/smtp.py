"""A local SMTP server for tests: aiosmtpd on 127.0.0.1 with implicit TLS (as port 465) and a password,
keeping every message it accepts. Faults: ``refuse(n)`` answers the next ``n`` messages with a 451.

With ``bearer`` (a check of user and token, e.g. against an OAuth2 server's introspection), it also takes
SASL XOAUTH2 as Exchange Online does: a refused token gets its reason as a JSON challenge, then 535."""
from __future__ import annotations

import base64
import json
import ssl
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from .dovecot import _free_port


class _Handler:
    def __init__(self, bearer: Callable[[str, str], bool] | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.refusals = 0
        self.bearer = bearer
        self.xoauth2_users: list[str] = []  # who signed in with XOAUTH2, once per accepted token

    async def auth_XOAUTH2(self, server, args) -> AuthResult:  # noqa: N802 (aiosmtpd's name)
        blob = base64.b64decode(args[1]) if len(args) > 1 else await server.challenge_auth("")
        fields = dict(part.split("=", 1) for part in blob.decode().split("\x01") if "=" in part)
        user, token = fields.get("user", ""), fields.get("auth", "").removeprefix("Bearer ")
        if self.bearer is not None and self.bearer(user, token):
            self.xoauth2_users.append(user)
            return AuthResult(success=True)
        await server.challenge_auth(json.dumps({"status": "401", "schemes": "bearer", "scope": "mail"}))
        return AuthResult(success=False, handled=False)  # aiosmtpd then answers 535

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.refusals:
            self.refusals -= 1
            return "451 4.3.0 Try again later"
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"


class FakeSmtp:
    def __init__(self, cert: Path, key: Path, username: str, password: str,
                 bearer: Callable[[str, str], bool] | None = None) -> None:
        self.handler, self.port = _Handler(bearer), _free_port()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert), str(key))

        def check(server, session, envelope, mechanism, auth_data) -> AuthResult:
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == username \
                and auth_data.password.decode() == password
            return AuthResult(success=ok)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, ssl_context=context,
                                     authenticator=check, auth_require_tls=False)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def refuse(self, times: int) -> None:
        self.handler.refusals = times

    def __enter__(self) -> "FakeSmtp":
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
