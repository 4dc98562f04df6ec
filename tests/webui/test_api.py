"""The REST API drives a case from deployment to completion, and every failure is JSON a script
can act on: a message, field errors, and the right status."""
from __future__ import annotations

import io

import pytest

from engine.bpmn import registry
from engine.people import tokens
from engine.types import Role
from tests.cli.test_cli_lifecycle import MISSED_BIN
from tests.conftest import FORMS, PROCESSES
from tests.engine.test_cases import simple
from tests.webui.conftest import sign_in

EXPLAINED = {"advice_given": ["presentation_time"], "resident_response": "accepts"}


class Api:
    """A test client that calls /api/v1 with one user's bearer token."""

    def __init__(self, client, token: str | None, email: str = "") -> None:
        self.client, self.email = client, email
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self.headers, **kwargs)

    def post(self, path: str, json=None, **kwargs):
        return self.client.post(f"/api/v1{path}", headers=self.headers, json=json, **kwargs)

    def open(self, method: str, path: str, **kwargs):
        return self.client.open(f"/api/v1{path}", method=method, headers=self.headers, **kwargs)


@pytest.fixture
def api_as(app, ctx, make_user):
    """``api_as(*roles, teams=...)``: an Api for a new user with those roles and teams."""
    made = iter(range(1_000))

    def make(*roles: Role, teams: tuple[str, ...] = ()) -> Api:
        email = make_user(f"{'-'.join(r.value for r in roles) or 'nobody'}{next(made)}@example.gov.uk",
                          *roles, teams=teams)
        with ctx.db.transaction() as session:
            token = tokens.create_token(session, email, ctx.clock.now())
        return Api(app.test_client(), token, email)

    return make


@pytest.fixture
def library(ctx):
    """The missed bin map and its forms (the whole library takes seconds to deploy)."""
    registry.deploy(ctx, registry.read_paths([PROCESSES / "missed_bin_collection.bpmn", FORMS]))


@pytest.fixture
def advisor(api_as):
    return api_as(Role.FRONT_OFFICE, teams=("Customer Hub",))


def _uploads(*paths) -> dict:
    return {"files": [(io.BytesIO(content), name) for name, content in registry.read_paths(list(paths)).items()]}


def test_advisor_resolves_missed_bin_at_first_contact_through_the_api(api_as, advisor):
    analyst = api_as(Role.ANALYST)
    deployed = analyst.post("/processes", data=_uploads(PROCESSES / "missed_bin_collection.bpmn", FORMS))
    assert deployed.status_code == 201, deployed.json
    assert deployed.json["deployed"] == [{"process": "missed_bin_collection", "version": 1,
                                          "name": "Missed bin collection", "changed": True}]
    assert analyst.get("/processes").json == [{"process": "missed_bin_collection", "name": "Missed bin collection",
                                               "latest_version": 1, "versions": 1}]

    started = advisor.post("/cases", {"process": "missed_bin_collection", "channel": "phone"})
    assert started.status_code == 201
    case = started.json
    assert started.headers["Location"] == f"/api/v1/cases/{case['reference']}"
    inbox = advisor.get(f"/tasks?case={case['reference']}").json
    assert inbox["total"] == 1 and inbox["items"][0]["team"] == "Customer Hub"
    task = inbox["items"][0]

    claimed = advisor.post(f"/tasks/{task['id']}/claim")
    assert claimed.status_code == 200 and claimed.json["assignee"] == advisor.email
    after = advisor.post(f"/tasks/{task['id']}/complete", {"data": MISSED_BIN}).json
    explain = after["tasks"][0]
    assert explain["bpmn_id"] == "explain_crew_report"
    done = advisor.post(f"/tasks/{explain['id']}/complete", {"data": EXPLAINED})
    assert done.status_code == 200 and done.json["status"] == "completed" and done.json["tasks"] == []

    shown = advisor.get(f"/cases/{case['reference']}").json
    assert shown["data"]["outcome"] == "resolved_first_contact" and shown["completed_at"]
    history = advisor.get(f"/cases/{case['reference']}/history").json["history"]
    kinds = [e["kind"] for e in history]
    assert kinds[0] == "case_started" and kinds[-1] == "case_completed"
    assert [e["actor"] for e in history if e["kind"] == "task_completed"] == [advisor.email] * 2


def test_analyst_sees_versions_and_downloads_the_exact_map_a_version_ran(api_as):
    analyst = api_as(Role.ANALYST)
    analyst.post("/processes", json={"files": {"simple.bpmn": simple("Review v1")}})
    analyst.post("/processes", json={"files": {"simple.bpmn": simple("Review v2")}})
    versions = analyst.get("/processes/simple/versions").json
    assert [(v["version"], v["deployed_by"], v["files"]) for v in versions] == \
        [(1, analyst.email, ["simple.bpmn"]), (2, analyst.email, ["simple.bpmn"])]
    first = analyst.get("/processes/simple/versions/1/files/simple.bpmn")
    assert first.status_code == 200 and b"Review v1" in first.data and first.mimetype == "application/xml"
    assert "attachment" in first.headers["Content-Disposition"]
    assert analyst.get("/processes/simple/versions/3/files/simple.bpmn").status_code == 404
    assert analyst.get("/processes/nothing/versions").status_code == 404


def test_deploying_a_broken_map_reports_file_line_element_and_stores_nothing(api_as):
    analyst = api_as(Role.ANALYST)
    broken = simple(script="import os")
    refused = analyst.post("/processes", json={"files": {"broken.bpmn": broken, "notes.txt": "hello"}})
    assert refused.status_code == 422
    errors = refused.json["errors"]
    assert {"file": "notes.txt", "line": None, "element": None,
            "message": "only .bpmn, .dmn and form .json files can be deployed"} in errors
    refused = analyst.post("/processes", json={"files": {"broken.bpmn": broken}})
    error = refused.json["errors"][0]
    assert error["file"] == "broken.bpmn" and error["element"] == "script" and error["line"] > 1
    assert analyst.get("/processes").json == []
    nothing = analyst.post("/processes", data={"note": "no files"}, content_type="multipart/form-data")
    assert nothing.status_code == 422 and "at least one" in nothing.json["errors"][0]["message"]
    assert analyst.post("/processes", data="x", content_type="text/plain").status_code == 415


@pytest.mark.usefixtures("library")
def test_invalid_form_data_is_refused_per_field_and_the_task_stays_open(advisor):
    case = advisor.post("/cases", {"process": "missed_bin_collection"}).json
    task = case["tasks"][0]
    refused = advisor.post(f"/tasks/{task['id']}/complete", {"data": {}})
    assert refused.status_code == 422
    assert refused.json["errors"]["scheduled_collection_date"] == "Enter the scheduled collection date"
    assert refused.json["message"].startswith("There is a problem with the form")
    assert advisor.get(f"/tasks?case={case['reference']}").json["total"] == 1


@pytest.mark.usefixtures("library")
def test_requests_that_cannot_be_read_say_why(advisor):
    not_json = advisor.post("/cases", data="{not json", content_type="application/json")
    assert not_json.status_code == 400 and "not valid JSON" in not_json.json["message"]
    form_encoded = advisor.post("/cases", data={"process": "missed_bin_collection"})
    assert form_encoded.status_code == 415 and "application/json" in form_encoded.json["message"]
    assert advisor.post("/cases", data="[1]", content_type="application/json").status_code == 400
    nan = advisor.post("/cases", data='{"process": "x", "data": {"n": NaN}}', content_type="application/json")
    assert nan.status_code == 400
    huge = advisor.post("/cases", data='{"process": "x", "data": {"n": 1e999}}', content_type="application/json")
    assert huge.status_code == 400 and "too large" in huge.json["message"]
    nul = advisor.post("/cases", {"process": "missed\u0000bin"})
    assert nul.status_code == 400 and "NUL" in nul.json["message"]
    assert advisor.get("/cases/CF-%00").status_code == 400
    too_big = advisor.post("/cases", {"process": "missed_bin_collection", "data": {"notes": "x" * 3_000_000}})
    assert too_big.status_code == 413 and too_big.is_json


@pytest.mark.usefixtures("library")
def test_wrong_fields_are_named_with_a_message_each(advisor):
    wrong = advisor.post("/cases", {"process": 7, "channel": "pigeon", "data": ["x"]})
    assert wrong.status_code == 422
    assert wrong.json["errors"] == {"process": "Process key must be text", "data": "Data must be a JSON object",
                                    "channel": "Select channel from the list"}
    assert advisor.post("/cases", {}).json["errors"] == {"process": "Enter process key"}
    unknown = advisor.post("/cases", {"process": "no_such_process"})
    assert unknown.status_code == 422
    assert unknown.json["errors"] == {"process": "There is no process 'no_such_process' deployed"}
    paging = advisor.get("/tasks?page=0&page_size=x&sort=name&status=lost")
    assert paging.status_code == 422 and set(paging.json["errors"]) == {"page", "page_size", "sort", "status"}


def test_unknown_cases_tasks_and_addresses_are_404_json(api_as):
    admin = api_as(Role.ADMIN)
    missing = admin.get("/cases/CF-999999")
    assert missing.status_code == 404 and missing.json == {"message": "There is no case CF-999999"}
    assert admin.post("/tasks/999/claim").json == {"message": "There is no task 999"}
    for address in ("/tasks/99999999999999999999/claim", "/tasks/0/claim", "/no/such/thing"):
        answer = admin.post(address)
        assert answer.status_code == 404 and answer.json["message"].startswith("There is no API endpoint")
    wrong_method = admin.open("DELETE", "/cases")
    assert wrong_method.status_code == 405 and "POST" in wrong_method.headers["Allow"]
    assert wrong_method.is_json


@pytest.mark.usefixtures("library")
def test_back_office_sees_and_works_only_its_own_teams_tasks(api_as, advisor):
    waste = api_as(Role.BACK_OFFICE, teams=("Waste Services",))
    task = advisor.post("/cases", {"process": "missed_bin_collection"}).json["tasks"][0]
    assert waste.get("/tasks").json["total"] == 0
    other_team = waste.get("/tasks?team=Customer Hub")
    assert other_team.status_code == 403 and "not a member of Customer Hub" in other_team.json["message"]
    # Another team's task in a case they may not see is answered as one that does not exist (finding 12).
    claim = waste.post(f"/tasks/{task['id']}/claim")
    assert claim.status_code == 404 and claim.json["message"] == f"There is no task {task['id']}"
    assert waste.post(f"/tasks/{task['id']}/complete", {"data": MISSED_BIN}).status_code == 404
    assert waste.get("/tasks?team=Nobody").json["errors"] == {"team": "There is no team called 'Nobody'"}
    assert api_as(Role.ADMIN).get("/tasks?team=Customer Hub").json["total"] == 1


@pytest.mark.usefixtures("library")
def test_second_completion_is_a_conflict_naming_who_completed_it(api_as, advisor):
    colleague = api_as(Role.FRONT_OFFICE, teams=("Customer Hub",))
    task = advisor.post("/cases", {"process": "missed_bin_collection"}).json["tasks"][0]
    assert advisor.post(f"/tasks/{task['id']}/complete", {"data": MISSED_BIN}).status_code == 200
    again = colleague.post(f"/tasks/{task['id']}/complete", {"data": MISSED_BIN})
    assert again.status_code == 409
    assert again.json["message"] == \
        f"Task {task['id']} (Record missed collection) was already completed by {advisor.email}"


@pytest.mark.usefixtures("library")
def test_team_lead_assigns_and_returns_a_task_to_the_queue(api_as, advisor):
    lead = api_as(Role.TEAM_LEAD, teams=("Customer Hub",))
    task = advisor.post("/cases", {"process": "missed_bin_collection"}).json["tasks"][0]
    assigned = lead.post(f"/tasks/{task['id']}/assign", {"assignee": advisor.email})
    assert assigned.status_code == 200 and assigned.json["assignee"] == advisor.email
    assert advisor.get("/tasks?assignee=me").json["total"] == 1
    assert lead.post(f"/tasks/{task['id']}/assign", {"assignee": None}).json["assignee"] is None
    assert advisor.get("/tasks?assignee=none").json["total"] == 1
    # An address without an account is refused as anyone outside the team is: no telling who has one.
    ghost = lead.post(f"/tasks/{task['id']}/assign", {"assignee": "ghost@example.gov.uk"})
    assert ghost.status_code == 403 and ghost.json["message"] == (
        f"ghost@example.gov.uk is not a member of Customer Hub, so task {task['id']} cannot be assigned to them")
    # The web inbox's rule: anyone in the team takes the task themselves; only a lead gives it to others.
    handed = advisor.post(f"/tasks/{task['id']}/assign", {"assignee": lead.email})
    assert handed.status_code == 403 and "Only a team lead" in handed.json["message"]
    assert advisor.post(f"/tasks/{task['id']}/assign", {"assignee": advisor.email}).json["assignee"] == advisor.email


@pytest.mark.usefixtures("library")
def test_inbox_pages_and_sorts(advisor):
    references = [advisor.post("/cases", {"process": "missed_bin_collection"}).json["reference"] for _ in range(5)]
    pages = [advisor.get(f"/tasks?page_size=2&page={n}").json for n in (1, 2, 3, 4)]
    assert [p["total"] for p in pages] == [5] * 4 and [len(p["items"]) for p in pages] == [2, 2, 1, 0]
    assert [t["case"] for p in pages for t in p["items"]] == references
    newest_first = advisor.get("/tasks?sort=-created_at&page_size=5").json["items"]
    assert [t["case"] for t in newest_first] == references[::-1]
    assert advisor.get("/tasks?process=missed_bin_collection&task=record_missed_collection").json["total"] == 5
    assert advisor.get("/tasks?task=Record missed collection").json["total"] == 5
    assert advisor.get("/tasks?process=pothole_report").json["total"] == 0
    assert advisor.get("/tasks?status=completed").json["items"] == []


def test_a_failed_step_is_reported_in_the_case_not_as_a_server_error(api_as):
    admin = api_as(Role.ADMIN)
    admin.post("/processes", json={"files": {"simple.bpmn": simple(script="outcome = missing_variable + 1")}})
    case = admin.post("/cases", {"process": "simple"}).json
    failed = admin.post(f"/tasks/{case['tasks'][0]['id']}/complete")
    assert failed.status_code == 200 and failed.json["status"] == "failed"
    assert "missing_variable" in failed.json["error"]
    retried = admin.post(f"/cases/{case['reference']}/retry")
    assert retried.status_code == 200 and retried.json["status"] == "failed"


@pytest.mark.usefixtures("library")
def test_cancelling_closes_the_case_and_a_second_cancel_conflicts(api_as, advisor):
    reference = advisor.post("/cases", {"process": "missed_bin_collection"}).json["reference"]
    cancelled = advisor.post(f"/cases/{reference}/cancel", {"reason": "duplicate report"})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    history = advisor.get(f"/cases/{reference}/history").json["history"]
    assert {"kind": "case_cancelled", "detail": {"reason": "duplicate report"}, "actor": advisor.email}.items() \
        <= next(e for e in history if e["kind"] == "case_cancelled").items()
    assert advisor.post(f"/cases/{reference}/cancel").status_code == 409


def test_teams_show_their_open_workload(api_as, library, advisor):
    advisor.post("/cases", {"process": "missed_bin_collection"})
    teams = {t["name"]: t["open_tasks"] for t in advisor.get("/teams").json}
    assert teams["Customer Hub"] == 1 and teams.get("Waste Services", 0) == 0


def test_tokens_not_sessions_sign_in_to_the_api(app, ctx, make_user, api_as):
    assert Api(app.test_client(), None).get("/teams").headers["WWW-Authenticate"] == 'Bearer realm="councilflow"'
    bad = Api(app.test_client(), "cf_not-a-token").get("/teams")
    assert bad.status_code == 401 and bad.json == {"message": "The API token is not valid"}
    assert 'error="invalid_token"' in bad.headers["WWW-Authenticate"]
    basic = app.test_client().get("/api/v1/teams", headers={"Authorization": "Basic eDp5"})
    assert basic.status_code == 401 and "Bearer" in basic.json["message"]

    browser = app.test_client()
    assert sign_in(browser, make_user("clerk@example.gov.uk", Role.ADMIN)).status_code == 302
    assert browser.get("/api/v1/teams").status_code == 401  # a session cookie is not enough (no CSRF)

    user = api_as(Role.ADMIN)
    assert user.get("/teams").status_code == 200
    with ctx.db.transaction() as session:
        tokens.revoke_tokens(session, user.email, ctx.clock.now())
    assert user.get("/teams").status_code == 401


def test_unexpected_failures_are_json_with_an_id_that_is_logged(api_as, monkeypatch, caplog):
    from engine import casework

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(casework, "require_case_visible", broken)  # the wing's face, which the API calls
    answer = api_as(Role.ADMIN).get("/cases/CF-000001")
    assert answer.status_code == 500 and answer.is_json
    assert answer.json["message"] == "Internal error" and "fire" not in answer.get_data(as_text=True)
    assert answer.json["id"] in caplog.text
