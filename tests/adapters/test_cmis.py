"""CMIS 1.1 browser binding against a fake EDRMS over real HTTP."""
from __future__ import annotations

import base64

import pytest

from adapters.base import AdapterError

from .conftest import CMIS_ENV, FAULT_DELAY_S, cmis_config, registry

LETTER = {"case_ref": "CF-2026-0042", "filename": "decision letter.pdf", "summary": "Blue badge application",
          "content_base64": base64.b64encode(b"%PDF-1.7 decision").decode()}


@pytest.fixture
def edrms(cmis):
    cmis.make_folder("/Sites/cases")
    return cmis


def test_each_case_gets_one_folder_named_after_its_reference(edrms):
    adapters = registry(cmis_config(edrms), CMIS_ENV)
    first = adapters.call("edrms/create_case_folder", LETTER, "case-42/folder")
    again = adapters.call("edrms/create_case_folder", LETTER, "case-42/folder")
    folder = edrms.by_path(["Sites", "cases", "CF-2026-0042"])
    assert first["folder_id"] == again["folder_id"] == folder["props"]["cmis:objectId"]
    assert folder["props"]["cmis:description"] == "Blue badge application"
    assert again["already_done"] and not first["already_done"]


def test_a_document_is_filed_in_the_case_folder_with_its_content_and_our_reference(edrms):
    result = registry(cmis_config(edrms), CMIS_ENV).call("edrms/upload_document", LETTER, "case-42/letter")
    document = edrms.objects[result["object_id"]]
    assert document["content"] == b"%PDF-1.7 decision"
    assert document["props"]["cmis:name"] == "decision letter.pdf"
    assert document["props"]["cmis:contentStreamMimeType"] == "application/pdf"
    assert document["props"]["cmis:description"] == "case-42/letter"
    assert edrms.objects[document["parent"]]["props"]["cmis:name"] == "CF-2026-0042"


def test_documents_can_come_from_the_attachment_store_but_not_from_outside_it(edrms, tmp_path):
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "photo.jpg").write_bytes(b"\xff\xd8jpeg")
    (tmp_path / "secret.txt").write_text("not for the EDRMS")
    adapters = registry(cmis_config(edrms, source_dir=str(tmp_path / "uploads")), CMIS_ENV)
    result = adapters.call("edrms/upload_document", {"case_ref": "CF-1", "path": "photo.jpg"}, "k1")
    assert edrms.objects[result["object_id"]]["props"]["cmis:contentStreamMimeType"] == "image/jpeg"
    with pytest.raises(AdapterError) as raised:
        adapters.call("edrms/upload_document", {"case_ref": "CF-1", "path": "../secret.txt"}, "k2")
    assert raised.value.business and raised.value.code == "document_invalid"


def test_a_timeout_after_the_repository_stored_the_document_does_not_file_it_twice(edrms, retrying):
    edrms.delay(FAULT_DELAY_S, method="POST", path="/cmis/browser/fake-repo/root/Sites/cases/CF-2026-0042")
    result = retrying(registry(cmis_config(edrms), CMIS_ENV))("edrms/upload_document", LETTER, "case-42/letter")
    assert len(edrms.documents()) == 1 and result["already_done"]


def test_503s_then_success_files_one_document(edrms, retrying):
    edrms.fail(times=3, method="POST")
    retrying(registry(cmis_config(edrms), CMIS_ENV))("edrms/upload_document", LETTER, "case-42/letter")
    assert len(edrms.documents()) == 1 and len(edrms.folders()) == 3


def test_a_name_clash_is_a_business_rejection_with_the_cmis_exception_as_code(edrms):
    adapters = registry(cmis_config(edrms), CMIS_ENV)
    adapters.call("edrms/upload_document", LETTER, "case-42/letter")
    with pytest.raises(AdapterError) as raised:
        adapters.call("edrms/upload_document", LETTER, "case-42/another-task")
    assert raised.value.business and raised.value.code == "nameConstraintViolation"
    assert "already exists" in raised.value.message


def test_wrong_credentials_are_an_incident(edrms):
    with pytest.raises(AdapterError) as raised:
        registry(cmis_config(edrms), {**CMIS_ENV, "EDRMS_PASSWORD": "nope"}).call(
            "edrms/create_case_folder", LETTER, "k")
    assert not raised.value.business and not raised.value.retryable
