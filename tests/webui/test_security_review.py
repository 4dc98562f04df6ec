"""Findings of the security review, each kept fixed: no open redirect through a backslash or a tab,
no framing, no reading another team's case through the API or the outcome page, no taking a
colleague's claimed task without being a team lead."""
from __future__ import annotations

import pytest

from engine.bpmn import registry
from engine.casework import cases
from engine.errors import TaskClaimedByOther
from engine.types import Role
from tests.conftest import FORMS, PROCESSES
from tests.webui.conftest import PASSWORD, csrf_token
from tests.webui.test_api import api_as  # noqa: F401  (fixture)
from webui.auth import is_local_path


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "/\t/evil.example", "https://evil.example",
                                    "/\\/evil.example", "javascript:alert(1)", ""])
def test_only_paths_on_this_site_are_followed(target):
    assert not is_local_path(target)


@pytest.mark.parametrize("target", ["/", "/inbox?team=Waste%20Services", "/cases/CF-000001#notes"])
def test_paths_on_this_site_are_followed(target):
    assert is_local_path(target)


def test_sign_in_does_not_send_anyone_to_another_site_through_a_backslash(app, make_user):
    make_user("sam@example.gov.uk", Role.FRONT_OFFICE)
    client = app.test_client()
    page = client.get("/sign-in?next=/%5Cevil.example").get_data(as_text=True)
    response = client.post("/sign-in?next=/%5Cevil.example", data={
        "email": "sam@example.gov.uk", "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert response.headers["Location"] == "/"


def test_pages_may_not_be_framed_by_other_sites(app):
    response = app.test_client().get("/sign-in")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def waste_case(ctx):
    registry.deploy(ctx, registry.read_paths([PROCESSES / "missed_bin_collection.bpmn", FORMS]))
    return cases.start_case(ctx, "missed_bin_collection", {"customer_name": "Pat Smith"})


def test_the_api_shows_a_case_only_to_staff_who_may_see_it(api_as, waste_case):  # noqa: F811
    outsider = api_as(Role.BACK_OFFICE, teams=("Highways",))
    for path in ("", "/history", "/sla", "/documents"):
        response = outsider.get(f"/cases/{waste_case.reference}{path}")
        assert response.status_code == 404, path  # as for a case that does not exist
        assert "Pat Smith" not in response.get_data(as_text=True)
    assert outsider.post(f"/cases/{waste_case.reference}/messages/anything", {}).status_code == 404
    assert api_as(Role.BACK_OFFICE, teams=("Customer Hub",)).get(f"/cases/{waste_case.reference}").status_code == 200


def test_the_outcome_page_is_refused_to_other_teams(signed_in, waste_case):
    outsider = signed_in(Role.BACK_OFFICE, teams=("Highways",))
    assert outsider.get(f"/cases/{waste_case.reference}/outcome").status_code == 404


def test_only_the_claimant_or_a_team_lead_passes_on_claimed_work(ctx, make_user, waste_case):
    for email in ("ann@example.gov.uk", "bob@example.gov.uk"):
        make_user(email, Role.FRONT_OFFICE, teams=("Customer Hub",))
    lead = make_user("lead@example.gov.uk", Role.TEAM_LEAD, teams=("Customer Hub",))
    task_id = waste_case.tasks[0].id
    cases.claim_task(ctx, task_id, "ann@example.gov.uk")
    with pytest.raises(TaskClaimedByOther, match="only they or a team lead"):
        cases.assign_task(ctx, task_id, "bob@example.gov.uk", actor="bob@example.gov.uk")
    with pytest.raises(TaskClaimedByOther):
        cases.unclaim_task(ctx, task_id, actor="bob@example.gov.uk")
    assert cases.assign_task(ctx, task_id, "bob@example.gov.uk", actor=lead).assignee == "bob@example.gov.uk"
    assert cases.unclaim_task(ctx, task_id, actor="bob@example.gov.uk").assignee is None
