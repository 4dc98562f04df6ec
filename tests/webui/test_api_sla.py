"""SLAs and case documents through the REST API: admins set policies, team leads read them, staff
see a case's clocks and attach documents; every refusal is JSON with field errors."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest

from engine.casework import cases, documents
from engine.clock import FixedClock
from engine.types import Role
from tests.engine.helpers import deploy_text
from tests.webui.test_api import api_as  # noqa: F401  (the fixture)

from .test_documents import PDF, REVIEW


@pytest.fixture
def deployed(ctx, make_user, monkeypatch):
    ctx.clock = FixedClock(datetime(2026, 5, 5, 9, tzinfo=timezone.utc))  # a Tuesday, in working hours
    deploy_text(ctx, "review_letter.bpmn", REVIEW)
    make_user("starter@example.gov.uk", Role.FRONT_OFFICE)
    return ctx


def test_an_admin_sets_reads_and_removes_policies(api_as, deployed):
    admin = api_as(Role.ADMIN)
    case_sla = admin.open("PUT", "/sla/policies/review_letter", json={"working_days": 5, "warn_at_percent": 80})
    assert case_sla.status_code == 200, case_sla.json
    assert case_sla.json["unit"] == "working_days" and case_sla.json["amount"] == 5 and case_sla.json["task"] is None
    task_sla = admin.open("PUT", "/sla/policies/review_letter/tasks/review",
                          json={"working_hours": 4, "escalations": ["breach:notify-team-lead"]})
    assert task_sla.status_code == 200 and task_sla.json["escalations"] == ["breach:notify-team-lead"]
    lead = api_as(Role.TEAM_LEAD)
    listed = lead.get("/sla/policies?process=review_letter")
    assert listed.status_code == 200 and [(p["task"], p["unit"]) for p in listed.json] == [
        (None, "working_days"), ("review", "working_hours")]
    assert admin.open("DELETE", "/sla/policies/review_letter/tasks/review").status_code == 204
    assert admin.open("DELETE", "/sla/policies/review_letter").status_code == 204
    assert lead.get("/sla/policies").json == []
    gone = admin.open("DELETE", "/sla/policies/review_letter")
    assert gone.status_code == 404 and "There is no SLA" in gone.json["message"]


def test_only_admins_change_policies_and_front_office_cannot_read_them(api_as, deployed):
    lead = api_as(Role.TEAM_LEAD)
    refused = lead.open("PUT", "/sla/policies/review_letter", json={"working_days": 5})
    assert refused.status_code == 403 and "admin" in refused.json["message"]
    assert api_as(Role.FRONT_OFFICE).get("/sla/policies").status_code == 403


@pytest.mark.parametrize("body, field", [
    ({}, "working_days"),
    ({"working_days": 2, "calendar_days": 3}, "working_days"),
    ({"working_days": 0}, "working_days"),
    ({"working_days": "two"}, "working_days"),
    ({"working_days": 2, "warn_at_percent": 100}, "warn_at_percent"),
    ({"working_days": 2, "escalations": ["shout"]}, "escalations"),
    ({"working_days": 2, "escalations": ["reassign:Nobody's Team"]}, "escalations"),
    ({"working_days": 2, "colour": "red"}, "_form"),
])
def test_a_wrong_policy_body_gets_field_errors(api_as, deployed, body, field):
    response = api_as(Role.ADMIN).open("PUT", "/sla/policies/review_letter", json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]


def test_a_policy_with_a_conditional_target_round_trips_and_a_broken_condition_is_refused(api_as, deployed):
    admin = api_as(Role.ADMIN)
    rules = [{"when": 'priority == "urgent"', "amount": 1}]
    saved = admin.open("PUT", "/sla/policies/review_letter", json={"working_days": 5, "rules": rules})
    assert saved.status_code == 200 and saved.json["rules"] == rules, saved.json
    urgent = cases.start_case(deployed, "review_letter", {"priority": "urgent"}, actor="starter@example.gov.uk")
    assert urgent.due_at == datetime(2026, 5, 6, 16, tzinfo=timezone.utc).isoformat()  # Wednesday 17:00 BST
    listed = api_as(Role.TEAM_LEAD).get("/sla/policies").json
    assert listed[0]["rules"] == rules and listed[0]["label"] == "review_letter – whole case"
    broken = admin.open("PUT", "/sla/policies/review_letter",
                        json={"working_days": 5, "rules": [{"when": "priority ==", "amount": 1}]})
    assert broken.status_code == 422 and "cannot be used" in broken.json["errors"]["rules"]
    assert admin.open("PUT", "/sla/policies/review_letter",
                      json={"working_days": 5, "rules": [{"when": "x"}]}).status_code == 422
    assert api_as(Role.TEAM_LEAD).get("/sla/policies").json[0]["rules"] == rules


def test_a_policy_for_a_missing_process_or_task_is_refused(api_as, deployed):
    admin = api_as(Role.ADMIN)
    assert admin.open("PUT", "/sla/policies/no_such_process", json={"working_days": 1}).status_code == 404
    task = admin.open("PUT", "/sla/policies/review_letter/tasks/nope", json={"working_days": 1})
    assert task.status_code == 400 and "has no user task 'nope'" in task.json["message"]


def test_a_case_sla_shows_due_state_and_time_left(api_as, deployed):
    api_as(Role.ADMIN).open("PUT", "/sla/policies/review_letter", json={"working_days": 2})
    reference = cases.start_case(deployed, "review_letter", actor="starter@example.gov.uk").reference
    response = api_as(Role.BACK_OFFICE, teams=("Customer Hub",)).get(f"/cases/{reference}/sla")
    assert response.status_code == 200
    assert api_as(Role.BACK_OFFICE, teams=("Waste Services",)).get(f"/cases/{reference}/sla").status_code == 404
    [clock] = response.json["clocks"]
    assert clock["state"] == "on_track" and clock["remaining"] == "2 working days left"
    assert clock["due_at"].startswith("2026-05-07")
    assert api_as(Role.BACK_OFFICE).get("/cases/CF-999999/sla").status_code == 404
    assert api_as(Role.BACK_OFFICE).get(f"/cases/{reference}/sla?all=maybe").status_code == 422


def test_documents_are_attached_and_listed(api_as, deployed):
    reference = cases.start_case(deployed, "review_letter", actor="starter@example.gov.uk").reference
    staff = api_as(Role.FRONT_OFFICE)
    added = staff.post(f"/cases/{reference}/documents", data={"file": (io.BytesIO(PDF), "letter.pdf")},
                       content_type="multipart/form-data")
    assert added.status_code == 201, added.json
    assert added.json["filename"] == "letter.pdf" and added.json["filing_status"] == "not_filed"
    listed = staff.get(f"/cases/{reference}/documents")
    assert listed.status_code == 200 and [d["id"] for d in listed.json] == [added.json["id"]]


def test_document_uploads_are_checked(api_as, deployed):
    reference = cases.start_case(deployed, "review_letter", actor="starter@example.gov.uk").reference
    staff = api_as(Role.FRONT_OFFICE)
    wrong = staff.post(f"/cases/{reference}/documents", data={"file": (io.BytesIO(b"MZ"), "tool.exe")},
                       content_type="multipart/form-data")
    assert wrong.status_code == 422 and "not a type of file" in wrong.json["errors"]["file"]
    missing = staff.post(f"/cases/{reference}/documents", data={"other": "x"}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "file" in missing.json["errors"]
    assert staff.post(f"/cases/{reference}/documents", json={"file": "x"}).status_code == 415
    huge = staff.post(f"/cases/{reference}/documents", content_type="multipart/form-data",
                      data={"file": (io.BytesIO(b"x" * (documents.MAX_BYTES + 200_000)), "big.txt")})
    assert huge.status_code == 413 and huge.is_json
    outsider = api_as(Role.BACK_OFFICE, teams=("Waste Services",))
    assert outsider.get(f"/cases/{reference}/documents").status_code == 404  # as a case that does not exist
    assert api_as(Role.ANALYST).get(f"/cases/{reference}/documents").status_code == 403
    assert staff.get("/cases/CF-999999/documents").status_code == 404


def test_the_openapi_document_describes_the_new_operations(api_as, deployed):
    paths = api_as(Role.ADMIN).client.get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/sla/policies/{key}/tasks/{name}"]) == {"put", "delete"}
    assert paths["/sla/policies"]["get"]["x-roles"] == ["team_lead"]
    assert "multipart/form-data" in paths["/cases/{reference}/documents"]["post"]["requestBody"]["content"]
    assert "/cases/{reference}/sla" in paths
