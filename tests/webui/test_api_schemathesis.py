"""``schemathesis run`` against the published OpenAPI document and a real HTTP server (a fresh
SQLite database with the shipped processes and a few open cases): no generated request may get a
5xx, and every answer must match the document (status, content type, headers, body schema).

Every schemathesis check runs except ``positive_data_acceptance``: a request can match the schema
and still name a process, team or person that does not exist, and the API rightly refuses it.
The CLI runs in a subprocess (its pytest plugin does not support this pytest yet), with a fixed
seed so CI is repeatable; set COUNCILFLOW_FUZZ_SEED to explore other inputs.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from engine.casework import cases
from engine.catalogue import directory_files
from engine.people import tokens, users
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.types import Role
from tests.conftest import FORMS
from tests.engine.helpers import deploy_library
from webui.app import create_app

MAX_EXAMPLES = 20
TIME_BUDGET_S = 360  # a guard against a hung run (66 operations took 50-135 s on 2 busy cores), not a speed target
SEED = os.environ.get("COUNCILFLOW_FUZZ_SEED", "20240601")


@pytest.fixture
def live_api(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(base URL, admin token) of the app served over HTTP on a free loopback port."""
    path = tmp_path / "councilflow.sqlite3"
    shutil.copy(sqlite_template, path)
    # Workers' fetches answer at once: long polls would spend the fuzzer's time budget.
    ctx = Context(Database(f"sqlite:///{path}"), settings=Settings(forms_dir=FORMS, external_task_max_wait_s=0))
    deploy_library(ctx)
    # The shipped directory, so contacts about its services (POST /directory/<key>/contacts) are taken too.
    directory = Path(__file__).resolve().parents[2] / "examples" / "directory.json"
    directory_files.import_directory(ctx, directory_files.read(directory.read_text(), "json"), "admin@example.gov.uk")
    with ctx.db.transaction() as session:
        users.add_user(session, "admin@example.gov.uk", "Admin", [Role.ADMIN], ctx.clock.now(), ["Customer Hub"])
        token = tokens.create_token(session, "admin@example.gov.uk", ctx.clock.now())
    for process in ("missed_bin_collection", "pothole_report", "missed_bin_collection"):
        cases.start_case(ctx, process, actor="admin@example.gov.uk")
    app = create_app({"CONTEXT": ctx, "SECRET_KEY": "test", "SESSION_COOKIE_SECURE": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", token
    server.shutdown()
    thread.join(timeout=10)
    ctx.db.dispose()


def test_schemathesis_finds_no_server_error_and_no_answer_the_document_does_not_describe(live_api, tmp_path):
    base_url, token = live_api
    command = [sys.executable, "-m", "schemathesis.cli", "run", f"{base_url}/api/v1/openapi.json",
               "--header", f"Authorization: Bearer {token}", "--max-examples", str(MAX_EXAMPLES),
               "--seed", SEED, "--workers", "1", "--checks", "all", "--exclude-checks", "positive_data_acceptance",
               "--request-timeout", "10"]
    started = time.monotonic()
    # cwd: the run's scratch files (Hypothesis' example database) stay in this test's folder.
    run = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=TIME_BUDGET_S,
                         env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120"})
    elapsed = time.monotonic() - started
    assert run.returncode == 0, run.stdout[-25_000:] + run.stderr[-5_000:]
    tested = re.search(r"Operations:\s+(\d+) selected / (\d+) total", run.stdout)
    assert tested and tested.group(1) == tested.group(2) and int(tested.group(1)) >= 14, run.stdout[:3_000]
    assert elapsed < TIME_BUDGET_S
