"""Work nobody can see: a map whose tasks go to a team with no active member deploys with a warning
(engine, CLI-facing JSON, upload page); the Teams page flags empty teams; admins' and team leads'
inboxes list unstaffed teams that have open work; other officers are not shown it."""
from __future__ import annotations

import html
import io
import re

from engine.bpmn import registry
from engine.casework import cases
from engine.people import users
from engine.types import Role
from tests.engine.test_cases import simple

from .conftest import csrf_token


def _text(page: str) -> str:
    """The page's text as a reader sees it: tags dropped, spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_deploying_to_a_team_nobody_is_in_warns_until_someone_joins(ctx, make_user):
    warned = registry.deploy(ctx, {"simple.bpmn": simple("Check the account").encode()}, actor="analyst")
    [warning] = warned.to_dict()["warnings"]
    assert warning["file"] == "simple.bpmn" and warning["element"] == "simple"
    assert warning["message"].startswith("'Check the account' goes to the team 'Revenues', which has no active "
                                         "members: nobody will see these tasks")
    make_user("revenues@example.gov.uk", Role.BACK_OFFICE, teams=("Revenues",))
    staffed = registry.deploy(ctx, {"simple.bpmn": simple("Check the account again").encode()}, actor="analyst")
    assert staffed.to_dict()["warnings"] == []
    with ctx.db.transaction() as session:  # someone who has left does not staff a team
        member = users.get_user(session, "revenues@example.gov.uk")
    users.set_active(ctx, member.id, False)
    again = registry.deploy(ctx, {"simple.bpmn": simple("Check it a third time").encode()}, actor="analyst")
    assert "'Revenues', which has no active members" in again.to_dict()["warnings"][0]["message"]


def test_the_upload_page_shows_the_warning(signed_in):
    analyst = signed_in(Role.ANALYST)
    page = analyst.get("/processes/upload")
    answer = analyst.post("/processes/upload", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "action": "deploy",
        "files": [(io.BytesIO(simple().encode()), "simple.bpmn")]},
        content_type="multipart/form-data", follow_redirects=True)
    assert answer.status_code == 200
    assert "goes to the team 'Revenues', which has no active members" in _text(answer.get_data(as_text=True))


def test_unstaffed_teams_with_open_work_show_to_admins_and_leads_only(ctx, signed_in):
    registry.deploy(ctx, {"simple.bpmn": simple().encode()}, actor="analyst")
    cases.start_case(ctx, "simple")
    cases.start_case(ctx, "simple")
    admin = signed_in(Role.ADMIN)
    text = _text(admin.get("/inbox").get_data(as_text=True))
    assert "Unstaffed teams with open work: nobody active is in this team, so no inbox shows its tasks." in text
    assert re.search(r"Revenues ?: 2 open tasks", text)
    teams = _text(admin.get("/admin/teams").get_data(as_text=True))
    assert re.search(r"Revenues No members 0 members of Revenues 2", teams)
    lead = signed_in(Role.BACK_OFFICE, Role.TEAM_LEAD, teams=("Customer Hub",))
    assert re.search(r"Revenues ?: 2 open tasks", _text(lead.get("/inbox").get_data(as_text=True)))
    officer = signed_in(Role.BACK_OFFICE, teams=("Customer Hub",))
    assert "Unstaffed teams" not in officer.get("/inbox").get_data(as_text=True)
