"""Finding 7 of the hostile test: a copied session cookie kept working after sign-out and after an admin
reset the password. Signing out, a new password, a change of roles and deactivation now end every session
of that person: a cookie copied before any of them only leads back to the sign-in page."""
from __future__ import annotations

import pytest
import requests

from engine.people import users
from engine.types import Role
from tests.security.conftest import csrf_token

from .conftest import PASSWORD


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
