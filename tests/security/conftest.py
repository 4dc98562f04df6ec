"""The security regression suite drives the real app over HTTP: waitress (the server `councilflow serve`
runs) on 127.0.0.1 in a thread, on this test's database (SQLite file and PostgreSQL), with one signed-in
``requests`` session per role. Each finding of the hostile test has its own module here."""
from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import requests
from flask import Flask
from waitress.server import create_server

from engine.people import tokens, users
from engine.context import Context
from engine.types import Role
from webui.app import create_app

PASSWORD = "correct horse battery staple"
TEAMS = ("Customer Hub", "Waste Services")


@dataclass
class Live:
    """The running app: its base URL and the engine context behind it."""
    url: str
    ctx: Context

    def add_user(self, email: str, *roles: Role, teams: tuple[str, ...] = TEAMS, password: str = PASSWORD) -> str:
        with self.ctx.db.transaction() as session:
            users.add_user(session, email, email.split("@")[0], list(roles), self.ctx.clock.now(), list(teams),
                           password)
        return email

    def api_client(self, *roles: Role) -> requests.Session:
        """A session for a new user with ``roles`` (in both teams) that calls the API with their token."""
        email = self.add_user(f"api-{'-'.join(r.value for r in roles)}-{next(_names)}@example.gov.uk", *roles)
        with self.ctx.db.transaction() as session:
            token = tokens.create_token(session, email, self.ctx.clock.now())
        client = self.client()
        client.headers["Authorization"] = f"Bearer {token}"
        return client

    def client(self) -> requests.Session:
        """An anonymous browser-like session against the live server."""
        session = requests.Session()
        session.base = self.url  # type: ignore[attr-defined]
        return session

    def sign_in(self, email: str, password: str = PASSWORD, session: requests.Session | None = None
                ) -> tuple[requests.Session, requests.Response]:
        session = session or self.client()
        page = session.get(f"{self.url}/sign-in", timeout=30)
        answer = session.post(f"{self.url}/sign-in", data={"email": email, "password": password,
                                                           "csrf_token": csrf_token(page.text)},
                              allow_redirects=False, timeout=30)
        return session, answer

    def as_role(self, *roles: Role, teams: tuple[str, ...] = TEAMS) -> requests.Session:
        """A session signed in as a new user with these roles."""
        email = self.add_user(f"{'-'.join(r.value for r in roles)}-{next(_names)}@example.gov.uk", *roles,
                              teams=teams)
        session, answer = self.sign_in(email)
        assert answer.status_code == 302, answer.text
        return session


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _names() -> Iterator[int]:
    n = 0
    while True:
        n += 1
        yield n


_names = _names()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served(app: Flask, threads: int = 8) -> Iterator[str]:
    """``app`` served by waitress on 127.0.0.1 in a thread of its own; its URL."""
    server = create_server(app, host="127.0.0.1", port=_free_port(), threads=threads, ident="councilflow")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # Closed by waitress's own loop (a thunk through its trigger): a socket closed from this thread while
        # the loop waits in select() fails it with EBADF. The keep-alive connections the test's sessions still
        # hold are closed too, so the loop ends at once instead of when the join gives up (10 s a test).
        def close_all() -> None:
            for dispatcher in list(server._map.values()):
                if dispatcher is not server.trigger:
                    dispatcher.close()
            server.trigger.close()
        try:
            server.trigger.pull_trigger(close_all)
        except OSError:  # the loop closed its trigger already (seen once in ~3,000 tests): nothing to wake
            close_all()
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()


@pytest.fixture
def live(ctx) -> Iterator[Live]:
    """The app served by waitress on 127.0.0.1 for this test."""
    app = create_app({"CONTEXT": ctx, "SECRET_KEY": "security-tests", "SESSION_COOKIE_SECURE": False})
    with served(app) as url:
        yield Live(url, ctx)
