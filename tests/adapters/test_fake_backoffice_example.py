"""The demo back office (examples/fake_backoffice.py) starts, and its printed configuration works
for every configured operation."""
from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.registry import AdapterRegistry

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fake_backoffice.py"


@pytest.fixture
def backoffice(tmp_path):
    config = tmp_path / "adapters.json"
    process = subprocess.Popen([sys.executable, str(EXAMPLE), "--write", str(config), "--folders", str(tmp_path)],
                               stdout=subprocess.PIPE, text=True)
    env = {}
    try:
        for line in process.stdout:
            if line.startswith("export "):
                env.update(pair.split("=", 1) for pair in line.split()[1:])
            if line.startswith("Running;"):
                break
        yield AdapterRegistry.from_file(config, env)
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def test_every_demo_operation_answers(backoffice):
    calls = {
        "highways/create_request": {"category": "pothole", "address_string": "1 High St", "pothole_depth_mm": 50},
        "edrms/upload_document": {"case_ref": "CF-1", "filename": "a.txt",
                                  "content_base64": base64.b64encode(b"hello").decode()},
        "records/file_document": {"case_ref": "CF-1", "filename": "a.txt", "content_base64": "aGVsbG8="},
        "revenues/lookup_account": {"account_ref": "CT-1001"},
        "revenues_batch/post_change": {"account_ref": "CT-1001", "change_type": "moved_out"},
        "notify/send_sms": {"template": "received_sms", "phone_number": "07700900123", "case_ref": "CF-1"},
    }
    for operation, params in calls.items():
        assert backoffice.call(operation, params, f"demo/{operation}"), operation
    request_id = backoffice.call("highways/create_request", calls["highways/create_request"],
                                 "demo/highways/create_request")["service_request_id"]
    assert backoffice.call("highways/request_status", {"service_request_id": request_id}, "k")["status"] == "open"
