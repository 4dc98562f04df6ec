"""The sign-in page's limits come from config, and behind a reverse proxy the address lane counts the
client the proxy saw, never an address the client wrote into X-Forwarded-For itself."""
from __future__ import annotations

from engine.types import Role
from tests.webui.conftest import PASSWORD, csrf_token


def sign_in_from(client, email: str, forwarded_for: str, password: str = "not the password"):
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    return client.post("/sign-in", headers={"X-Forwarded-For": forwarded_for},
                       data={"email": email, "password": password, "csrf_token": token})


def test_behind_one_proxy_failures_are_counted_per_client_address(app, make_user):
    app.config.update(SIGN_IN_ADDRESS_LIMIT=2, TRUSTED_PROXIES=1)
    make_user("sam@example.gov.uk", Role.FRONT_OFFICE)
    client = app.test_client()
    for n, spoofed in enumerate(("10.0.0.1", "10.0.0.2")):  # the left entries are the client's own words
        answer = sign_in_from(client, f"nobody{n}@example.gov.uk", f"{spoofed}, 192.0.2.1")
        assert "Enter a correct email address and password" in answer.get_data(as_text=True)
    locked = sign_in_from(client, "sam@example.gov.uk", "192.0.2.1", PASSWORD)
    assert locked.status_code == 400 and "locked" in locked.get_data(as_text=True)
    assert sign_in_from(client, "sam@example.gov.uk", "192.0.2.99", PASSWORD).status_code == 302


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(app, make_user):
    app.config.update(SIGN_IN_ADDRESS_LIMIT=2)
    make_user("sam@example.gov.uk", Role.FRONT_OFFICE)
    client = app.test_client()
    for n in range(2):
        sign_in_from(client, f"nobody{n}@example.gov.uk", f"192.0.2.{n}")
    assert "locked" in sign_in_from(client, "sam@example.gov.uk", "192.0.2.200", PASSWORD).get_data(as_text=True)
