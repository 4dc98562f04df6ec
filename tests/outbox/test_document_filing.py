"""Documents staff attach to a case are filed into the EDRMS exactly once, whatever the network
does; when they cannot be, an incident lets an admin retry or give up with a note."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

from adapters.registry import AdapterRegistry
from engine.background import incidents
from engine.casework import cases, documents
from engine.people import users
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.errors import UserError
from engine.persistence.db import Database
from engine.types import Role
from engine.background.worker import Worker
from tests.adapters.conftest import CMIS_ENV, FAULT_DELAY_S, cmis_config
from tests.conftest import FORMS
from tests.engine import maps
from tests.engine.helpers import deploy_text

PDF = b"%PDF-1.7 a photo of the fly-tipping, as a PDF"
CASE_FOLDER = "/cmis/browser/fake-repo/root/Sites/cases"
EVIDENCE = maps.process("gather_evidence", maps.start("f1")
                        + maps.user_task("review", "Review the evidence", "f1", "f2") + maps.end("done", "f2")
                        + maps.flow("f1", "start", "review") + maps.flow("f2", "review", "done"))


@pytest.fixture
def ctx(database_url, edrms, monkeypatch):
    adapters = AdapterRegistry.from_config(cmis_config(edrms), CMIS_ENV)
    context = Context(Database(database_url), clock=FixedClock(datetime(2026, 5, 5, 9, tzinfo=timezone.utc)),
                      settings=Settings(forms_dir=FORMS), adapters=adapters)
    deploy_text(context, "gather_evidence.bpmn", EVIDENCE)
    with context.db.transaction() as session:
        users.add_user(session, "advisor@example.gov.uk", "Advisor", [Role.FRONT_OFFICE], context.clock.now())
    yield context
    context.db.dispose()


@pytest.fixture
def case(ctx):
    return cases.start_case(ctx, "gather_evidence", actor="advisor@example.gov.uk").reference


def work(ctx, rounds: int = 1) -> None:
    for _ in range(rounds):
        Worker(ctx).run_calls()
        ctx.clock.advance(minutes=5)


def history(ctx, reference):
    return [e for e in cases.show_case(ctx, reference).history if e.kind.startswith(("document", "incident"))]


def test_an_attached_document_is_filed_once_in_the_case_folder(ctx, edrms, case):
    added = documents.add_document(ctx, case, "Photo evidence.pdf", PDF, "application/pdf", "advisor@example.gov.uk")
    assert added.filing_status == "pending" and edrms.documents() == []  # nothing sent inside the request
    work(ctx, 2)
    [stored] = edrms.documents()
    assert stored["content"] == PDF
    assert stored["props"]["cmis:description"] == f"{case}:document:{added.id}"
    assert edrms.objects[stored["parent"]]["props"]["cmis:name"] == case
    [view] = documents.list_documents(ctx, case)
    assert view.filing_status == "filed" and view.filed_reference == stored["props"]["cmis:objectId"]
    assert [e.kind for e in history(ctx, case)] == ["document_added", "document_filed"]


def test_a_503_then_success_files_it_once(ctx, edrms, case):
    edrms.fail(times=1, status=503, method="POST")
    documents.add_document(ctx, case, "letter.pdf", PDF, None, "advisor@example.gov.uk")
    work(ctx, 3)
    assert len(edrms.documents()) == 1
    assert documents.list_documents(ctx, case)[0].filing_status == "filed"


def test_a_timeout_after_the_edrms_stored_it_does_not_file_it_twice(ctx, edrms, case):
    documents.add_document(ctx, case, "letter.pdf", PDF, None, "advisor@example.gov.uk")
    edrms.delay(FAULT_DELAY_S, method="POST", path=f"{CASE_FOLDER}/{case}")  # stored; the answer comes too late
    work(ctx)
    assert documents.list_documents(ctx, case)[0].filing_status == "pending"
    work(ctx, 2)
    assert len(edrms.documents()) == 1
    assert documents.list_documents(ctx, case)[0].filing_status == "filed"


def test_exhausted_retries_raise_an_incident_and_a_retry_files_it(ctx, edrms, case):
    edrms.fail(times=20, status=503)
    documents.add_document(ctx, case, "letter.pdf", PDF, None, "advisor@example.gov.uk")
    work(ctx, 6)
    [incident] = incidents.list_incidents(ctx, case=case)
    assert incident.kind == "retries_exhausted" and incident.operation == "edrms/upload_document"
    assert documents.list_documents(ctx, case)[0].filing_status == "failed" and edrms.documents() == []
    detail = incidents.get_incident(ctx, incident.id)
    assert detail.document == "letter.pdf" and "content_base64" not in detail.params
    edrms.faults.clear()
    incidents.retry_incident(ctx, incident.id, actor="admin@example.gov.uk", note="EDRMS back up")
    assert documents.list_documents(ctx, case)[0].filing_status == "pending"
    work(ctx)
    assert len(edrms.documents()) == 1
    assert documents.list_documents(ctx, case)[0].filing_status == "filed"
    assert incidents.list_incidents(ctx, case=case) == []


def test_a_refused_document_is_an_incident_an_admin_can_skip(ctx, edrms, case):
    edrms.reject("The records policy forbids this file", status=400, method="POST")
    documents.add_document(ctx, case, "letter.pdf", PDF, None, "advisor@example.gov.uk")
    work(ctx)
    [incident] = incidents.list_incidents(ctx, case=case)
    assert incident.kind == "rejected" and "records policy" in incident.message
    incidents.skip_incident(ctx, incident.id, actor="admin@example.gov.uk", note="Filed by hand as REC-9")
    [view] = documents.list_documents(ctx, case)
    assert view.filing_status == "not_filed"
    work(ctx, 2)
    assert edrms.documents() == [] and documents.list_documents(ctx, case)[0].filing_status == "not_filed"
    skipped = [e for e in history(ctx, case) if e.kind == "incident_skipped"]
    assert skipped[0].detail["note"] == "Filed by hand as REC-9"
    assert cases.show_case(ctx, case).case.status == "open"  # the case itself was never touched


def test_without_an_edrms_the_document_is_kept_but_not_filed(ctx, edrms, case, monkeypatch):
    ctx.settings = dataclasses.replace(ctx.settings, document_filing=None)  # COUNCILFLOW_DOCUMENT_FILING=none
    added = documents.add_document(ctx, case, "letter.pdf", PDF, None, "advisor@example.gov.uk")
    work(ctx)
    assert added.filing_status == "not_filed" and edrms.requests == []
    assert documents.get_document(ctx, case, added.id).content == PDF


@pytest.mark.parametrize("name, content, problem", [
    ("", PDF, "Select a file"),
    ("empty.pdf", b"", "is empty"),
    ("script.exe", b"MZ", "not a type of file"),
    ("fake.pdf", b"<html>", "not really a PDF"),
    ("big.txt", b"x" * (documents.MAX_BYTES + 1), "larger than 20 MB"),
])
def test_unsuitable_files_are_refused_and_nothing_is_queued(ctx, edrms, case, name, content, problem):
    with pytest.raises(UserError, match=problem):
        documents.add_document(ctx, case, name, content, None, "advisor@example.gov.uk")
    work(ctx)
    assert documents.list_documents(ctx, case) == [] and edrms.requests == []


def test_file_names_lose_folders_and_unsafe_characters():
    assert documents.clean_filename("C:\\Users\\me\\..\\evil<script>.PDF") == "evil_script_.pdf"
    assert documents.clean_filename("../../etc/passwd") == "passwd"
    assert documents.clean_filename("\x00\x1f.pdf") == "pdf"
