"""Staff attach documents to a case and open them again; who may see the case may do both."""
from __future__ import annotations

import io

import pytest

from adapters.registry import AdapterRegistry
from engine.casework import cases, documents
from engine.types import Role
from tests.adapters.conftest import CMIS_ENV, cmis_config
from tests.engine import maps
from tests.engine.helpers import deploy_text
from tests.fakes.cmis import FakeCmis

from .conftest import csrf_token

PDF = b"%PDF-1.7 the resident's letter"
REVIEW = maps.process("review_letter", maps.start("f1") + maps.user_task("review", "Review the letter", "f1", "f2")
                      + maps.end("done", "f2") + maps.flow("f1", "start", "review") + maps.flow("f2", "review", "done"))


@pytest.fixture
def case(ctx, make_user, monkeypatch):
    deploy_text(ctx, "review_letter.bpmn", REVIEW)  # its task goes to the default team, Customer Hub
    make_user("starter@example.gov.uk", Role.FRONT_OFFICE)
    return cases.start_case(ctx, "review_letter", actor="starter@example.gov.uk").reference


def upload(client, reference, name="letter.pdf", content=PDF, follow=False):
    page = client.get(f"/cases/{reference}/documents")
    data = {"csrf_token": csrf_token(page.get_data(as_text=True))}
    if name is not None:
        data["document"] = (io.BytesIO(content), name)
    return client.post(f"/cases/{reference}/documents", data=data, content_type="multipart/form-data",
                       follow_redirects=follow)


def test_front_office_adds_a_document_and_sees_it_listed_with_a_banner(signed_in, case):
    client = signed_in(Role.FRONT_OFFICE)
    response = upload(client, case)
    assert response.status_code == 302 and response.headers["Location"].endswith("#documents")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "letter.pdf was added to the case" in page
    assert "No records system (EDRMS) is configured" in page and "Not filed" in page
    # "Added by" names the person (make_user names them after their address), not their email.
    assert ">front_office</td>" in page and "front_office@example.gov.uk" not in page and "30 bytes" in page
    assert f'<a class="govuk-link" href="/cases/{case}/documents/' in page


def test_a_download_is_an_attachment_with_the_stored_type_and_nosniff(signed_in, ctx, case):
    client = signed_in(Role.FRONT_OFFICE)
    upload(client, case, "Scan 1.pdf")
    [doc] = documents.list_documents(ctx, case)
    response = client.get(f"/cases/{case}/documents/{doc.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;") and "Scan 1.pdf" in \
        response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name, content, message", [
    (None, b"", "Select a file to upload"),
    ("program.exe", b"MZ", "is not a type of file you can add"),
    ("empty.txt", b"", "empty.txt is empty"),
    ("letter.pdf", b"<script>", "is not really a PDF"),
])
def test_a_refused_upload_explains_itself_and_stores_nothing(signed_in, ctx, case, name, content, message):
    response = upload(signed_in(Role.FRONT_OFFICE), case, name, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page and message in page
    assert 'href="#document"' in page
    assert documents.list_documents(ctx, case) == []


def test_a_file_over_the_limit_is_refused_with_a_clear_message(signed_in, ctx, case):
    response = upload(signed_in(Role.FRONT_OFFICE), case, "huge.txt", b"x" * (documents.MAX_BYTES + 100_000))
    assert response.status_code == 413
    assert "The file must be smaller than 20 MB" in response.get_data(as_text=True)
    assert documents.list_documents(ctx, case) == []


def test_back_office_outside_the_case_teams_gets_404_and_inside_may_work(signed_in, ctx, case):
    outsider = signed_in(Role.BACK_OFFICE, teams=("Waste Services",))  # told as for a case that does not exist
    assert outsider.get(f"/cases/{case}/documents").status_code == 404
    documents.add_document(ctx, case, "letter.pdf", PDF, None, "starter@example.gov.uk")
    [doc] = documents.list_documents(ctx, case)
    assert outsider.get(f"/cases/{case}/documents/{doc.id}").status_code == 404
    page = outsider.get(f"/cases/{case}/documents")
    assert page.status_code == 404
    insider = signed_in(Role.BACK_OFFICE, Role.TEAM_LEAD, teams=("Customer Hub",))
    assert insider.get(f"/cases/{case}/documents/{doc.id}").status_code == 200
    assert upload(insider, case, "notes.txt", b"called the resident").status_code == 302


def test_analysts_may_not_reach_documents_and_a_document_of_another_case_is_not_found(signed_in, ctx, case):
    assert signed_in(Role.ANALYST).get(f"/cases/{case}/documents").status_code == 403
    other = cases.start_case(ctx, "review_letter", actor="starter@example.gov.uk").reference
    added = documents.add_document(ctx, other, "letter.pdf", PDF, None, "starter@example.gov.uk")
    assert signed_in(Role.FRONT_OFFICE).get(f"/cases/{case}/documents/{added.id}").status_code == 404


def test_an_unsafe_stored_type_is_downloaded_as_octet_stream(signed_in, ctx, case):
    added = documents.add_document(ctx, case, "notes.txt", b"hello", None, "starter@example.gov.uk")
    from engine.persistence.tables import Document
    with ctx.db.transaction() as session:
        session.get(Document, added.id).content_type = "text/html"
    response = signed_in(Role.FRONT_OFFICE).get(f"/cases/{case}/documents/{added.id}")
    assert response.headers["Content-Type"] == "application/octet-stream"


def test_with_an_edrms_configured_the_document_waits_to_be_filed(app, ctx, signed_in, case):
    with FakeCmis() as fake:
        ctx.adapters = AdapterRegistry.from_config(cmis_config(fake), CMIS_ENV)
        page = upload(signed_in(Role.FRONT_OFFICE), case, follow=True).get_data(as_text=True)
    assert "Waiting to be filed" in page and "It will be filed in the records system shortly" in page
    assert "No records system" not in page
