"""Single sign-on with OpenID Connect against a fake provider on 127.0.0.1: the browser's redirects
are followed by hand (the app through the Flask test client, the provider over real HTTP)."""
from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from engine.governance import audit
from engine.people import users
from engine.types import Role
from tests.fakes.oidc import CLIENT_ID, CLIENT_SECRET, FakeOidcProvider
from webui.app import create_app


@pytest.fixture
def provider():
    with FakeOidcProvider() as fake:
        yield fake


@pytest.fixture
def sso_app(ctx, provider):
    return create_app({"CONTEXT": ctx, "SECRET_KEY": "test", "TESTING": True, "SESSION_COOKIE_SECURE": False,
                       "COUNCILFLOW_OIDC_ISSUER": provider.url, "COUNCILFLOW_OIDC_CLIENT_ID": CLIENT_ID,
                       "COUNCILFLOW_OIDC_CLIENT_SECRET": CLIENT_SECRET, "COUNCILFLOW_OIDC_LABEL": "Microsoft"})


def to_provider(client, next_page: str = "/"):
    """Press 'Sign in with Microsoft': the app sends the browser to the provider, which (the person
    having signed in there) sends it back to the callback. Returns the callback's path and query."""
    start = client.get(f"/sign-in/oidc?next={next_page}")
    assert start.status_code == 302 and start.headers["Location"].startswith("http://127.0.0.1")
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 302, back.text
    url = urlsplit(back.headers["Location"])
    assert url.path == "/sign-in/oidc/callback"
    return url.path, parse_qs(url.query)


def callback(client, path: str, query: dict[str, list[str]]):
    return client.get(path, query_string={k: v[0] for k, v in query.items()})


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_the_sign_in_page_offers_single_sign_on_only_when_configured(sso_app, app):
    assert "Sign in with Microsoft" in sso_app.test_client().get("/sign-in").get_data(as_text=True)
    plain = app.test_client()
    assert "Sign in with" not in plain.get("/sign-in").get_data(as_text=True)
    assert plain.get("/sign-in/oidc").status_code == 404


def test_an_active_user_signs_in_with_the_provider_and_lands_where_they_were_going(sso_app, make_user, provider):
    make_user("officer@example.gov.uk", Role.BACK_OFFICE)
    provider.user = {"sub": "abc", "email": "Officer@Example.gov.uk", "name": "Officer"}
    client = sso_app.test_client()
    start = client.get("/sign-in/oidc?next=/inbox")
    sent = parse_qs(urlsplit(start.headers["Location"]).query)
    assert sent["code_challenge_method"] == ["S256"] and sent["nonce"] and sent["state"]
    assert "openid" in sent["scope"][0].split()
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    url = urlsplit(back.headers["Location"])
    done = callback(client, url.path, parse_qs(url.query))
    assert done.status_code == 302 and done.headers["Location"] == "/inbox"
    assert signed_in(client)
    assert provider.requests_to("POST", "/token") and provider.requests_to("GET", "/jwks")


def test_entra_preferred_username_is_used_only_when_the_council_trusts_it(sso_app, make_user, provider):
    make_user("upn@example.gov.uk", Role.FRONT_OFFICE)
    provider.user = {"sub": "x", "preferred_username": "upn@example.gov.uk"}  # Entra without the email claim
    client = sso_app.test_client()
    assert callback(client, *to_provider(client)).status_code == 403 and not signed_in(client)
    sso_app.config["COUNCILFLOW_OIDC_TRUST_USERNAME"] = "1"
    client = sso_app.test_client()
    assert callback(client, *to_provider(client)).status_code == 302 and signed_in(client)


def test_an_email_the_provider_marks_unverified_never_signs_anyone_in(sso_app, make_user, provider):
    make_user("upn@example.gov.uk", Role.FRONT_OFFICE)
    make_user("someone.else@example.gov.uk", Role.ADMIN)
    sso_app.config["COUNCILFLOW_OIDC_TRUST_USERNAME"] = "1"
    provider.user = {"sub": "x", "email": "someone.else@example.gov.uk", "email_verified": False,
                     "preferred_username": "upn@example.gov.uk"}
    client = sso_app.test_client()
    assert callback(client, *to_provider(client)).status_code == 403 and not signed_in(client)


def test_someone_without_an_account_is_told_to_ask_their_administrator_and_nothing_is_created(
        sso_app, provider, ctx, caplog):
    provider.user = {"sub": "new", "email": "stranger@example.gov.uk"}
    client = sso_app.test_client()
    with caplog.at_level(logging.WARNING, logger="webui.oidc"):
        refused = callback(client, *to_provider(client))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 403 and "Ask your administrator" in html and "stranger@example.gov.uk" in html
    assert "Single sign-on refused" in caplog.text
    assert not signed_in(client)
    with ctx.db.transaction(readonly=True) as session:
        assert users.find_user(session, "stranger@example.gov.uk") is None


def test_a_deactivated_user_cannot_sign_in_with_the_provider(sso_app, make_user, provider, ctx):
    make_user("gone@example.gov.uk", Role.BACK_OFFICE)
    person = next(p for p in users.list_staff(ctx) if p.email == "gone@example.gov.uk")
    users.set_active(ctx, person.id, False)
    provider.user = {"sub": "gone", "email": "gone@example.gov.uk"}
    client = sso_app.test_client()
    refused = callback(client, *to_provider(client))
    assert refused.status_code == 403 and not signed_in(client)


def test_a_callback_with_the_wrong_state_is_refused(sso_app, make_user, provider):
    make_user("officer@example.gov.uk", Role.BACK_OFFICE)
    provider.user = {"sub": "abc", "email": "officer@example.gov.uk"}
    client = sso_app.test_client()
    path, query = to_provider(client)
    query["state"] = ["forged-state"]
    refused = callback(client, path, query)
    assert refused.status_code == 400 and "could not be completed" in refused.get_data(as_text=True)
    assert not signed_in(client)
    assert not provider.requests_to("POST", "/token")  # the code was never spent
    other = sso_app.test_client()  # a code sent to another browser (no state in its session)
    path, query = to_provider(client)
    assert callback(other, path, query).status_code == 400 and not signed_in(other)


@pytest.mark.parametrize("tamper", ["nonce", "signature", "audience", "issuer", "expired"])
def test_an_id_token_with_a_wrong_nonce_signature_audience_issuer_or_expiry_is_refused(sso_app, make_user, provider, tamper):
    make_user("officer@example.gov.uk", Role.BACK_OFFICE)
    provider.user = {"sub": "abc", "email": "officer@example.gov.uk"}
    provider.tamper = tamper
    client = sso_app.test_client()
    refused = callback(client, *to_provider(client))
    assert refused.status_code == 400 and not signed_in(client)


def test_the_provider_saying_no_is_a_clear_refusal(sso_app, provider):
    client = sso_app.test_client()
    client.get("/sign-in/oidc")
    refused = client.get("/sign-in/oidc/callback", query_string={"error": "access_denied", "state": "x"})
    assert refused.status_code == 400 and "try again" in refused.get_data(as_text=True)
    [trail] = audit.entries(sso_app.extensions["councilflow"], audit.Filters(kind="sso_sign_in_failed"))
    assert trail.actor == "unknown" and trail.detail["reason"]


def test_an_unreachable_provider_leaves_password_sign_in_working(ctx, make_user):
    app = create_app({"CONTEXT": ctx, "SECRET_KEY": "test", "TESTING": True,
                      "COUNCILFLOW_OIDC_ISSUER": "http://127.0.0.1:9", "COUNCILFLOW_OIDC_CLIENT_ID": CLIENT_ID,
                      "COUNCILFLOW_OIDC_CLIENT_SECRET": CLIENT_SECRET})
    client = app.test_client()
    unavailable = client.get("/sign-in/oidc")
    assert unavailable.status_code == 503 and "not available" in unavailable.get_data(as_text=True)
    assert "Sign in with your organisation" in client.get("/sign-in").get_data(as_text=True)
