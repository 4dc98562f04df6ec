"""What an ops team watches: /healthz and /readyz as probes see them (an empty database is not ready, an
initialised one is; a worker that stopped reporting makes it unready where one is expected), Prometheus
/metrics whose figures move when a case runs, kept from anyone but this machine or a token holder, and
JSON logs that carry request ids and user ids but no personal data."""
from __future__ import annotations

import io
import json
import logging
import re
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from engine.bpmn import registry
from engine.casework import cases
from engine.clock import FixedClock
from engine.context import Context
from engine.persistence.db import Database
from engine.persistence.schema import upgrade
from engine.settings import Settings
from engine.types import Channel, Role
from engine.background.worker import Worker
from tests.conftest import FORMS, PROCESSES
from tests.webui.conftest import sign_in
from webui import logs
from webui.app import create_app

HAND_OFF = {"service_key": "dog_fouling", "service_name": "Dog fouling", "hand_off_team": "Street Scene",
            "what": "Dog mess on the path", "who": "Children", "where": "Mill Lane", "urgency": "soon",
            "customer_name": "Pat Smith", "customer_email": "pat.smith@example.com"}


def _app(ctx: Context, **settings):
    ctx.settings = replace(ctx.settings, **settings)
    return create_app({"CONTEXT": ctx, "SECRET_KEY": "test", "TESTING": True, "SESSION_COOKIE_SECURE": False})


@pytest.fixture
def empty_database(database_url, postgres_or_none, tmp_path) -> str:
    """A database of the same kind as this test's, with no tables."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    server, admin = postgres_or_none
    with admin.connect() as conn:
        conn.exec_driver_sql("CREATE DATABASE cf_empty_" + re.sub(r"\W", "", tmp_path.name).lower())
    return server.url("cf_empty_" + re.sub(r"\W", "", tmp_path.name).lower())


@pytest.fixture
def postgres_or_none(database_url, request):
    return request.getfixturevalue("postgres") if not database_url.startswith("sqlite") else None


def test_readiness_follows_the_schema_and_the_workers_heartbeat(empty_database):
    clock = FixedClock(datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc))
    ctx = Context(Database(empty_database), clock)
    client = _app(ctx).test_client()
    try:
        assert client.get("/healthz").status_code == 200
        answer = client.get("/readyz")
        assert answer.status_code == 503 and answer.json["checks"]["schema"].endswith("run `councilflow init`")
        assert "@" not in answer.get_data(as_text=True)  # nothing about where the database lives
        upgrade(ctx.db)
        assert client.get("/readyz").status_code == 200

        ctx.settings = replace(ctx.settings, expect_worker=True, worker_stale_s=60)
        answer = client.get("/readyz")
        assert answer.status_code == 503 and answer.json["checks"]["worker"] == "no worker has reported yet"
        Worker(ctx).run_once()
        assert client.get("/readyz").json == {"status": "ready", "checks": {"database": "ok", "schema": "ok",
                                                                            "worker": "ok"}}
        clock.advance(seconds=61)
        assert client.get("/readyz").status_code == 503
    finally:
        ctx.db.dispose()


def _metric(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if line.startswith(name) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_change_when_a_case_runs_and_are_kept_from_strangers(ctx):
    registry.deploy(ctx, registry.read_paths([PROCESSES / "directory_hand_off.bpmn", FORMS]))
    client = _app(ctx).test_client()
    before = client.get("/metrics")
    assert before.status_code == 200 and before.mimetype == "text/plain"
    case = cases.start_case(ctx, "directory_hand_off", HAND_OFF, Channel.PHONE)
    text = client.get("/metrics").get_data(as_text=True)
    assert _metric(text, "councilflow_cases_started_total", process="directory_hand_off", channel="phone") == 1
    team = case.tasks[0].team
    assert _metric(text, "councilflow_open_tasks", team=team) == 1
    assert _metric(text, "councilflow_http_requests_total", route="/metrics", status="200") == 1
    assert "councilflow_http_request_duration_seconds_bucket" in text and "councilflow_outbox_backlog 0.0" in text
    cases.complete_task(ctx, case.tasks[0].id, {"action_taken": "Path cleared"})
    text = client.get("/metrics").get_data(as_text=True)
    assert _metric(text, "councilflow_cases_completed_total", process="directory_hand_off", channel="phone") == 1
    assert _metric(text, "councilflow_open_tasks", team=team) == 0
    assert "Pat Smith" not in text

    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 404
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404
    guarded = _app(ctx, metrics_token="scrape-secret").test_client()
    assert guarded.get("/metrics").status_code == 401
    assert guarded.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"},
                       headers={"Authorization": "Bearer scrape-secret"}).status_code == 200


@pytest.fixture
def json_logs():
    """The process's logging as `serve` configures it; each call returns the lines since the last."""
    root, chatty = logging.getLogger(), [logging.getLogger(name) for name in ("spiff", "apscheduler", "alembic")]
    saved = root.handlers[:], root.level, [logger.level for logger in chatty]
    stream = io.StringIO()
    logs.configure(Settings(log_level="INFO"), stream)

    def lines() -> list[dict]:
        written = stream.getvalue()
        stream.seek(0)
        stream.truncate()
        return [json.loads(line) for line in written.splitlines()]
    yield lines
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for logger, level in zip(chatty, saved[2]):
        logger.setLevel(level)


def test_logs_are_json_with_request_and_user_ids_and_no_personal_data(ctx, json_logs, make_user):
    registry.deploy(ctx, registry.read_paths([PROCESSES / "directory_hand_off.bpmn", FORMS]))
    case = cases.start_case(ctx, "directory_hand_off", HAND_OFF, Channel.PHONE)
    email = make_user("lead@example.gov.uk", Role.TEAM_LEAD, teams=(case.tasks[0].team,))
    client = _app(ctx).test_client()
    sign_in(client, email)
    json_logs()
    answer = client.get(f"/cases/{case.reference}", headers={"X-Request-ID": "req-42"})
    assert answer.headers["X-Request-ID"] == "req-42"
    access = [line for line in json_logs() if line["logger"] == "councilflow.access"]
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == "req-42" and line["user_id"] > 0 and line["case"] == case.reference
    assert (line["route"], line["status"], line["level"]) == ("/cases/<reference>", answer.status_code, "INFO")
    assert line["duration_ms"] >= 0 and "time" in line

    Worker(ctx).run_once()
    rounds = {line["job"]: line for line in json_logs() if "job" in line}
    assert set(rounds) == {"timers", "sla", "outbox", "status-updates", "mailboxes", "no-shows", "open311-photos"}
    assert all(isinstance(r["count"], int) and r["duration_ms"] >= 0 for r in rounds.values())
    everything = json.dumps(rounds) + json.dumps(access)
    assert "Pat Smith" not in everything and "pat.smith" not in everything and "lead@" not in everything
