"""A local SMTP server for tests: aiosmtpd on 127.0.0.1 with implicit TLS (as port 465) and a password,
keeping every message it accepts. Faults: ``refuse(n)`` answers the next ``n`` messages with a 451."""
from __future__ import annotations

import ssl
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from .dovecot import _free_port


class _Handler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refusals = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.refusals:
            self.refusals -= 1
            return "451 4.3.0 Try again later"
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"


class FakeSmtp:
    def __init__(self, cert: Path, key: Path, username: str, password: str) -> None:
        self.handler, self.port = _Handler(), _free_port()
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
