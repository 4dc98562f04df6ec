"""Signing in: GOV.UK labels, CSRF, hashed passwords, lock-out, and every route role-checked."""
from __future__ import annotations

from engine.types import Role
from webui import access
from tests.webui.conftest import PASSWORD, csrf_token, sign_in


def test_sign_in_page_uses_the_agreed_labels(app):
    html = app.test_client().get("/sign-in").get_data(as_text=True)
    assert 'for="email">' in html and "Email address" in html
    assert "Password" in html and ">\n  Sign in\n</button>" in html or "Sign in</button>" in html.replace("\n", "")


def test_pages_need_sign_in_and_redirect_to_it(app):
    response = app.test_client().get("/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_correct_password_signs_in_and_sign_out_ends_the_session(app, make_user):
    make_user("sam@example.gov.uk", Role.FRONT_OFFICE)
    client = app.test_client()
    assert sign_in(client, "sam@example.gov.uk").headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    client.post("/sign-out", data={"csrf_token": csrf_token(home.get_data(as_text=True))})
    assert client.get("/").status_code == 302


def test_form_posts_without_csrf_token_are_refused(app, make_user):
    make_user("sam@example.gov.uk", Role.FRONT_OFFICE)
    response = app.test_client().post("/sign-in", data={"email": "sam@example.gov.uk", "password": PASSWORD})
    assert response.status_code == 400


def test_wrong_password_says_so_without_revealing_whether_the_user_exists(app, make_user):
    make_user("sam@example.gov.uk", Role.FRONT_OFFICE)
    client = app.test_client()
    wrong = sign_in(client, "sam@example.gov.uk", "nope").get_data(as_text=True)
    unknown = sign_in(client, "ghost@example.gov.uk", "nope").get_data(as_text=True)
    assert "Enter a correct email address and password" in wrong
    assert "Enter a correct email address and password" in unknown


def test_five_failures_lock_the_account(app, make_user):
    make_user("sam@example.gov.uk", Role.FRONT_OFFICE)
    client = app.test_client()
    for _ in range(5):
        sign_in(client, "sam@example.gov.uk", "wrong")
    locked = sign_in(client, "sam@example.gov.uk", PASSWORD)
    assert locked.status_code == 400 and "locked" in locked.get_data(as_text=True)


def test_passwords_are_stored_hashed(ctx, make_user):
    make_user("sam@example.gov.uk", Role.FRONT_OFFICE)
    from engine.people.users import find_user
    with ctx.db.transaction() as session:
        stored = find_user(session, "sam@example.gov.uk").password_hash
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_open_redirects_after_sign_in_are_refused(app, make_user):
    make_user("sam@example.gov.uk", Role.FRONT_OFFICE)
    client = app.test_client()
    page = client.get("/sign-in?next=//evil.example/")
    response = client.post("/sign-in?next=//evil.example/", data={
        "email": "sam@example.gov.uk", "password": PASSWORD, "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.headers["Location"] == "/"


def test_every_route_belongs_to_a_blueprint_with_an_access_rule(app):
    rules = access.access_rules(app)
    unguarded = [rule.rule for rule in app.url_map.iter_rules()
                 if rule.endpoint.split(".")[0] not in rules]
    assert unguarded == []
    public = sorted(name for name, rule in rules.items() if rule == access.PUBLIC)
    # metrics: its own check (a token, or this machine only); appointment_calendar: a reminder's .ics link,
    # whose random token is the key.
    assert public == ["api_docs", "appointment_calendar", "assets", "auth", "callbacks", "health", "metrics", "oidc",
                      "openreferral"]
    # Partners' systems: no staff sign-in and no CSRF token; the calls that need it check an Open311 api_key.
    assert sorted(name for name, rule in rules.items() if rule == access.PARTNER_KEY) == ["open311"]
    # (that a form-encoded POST needs no CSRF token is tested in tests/open311_server/)
