"""Admins see the incidents, open one, and retry or skip it with a note."""
from __future__ import annotations

import pytest

from adapters.registry import AdapterRegistry
from engine.background import incidents
from engine.casework import cases, documents
from engine.governance import audit
from engine.types import Role
from engine.background.worker import Worker
from tests.adapters.conftest import CMIS_ENV, cmis_config
from tests.engine.helpers import deploy_text
from tests.outbox.conftest import edrms  # noqa: F401  (the fake EDRMS fixture)

from .conftest import csrf_token
from .test_documents import PDF, REVIEW


@pytest.fixture
def incident(ctx, edrms, make_user, monkeypatch):
    """An open incident: the EDRMS refused a document."""
    ctx.adapters = AdapterRegistry.from_config(cmis_config(edrms), CMIS_ENV)
    deploy_text(ctx, "review_letter.bpmn", REVIEW)
    make_user("starter@example.gov.uk", Role.FRONT_OFFICE)
    reference = cases.start_case(ctx, "review_letter", actor="starter@example.gov.uk").reference
    documents.add_document(ctx, reference, "letter.pdf", PDF, None, "starter@example.gov.uk")
    edrms.reject("The folder is locked for records review", status=400, method="POST")
    Worker(ctx).run_calls()
    [found] = incidents.list_incidents(ctx, case=reference)
    return found


def test_the_list_shows_open_incidents_with_case_operation_and_attempts(signed_in, incident):
    page = signed_in(Role.ADMIN).get("/admin/incidents").get_data(as_text=True)
    assert f'href="/cases/{incident.case}"' in page and "edrms/upload_document" in page
    assert "The folder is locked for records review" in page and "rejected" in page
    assert f'href="/admin/incidents/{incident.id}"' in page
    resolved = signed_in(Role.ADMIN, Role.ANALYST).get("/admin/incidents?status=resolved").get_data(as_text=True)
    assert "There are no resolved incidents" in resolved


def test_the_detail_shows_the_call_with_file_contents_hidden(signed_in, incident):
    page = signed_in(Role.ADMIN).get(f"/admin/incidents/{incident.id}").get_data(as_text=True)
    assert "letter.pdf" in page and f"{incident.case}:document:" in page
    assert "content_base64" not in page and "JVBER" not in page  # no file content on the page
    assert 'id="retry-note"' in page and 'id="skip-note"' in page


def test_a_retry_needs_a_note(signed_in, incident):
    client = signed_in(Role.ADMIN)
    page = client.get(f"/admin/incidents/{incident.id}").get_data(as_text=True)
    response = client.post(f"/admin/incidents/{incident.id}/retry", data={"csrf_token": csrf_token(page), "note": " "})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "There is a problem" in body and 'href="#retry-note"' in body and "safe to try again" in body


def test_retry_with_a_note_requeues_and_files_the_document(signed_in, ctx, edrms, incident):
    client = signed_in(Role.ADMIN)
    page = client.get(f"/admin/incidents/{incident.id}").get_data(as_text=True)
    response = client.post(f"/admin/incidents/{incident.id}/retry",
                           data={"csrf_token": csrf_token(page), "note": "Records review finished"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/incidents")
    assert f"Incident {incident.id} will be tried again" in client.get("/admin/incidents").get_data(as_text=True)
    Worker(ctx).run_calls()
    assert documents.list_documents(ctx, incident.case)[0].filing_status == "filed"
    [resolved] = incidents.list_incidents(ctx, status="retried")
    assert resolved.resolved_by == "admin@example.gov.uk" and resolved.resolution_note == "Records review finished"
    [trail] = audit.entries(ctx, audit.Filters(kind="incident_retried"))
    assert (trail.actor, trail.subject, trail.detail["note"]) == ("admin@example.gov.uk", str(incident.id),
                                                                  "Records review finished")
    again = client.post(f"/admin/incidents/{incident.id}/skip", data={"csrf_token": csrf_token(page), "note": "x"})
    assert again.status_code == 409


def test_skip_with_a_note_keeps_the_document_unfiled(signed_in, ctx, incident):
    client = signed_in(Role.ADMIN)
    page = client.get(f"/admin/incidents/{incident.id}").get_data(as_text=True)
    client.post(f"/admin/incidents/{incident.id}/skip", data={"csrf_token": csrf_token(page), "note": "Filed by hand"})
    assert documents.list_documents(ctx, incident.case)[0].filing_status == "not_filed"
    detail = client.get(f"/admin/incidents/{incident.id}").get_data(as_text=True)
    assert "Filed by hand" in detail and 'id="retry-note"' not in detail


def test_only_admins_reach_incidents(signed_in, incident):
    for role in (Role.FRONT_OFFICE, Role.TEAM_LEAD, Role.ANALYST):
        assert signed_in(role).get("/admin/incidents").status_code == 403
    assert signed_in(Role.ADMIN).get("/admin/incidents/999999").status_code == 404
