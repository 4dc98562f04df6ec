"""An admin works an incident in the browser (list, detail, a retry refused without a note, then a
retry with one), sets an SLA, and a document is attached to a case; every page is checked."""
from __future__ import annotations

import pytest

from adapters.registry import AdapterRegistry
from engine.background import incidents
from engine.casework import cases, documents
from engine.outbox import outbox
from engine.types import Role
from tests.adapters.conftest import CMIS_ENV, cmis_config
from tests.fakes.cmis import FakeCmis

from .journey import check
from .server import add_staff, chromium

ADMIN = "h5-admin@example.gov.uk"


@pytest.fixture(scope="module")
def admin_browser(server):
    add_staff(server.ctx, ADMIN, "Ada Admin", [Role.ADMIN, Role.FRONT_OFFICE])
    with chromium(server, ADMIN) as context:
        yield context


@pytest.fixture
def admin_page(admin_browser):
    page = admin_browser.new_page()
    yield page
    page.close()


@pytest.fixture
def refused_document(server, monkeypatch):
    """A case whose attached document the EDRMS refused: an open incident on its filing call."""
    ctx = server.ctx
    reference = cases.start_case(ctx, "missed_bin_collection", actor="advisor@example.gov.uk").reference
    with FakeCmis() as fake:  # configured only while the document is added, so its filing is queued
        ctx.adapters = AdapterRegistry.from_config(cmis_config(fake), CMIS_ENV)
        try:
            added = documents.add_document(ctx, reference, "h5 letter.pdf", b"%PDF-1.7 h5", None,
                                           "advisor@example.gov.uk")
        finally:
            ctx.adapters = None
    assert outbox.record_rejection(ctx, f"{reference}:document:{added.id}", "The EDRMS refused the file type", {})
    [incident] = incidents.list_incidents(ctx, case=reference)
    return reference, incident


def test_an_admin_retries_an_incident_with_a_note(server, admin_page, refused_document):
    reference, incident = refused_document
    page = admin_page
    page.goto(f"{server.url}/admin/incidents")
    check(page)
    page.click(f"a[href='/admin/incidents/{incident.id}']")
    check(page)
    assert "h5 letter.pdf" in page.content() and "The EDRMS refused the file type" in page.content()
    page.click("button:has-text('Retry')")
    check(page)  # the error state: a note is required
    assert "There is a problem" in page.content()
    page.fill("#retry-note", "Records team allowed PDFs again")
    page.click("button:has-text('Retry')")
    page.wait_for_url(f"{server.url}/admin/incidents")
    check(page)
    assert f"Incident {incident.id} will be tried again" in page.content()
    page.goto(f"{server.url}/admin/incidents?status=resolved")
    check(page)
    [resolved] = [i for i in incidents.list_incidents(server.ctx, None, reference)]
    assert resolved.status == "retried" and resolved.resolution_note == "Records team allowed PDFs again"
    assert resolved.resolved_by == ADMIN
    page.goto(f"{server.url}/admin/incidents/{incident.id}")
    check(page)


def test_an_admin_sets_an_sla_and_a_closure_day(server, admin_page):
    page = admin_page
    page.goto(f"{server.url}/admin/sla")
    check(page)
    page.click("a:has-text('Set an SLA')")
    check(page)
    page.select_option("#target", "missed_bin_collection:arrange_recollection")
    page.check("input[name='unit'][value='working_days']")
    page.fill("#amount", "3")
    page.fill("#warn_at", "70")
    page.click("button:has-text('Save SLA')")
    page.wait_for_url(f"{server.url}/admin/sla")
    check(page)
    assert "3 working days" in page.content()
    page.fill("#day", "2031-12-29")
    page.fill("#label", "H5 closure")
    page.click("button:has-text('Add closure day')")
    check(page)
    assert "H5 closure" in page.content()
    page.click("button:has-text('Remove'):has(span:text('29 December 2031'))")
    check(page)
    assert "H5 closure" not in page.content()


def test_a_document_is_attached_from_the_documents_page(server, admin_page):
    reference = cases.start_case(server.ctx, "missed_bin_collection", actor="advisor@example.gov.uk").reference
    page = admin_page
    page.goto(f"{server.url}/cases/{reference}/documents")
    check(page)
    page.click("button:has-text('Upload document')")  # nothing chosen: the error state
    check(page)
    assert "Select a file to upload" in page.content()
    page.set_input_files("#document", files=[{"name": "photo.png", "mimeType": "image/png",
                                               "buffer": b"\x89PNG\r\n\x1a\n h5"}])
    page.click("button:has-text('Upload document')")
    page.wait_for_load_state()
    check(page)
    assert "photo.png was added to the case" in page.content()
