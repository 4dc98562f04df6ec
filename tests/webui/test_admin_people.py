"""Admin pages for users, teams, lanes and API tokens: admins only, CSRF on every form, clear
errors that keep what was typed, and the token shown once."""
from __future__ import annotations

import re

import pytest

from engine.casework import cases
from engine.people import routing, tokens, users
from engine.types import Role
from tests.browser.maps import CAMUNDA_NOISE
from tests.engine.helpers import deploy_text
from tests.webui.conftest import csrf_token

PASSWORD = "a long enough passphrase"


@pytest.fixture
def admin(signed_in, ctx):
    routing.add_team(ctx, "Waste Services")
    return signed_in(Role.ADMIN)


def post(client, url: str, data: dict, page: str | None = None):
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_token(html)})


def text_of(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/admin/users", "/admin/users/new", "/admin/teams", "/admin/lanes",
                                 "/admin/tokens"])
def test_admin_pages_are_for_admins_only(signed_in, url):
    assert signed_in(Role.TEAM_LEAD, Role.BACK_OFFICE, Role.ANALYST).get(url).status_code == 403


def test_admin_adds_a_user_with_roles_and_teams_who_can_then_sign_in(admin, ctx):
    response = post(admin, "/admin/users/new", {"email": "new.person@example.gov.uk", "name": "New Person",
                                                "roles": ["back_office", "team_lead"], "teams": ["Waste Services"],
                                                "password": PASSWORD})
    assert response.status_code == 302
    page = admin.get(response.headers["Location"])
    assert "New Person (new.person@example.gov.uk) can now use councilflow" in text_of(page)
    assert users.sign_in(ctx, "new.person@example.gov.uk", PASSWORD)
    listed = text_of(admin.get("/admin/users?role=team_lead&team=Waste+Services"))
    assert "new.person@example.gov.uk" in listed and "Back office, Team lead" in listed
    assert "new.person@example.gov.uk" not in text_of(admin.get("/admin/users?role=analyst"))


def test_a_bad_new_user_form_says_what_is_wrong_and_keeps_what_was_typed(admin, ctx):
    response = post(admin, "/admin/users/new", {"email": "not-an-email", "name": "Kept Name", "password": "short"})
    html = text_of(response)
    assert response.status_code == 400 and html.count("govuk-error-message") == 3
    assert 'href="#email"' in html and 'href="#roles"' in html and 'href="#password"' in html
    assert 'value="Kept Name"' in html and "<title>Error: " in html
    duplicate = post(admin, "/admin/users/new", {"email": "admin@example.gov.uk", "name": "Again",
                                                 "roles": ["analyst"]})
    assert duplicate.status_code == 400 and "already exists" in text_of(duplicate)


def test_admin_edits_roles_and_teams_resets_a_password_and_deactivates(admin, ctx):
    person = users.create_staff(ctx, "kim@example.gov.uk", "Kim", ["front_office"], [], PASSWORD)
    url = f"/admin/users/{person.id}"
    assert post(admin, url, {"name": "Kim Lee", "roles": ["back_office"], "teams": ["Waste Services"]}).status_code == 302
    edited = users.staff_member(ctx, person.id)
    assert (edited.name, edited.roles, edited.teams) == ("Kim Lee", ["back_office"], ["Waste Services"])
    short = post(admin, f"{url}/password", {"new_password": "tiny"}, page=url)
    assert short.status_code == 400 and 'href="#new_password"' in text_of(short)
    assert post(admin, f"{url}/password", {"new_password": "another good passphrase"}, page=url).status_code == 302
    assert users.sign_in(ctx, "kim@example.gov.uk", "another good passphrase")
    post(admin, f"{url}/active", {"active": "no"}, page=url)
    assert "Deactivated" in text_of(admin.get(url)) and not users.staff_member(ctx, person.id).active
    post(admin, f"{url}/active", {"active": "yes"}, page=url)
    assert users.staff_member(ctx, person.id).active


def test_the_only_admin_is_told_why_they_cannot_deactivate_themselves(admin, ctx):
    me = next(p for p in users.list_staff(ctx) if "admin" in p.roles)
    response = post(admin, f"/admin/users/{me.id}/active", {"active": "no"}, page=f"/admin/users/{me.id}")
    assert response.status_code == 400 and "only active admin" in text_of(response)
    removed = post(admin, f"/admin/users/{me.id}", {"name": me.name, "roles": ["analyst"]})
    assert removed.status_code == 400 and "only active admin" in text_of(removed)
    assert users.staff_member(ctx, me.id).active and "admin" in users.staff_member(ctx, me.id).roles


def test_an_unknown_user_or_team_is_a_not_found_page(admin):
    assert admin.get("/admin/users/9999").status_code == 404
    assert admin.get("/admin/teams/9999/rename").status_code == 404


def test_admin_adds_and_renames_teams_and_sees_members_and_open_tasks(admin, ctx):
    assert post(admin, "/admin/teams", {"team_name": "Pest Control"}).status_code == 302
    taken = post(admin, "/admin/teams", {"team_name": "pest control"})
    assert taken.status_code == 400 and "already a team called" in text_of(taken)
    team = next(t for t in routing.team_summaries(ctx) if t.name == "Pest Control")
    renamed = post(admin, f"/admin/teams/{team.id}/rename", {"team_name": "Pest and Vermin"})
    assert renamed.status_code == 302
    users.create_staff(ctx, "pat@example.gov.uk", "Pat", ["back_office"], ["Pest and Vermin"], PASSWORD)
    html = text_of(admin.get("/admin/teams"))
    row = re.search(r"Pest and Vermin</td>.*?</tr>", html, re.S).group(0)
    assert ">1<" in row and "/admin/lanes" in html


def test_admin_maps_a_lane_to_a_team_and_new_tasks_go_there(admin, ctx):
    deploy_text(ctx, "noise.bpmn", CAMUNDA_NOISE)
    waiting = cases.start_case(ctx, "noise_complaint", {})
    html = text_of(admin.get("/admin/lanes"))
    assert "Environmental Health" in html and "noise_complaint" in html and "new tasks" in html
    index = [lane.source for lane in routing.lanes(ctx)].index("Environmental Health") + 1
    saved = post(admin, "/admin/lanes", {f"lane-{index}": "Waste Services"})
    assert saved.status_code == 302
    assert "now go to the team chosen" in text_of(admin.get("/admin/lanes"))
    later = cases.start_case(ctx, "noise_complaint", {})
    assert later.tasks[0].team == "Waste Services"
    assert cases.show_case(ctx, waiting.reference).case.tasks[0].team == "Environmental Health"
    post(admin, "/admin/lanes", {f"lane-{index}": "Environmental Health", "move_open": "yes"})
    assert "1 open task(s) moved" in text_of(admin.get("/admin/lanes"))
    assert cases.show_case(ctx, later.reference).case.tasks[0].team == "Environmental Health"
    unknown = post(admin, "/admin/lanes", {f"lane-{index}": "No Such Team"})
    assert unknown.status_code == 400 and "There is no team called" in text_of(unknown)


def test_a_token_is_shown_once_works_for_the_api_and_can_be_revoked(admin, ctx):
    users.create_staff(ctx, "bot@example.gov.uk", "Bot", ["back_office"], [], None)
    created = post(admin, "/admin/tokens", {"owner": "bot@example.gov.uk", "label": "nightly import"})
    html = text_of(created)
    token = re.search(r'id="new-token">(cf_[^<]+)<', html).group(1)
    assert created.status_code == 200 and "shown only this once" in html
    assert created.headers["Cache-Control"] == "no-store"
    listing = text_of(admin.get("/admin/tokens"))
    assert token not in listing and "nightly import" in listing
    assert admin.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    row = tokens.list_tokens(ctx, "bot@example.gov.uk")[0]
    assert post(admin, f"/admin/tokens/{row.id}/revoke", {}, page="/admin/tokens").status_code == 302
    assert admin.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    missing = post(admin, "/admin/tokens", {"owner": "", "label": ""})
    assert missing.status_code == 400 and 'href="#owner"' in text_of(missing) and 'href="#label"' in text_of(missing)


def test_admin_forms_refuse_posts_without_a_csrf_token(admin):
    assert admin.post("/admin/teams", data={"team_name": "Sneaky"}).status_code == 400
