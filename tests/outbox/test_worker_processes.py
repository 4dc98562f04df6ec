"""Real worker processes: kill -9 in the middle of an adapter call, and four workers sharing 200
cases on PostgreSQL. The fake asset system counts what reaches it."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.bpmn import registry
from engine.casework import cases
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.persistence.tables import OutboxCall
from tests.adapters.conftest import OPEN311_ENV, open311_config
from tests.fakes.open311 import FakeOpen311
from tests.outbox.test_outbox import DATA, REPORT

COUNCILFLOW = Path(sys.executable).with_name("councilflow")


@pytest.fixture
def open311():
    with FakeOpen311() as fake:
        yield fake


def _setup(database_url: str, fake: FakeOpen311, tmp_path: Path, timeout_s: float) -> tuple[Context, dict]:
    config = open311_config(fake, timeout_s=timeout_s)
    (tmp_path / "adapters.json").write_text(json.dumps(config))
    env = {**os.environ, **OPEN311_ENV, "COUNCILFLOW_DATABASE_URL": database_url,
           "COUNCILFLOW_ADAPTERS": str(tmp_path / "adapters.json"), "COUNCILFLOW_OUTBOX_LEASE_S": "2"}
    from adapters.registry import AdapterRegistry
    ctx = Context(Database(database_url), settings=Settings(),
                  adapters=AdapterRegistry.from_config(config, OPEN311_ENV))
    registry.deploy(ctx, {"report.bpmn": REPORT.replace("BOUNDARY", "").encode()})
    return ctx, env


def _worker(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([str(COUNCILFLOW), "worker", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_worker_killed_mid_call_leaves_exactly_one_record_and_the_case_continues(database_url, open311, tmp_path):
    ctx, env = _setup(database_url, open311, tmp_path, timeout_s=30)
    view = cases.start_case(ctx, "pothole_handoff", DATA)
    open311.delay(20, times=1, method="POST")  # the record is stored, the answer never comes in time
    victim = _worker(env, "--interval", "0.2")
    _wait_for(lambda: len(open311.records) == 1)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)
    time.sleep(2.5)  # the dead worker's lease runs out
    survivor = subprocess.run([str(COUNCILFLOW), "worker", "--once"], env=env, capture_output=True, text=True,
                              timeout=60)
    assert survivor.returncode == 0, survivor.stdout + survivor.stderr
    assert len(open311.records) == 1
    assert [t.bpmn_id for t in cases.show_case(ctx, view.reference).case.tasks] == ["check"]


def test_four_workers_make_each_of_200_calls_exactly_once(database_url, open311, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("several worker processes are a PostgreSQL deployment")
    ctx, env = _setup(database_url, open311, tmp_path, timeout_s=10)
    refs = [cases.start_case(ctx, "pothole_handoff", {**DATA, "description": f"Pothole {i}"}).reference
            for i in range(200)]
    workers = [_worker(env, "--interval", "0.2") for _ in range(4)]
    try:
        def all_done() -> bool:
            with ctx.db.transaction(readonly=True) as session:
                return session.scalar(select(func.count()).where(OutboxCall.status == "done")) == 200
        _wait_for(all_done, timeout=180)
    finally:
        for w in workers:
            os.killpg(w.pid, signal.SIGTERM)
        for w in workers:
            w.wait(timeout=20)
    posts = open311.requests_to("POST")
    assert len(open311.records) == 200 and len(posts) == 200
    descriptions = sorted(r["description"].split("\n")[0] for r in open311.records.values())
    assert descriptions == sorted(f"Pothole {i}" for i in range(200))
    for ref in refs[:20]:
        assert [t.bpmn_id for t in cases.show_case(ctx, ref).case.tasks] == ["check"]
