"""Finding 7 of the hostile test: a copied session cookie kept working after sign-out and after an admin
reset the password. Signing out, a new password, a change of roles and deactivation now end every session
of that person: a cookie copied before any of them only leads back to the sign-in page."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests

from engine.people import users
from engine.types import Role
from tests.security.conftest import csrf_token
from webui.app import create_app

from .conftest import PASSWORD, Live, served


def copy_of(session: requests.Session) -> requests.Session:
    """Another browser holding a copy of this one's cookies (as a thief would)."""
    thief = requests.Session()
    thief.cookies.update(session.cookies)
    return thief


def signed_in(live, browser: requests.Session) -> bool:
    page = browser.get(f"{live.url}/inbox", allow_redirects=False, timeout=30)
    return page.status_code == 200


def sign_out(live, browser: requests.Session) -> None:
    page = browser.get(f"{live.url}/inbox", timeout=30)
    answer = browser.post(f"{live.url}/sign-out", data={"csrf_token": csrf_token(page.text)},
                          allow_redirects=False, timeout=30)
    assert answer.status_code == 302


def user_id(live, email: str) -> int:
    with live.ctx.db.transaction(readonly=True) as session:
        return users.find_user(session, email).id


def test_a_cookie_copied_before_sign_out_is_dead_after_it(live):
    email = live.add_user("officer@example.gov.uk", Role.BACK_OFFICE)
    browser, answer = live.sign_in(email)
    assert answer.status_code == 302
    thief = copy_of(browser)
    assert signed_in(live, thief)
    sign_out(live, browser)
    stolen = thief.get(f"{live.url}/inbox", allow_redirects=False, timeout=30)
    assert stolen.status_code == 302 and "/sign-in" in stolen.headers["Location"]


def _reset_password(live, admin, person: int) -> None:
    page = admin.get(f"{live.url}/admin/users/{person}", timeout=30)
    answer = admin.post(f"{live.url}/admin/users/{person}/password", allow_redirects=False, timeout=30,
                        data={"csrf_token": csrf_token(page.text), "new_password": "a brand new passphrase"})
    assert answer.status_code == 302, answer.text


def _change_roles(live, admin, person: int) -> None:
    page = admin.get(f"{live.url}/admin/users/{person}", timeout=30)
    answer = admin.post(f"{live.url}/admin/users/{person}", allow_redirects=False, timeout=30,
                        data={"csrf_token": csrf_token(page.text), "name": "officer",
                              "roles": ["back_office", "team_lead"], "teams": ["Waste Services"]})
    assert answer.status_code == 302, answer.text


def _deactivate_and_reactivate(live, admin, person: int) -> None:
    for active in ("no", "yes"):
        page = admin.get(f"{live.url}/admin/users/{person}", timeout=30)
        answer = admin.post(f"{live.url}/admin/users/{person}/active", allow_redirects=False, timeout=30,
                            data={"csrf_token": csrf_token(page.text), "active": active})
        assert answer.status_code == 302, answer.text


@pytest.mark.parametrize("admin_action", [_reset_password, _change_roles, _deactivate_and_reactivate],
                         ids=["password reset", "role change", "deactivation"])
def test_an_admins_change_to_a_person_ends_every_session_they_had(live, admin_action):
    email = live.add_user("officer@example.gov.uk", Role.BACK_OFFICE)
    browser, _ = live.sign_in(email)
    other_browser, _ = live.sign_in(email)
    thief = copy_of(browser)
    assert signed_in(live, thief) and signed_in(live, other_browser)
    admin = live.as_role(Role.ADMIN)
    admin_action(live, admin, user_id(live, email))
    assert not signed_in(live, thief)
    assert not signed_in(live, browser) and not signed_in(live, other_browser)
    assert signed_in(live, admin)  # only that person's sessions end
    password = "a brand new passphrase" if admin_action is _reset_password else PASSWORD
    assert signed_in(live, live.sign_in(email, password)[0])  # they simply sign in again


def _add_customer(live, browser: requests.Session, name: str) -> requests.Response:
    """An advisor adds a customer: the answer redirects to them with a message kept in the session."""
    form = browser.get(f"{live.url}/customers/new", timeout=30)
    assert form.status_code == 200, form.text
    return browser.post(f"{live.url}/customers/new", allow_redirects=False, timeout=30,
                        data={"csrf_token": csrf_token(form.text), "name": name, "phone": "07700900123"})


def test_a_request_that_overlaps_an_action_does_not_undo_its_message(live):
    """A browser fetches the favicon, stylesheets or a typeahead's answer beside the form it sends. When every
    response set the session cookie, one that answered after the form did put back the cookie it was sent with,
    and the message the form's answer had put in was gone (a recurring failure of a browser journey)."""
    browser = live.as_role(Role.FRONT_OFFICE)
    browser.get(f"{live.url}/inbox", timeout=30)  # a page shown before: the session holds its CSRF secret
    already_sent = copy_of(browser)  # the cookie a request already on its way carries
    added = _add_customer(live, browser, "Robin Overlap")
    assert added.status_code == 302, added.text

    for late in ("/static/favicon.svg", "/inbox", "/customers/new"):
        answer = already_sent.get(f"{live.url}{late}", timeout=30)
        assert answer.status_code == 200 and "Set-Cookie" not in answer.headers, (late, answer.headers)
        browser.cookies.update(answer.cookies)  # a browser keeps whichever cookie answers last

    shown = browser.get(f"{live.url}{added.headers['Location']}", timeout=30)
    assert shown.status_code == 200 and "Robin Overlap added as a customer" in shown.text


def test_a_session_ends_its_lifetime_after_sign_in_however_busy_the_person_was(ctx):
    """Sessions last at most PERMANENT_SESSION_LIFETIME (9 hours; 10 s here), counted from sign-in. Flask's own
    check counts from the cookie's last signing, and every message shown after an action signs it again."""
    app = create_app({"CONTEXT": ctx, "SECRET_KEY": "security-tests", "SESSION_COOKIE_SECURE": False,
                      "PERMANENT_SESSION_LIFETIME": timedelta(seconds=10)})
    with served(app) as url:
        live = Live(url, ctx)
        browser = live.as_role(Role.FRONT_OFFICE)
        signed_in_by = time.monotonic()
        time.sleep(4)
        added = _add_customer(live, browser, "Robin Busy")
        assert added.status_code == 302, added.text  # still signed in: the cookie is signed again here
        assert "Robin Busy added as a customer" in browser.get(f"{url}{added.headers['Location']}", timeout=30).text

        time.sleep(max(0.0, signed_in_by + 10.5 - time.monotonic()))
        assert not signed_in(live, browser)
