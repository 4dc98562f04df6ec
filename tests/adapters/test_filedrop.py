"""File drop into an EDRMS import folder: documents plus an index CSV, atomic and idempotent."""
from __future__ import annotations

import base64
import csv

import pytest

from adapters.base import AdapterError

from .conftest import registry

DOCUMENTS = {"case_ref": "CF-7", "documents": [
    {"filename": "form.pdf", "content_base64": base64.b64encode(b"%PDF form").decode(), "document_type": "Application"},
    {"filename": "photo.jpg", "content_base64": base64.b64encode(b"\xff\xd8").decode(), "document_type": "Evidence"},
]}


def _adapters(drop_dir):
    return registry({"records": {"type": "filedrop", "drop_dir": str(drop_dir)}})


def _index(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_documents_and_one_index_row_each_are_dropped_for_the_import(tmp_path):
    result = _adapters(tmp_path).call("records/file_document", DOCUMENTS, "case-7/file")
    rows = _index(tmp_path / result["index_file"])
    assert [(r["file_name"], r["document_type"], r["case_ref"], r["reference"]) for r in rows] == [
        (result["files"][0], "Application", "CF-7", "case-7/file"),
        (result["files"][1], "Evidence", "CF-7", "case-7/file")]
    assert (tmp_path / result["files"][0]).read_bytes() == b"%PDF form"
    assert not list(tmp_path.glob(".*.tmp")), "no temporary files are left behind"


def test_a_retry_of_a_delivered_batch_writes_nothing_new(tmp_path):
    adapters = _adapters(tmp_path)
    first = adapters.call("records/file_document", DOCUMENTS, "case-7/file")
    before = sorted(p.name for p in tmp_path.iterdir())
    again = adapters.call("records/file_document", DOCUMENTS, "case-7/file")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert again["files"] == first["files"] and again["already_done"]


def test_a_missing_share_is_transient_and_bad_content_is_a_business_rejection(tmp_path):
    with pytest.raises(AdapterError) as missing:
        _adapters(tmp_path / "not-mounted").call("records/file_document", DOCUMENTS, "k")
    assert missing.value.retryable
    with pytest.raises(AdapterError) as bad:
        _adapters(tmp_path).call("records/file_document", {"filename": "x.pdf", "content_base64": "%%%"}, "k")
    assert bad.value.business and bad.value.code == "document_invalid"
    assert list(tmp_path.iterdir()) == []
