"""Web fixtures: the app on this test's database, and signed-in clients per role."""
from __future__ import annotations

import re

import pytest

from engine.people import users
from engine.types import Role
from webui.app import create_app

PASSWORD = "correct horse battery staple"


@pytest.fixture
def app(ctx):
    return create_app({"CONTEXT": ctx, "SECRET_KEY": "test", "TESTING": True, "SESSION_COOKIE_SECURE": False})


@pytest.fixture
def make_user(ctx):
    def make(email: str, *roles: Role, teams: tuple[str, ...] = ()) -> str:
        with ctx.db.transaction() as session:
            users.add_user(session, email, email.split("@")[0], list(roles), ctx.clock.now(), list(teams), PASSWORD)
        return email
    return make


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, email: str, password: str = PASSWORD):
    page = client.get("/sign-in")
    return client.post("/sign-in", data={"email": email, "password": password,
                                         "csrf_token": csrf_token(page.get_data(as_text=True))})


@pytest.fixture
def signed_in(app, make_user):
    def client_for(*roles: Role, teams: tuple[str, ...] = ()):
        email = make_user(f"{'-'.join(r.value for r in roles) or 'nobody'}@example.gov.uk", *roles, teams=teams)
        client = app.test_client()
        assert sign_in(client, email).status_code == 302
        return client
    return client_for
