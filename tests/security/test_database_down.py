"""Finding 11, database failures: ``councilflow serve`` said it was serving when its database could not
be opened, and a locked or unreachable database gave bare 500s after 10 s. Now ``serve`` refuses to
start (non-zero exit, a clear message) on a database it cannot open or that is not migrated, and a
running server answers 503 with ``Retry-After`` — a GOV.UK page for people, a JSON problem for the API,
and ``/healthz`` — within a few seconds while the database is unavailable."""
from __future__ import annotations

import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy

from engine.people import tokens
from engine.persistence.db import PING_AFTER_IDLE_S
from engine.types import Role

from .served import COUNCILFLOW, environment, free_port

PROMPT_S = 20       # serve must give up on a bad database well within this (it used to run forever)
UNAVAILABLE_S = 8   # a request on an unavailable database is answered 503 within this


def _serve_exits(url: str, cwd: Path) -> tuple[int | None, str, float]:
    """Start ``serve`` on ``url``; its exit code (None: still running at PROMPT_S), output and time taken."""
    started = time.monotonic()
    server = subprocess.Popen([str(COUNCILFLOW), "serve", "--port", str(free_port()), "--no-embedded-worker"],
                              env=environment(url), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        output = server.communicate(timeout=PROMPT_S)[0].decode()
    except subprocess.TimeoutExpired:
        server.kill()
        return None, server.communicate()[0].decode(), time.monotonic() - started
    return server.returncode, output, time.monotonic() - started


def _unusable_databases(database_url: str, tmp_path: Path, request) -> dict[str, str]:
    if database_url.startswith("sqlite"):
        not_a_database = tmp_path / "notes.txt"
        not_a_database.write_text("this is not a database " * 100)
        empty = tmp_path / "empty.sqlite3"
        sqlite3.connect(empty).close()
        return {"in a folder that does not exist": f"sqlite:///{tmp_path}/missing/councilflow.sqlite3",
                "not a database": f"sqlite:///{not_a_database}",
                "not initialised": f"sqlite:///{empty}"}
    server, admin = request.getfixturevalue("postgres")
    name = f"cf_empty_{free_port()}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    return {"that does not exist": server.url(f"cf_missing_{free_port()}"), "not initialised": server.url(name)}


def test_serve_refuses_to_start_on_a_database_it_cannot_use(database_url, tmp_path, request):
    for what, url in _unusable_databases(database_url, tmp_path, request).items():
        code, output, took = _serve_exits(url, tmp_path)
        assert code not in (None, 0), f"serve kept running on a database {what}: {output}"
        assert "serving" not in output, output
        assert "Traceback" not in output and "database" in output.lower(), output
        assert took < PROMPT_S


def _unavailable(answer: requests.Response, took: float) -> None:
    assert answer.status_code == 503, (answer.status_code, answer.text[:500])
    assert int(answer.headers["Retry-After"]) > 0
    assert took < UNAVAILABLE_S


def _timed(method, *args, **kwargs) -> tuple[requests.Response, float]:
    started = time.monotonic()
    answer = method(*args, timeout=30, **kwargs)
    return answer, time.monotonic() - started


def _page_says_unavailable(answer: requests.Response) -> None:
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "govuk-template" in answer.text and "Sorry, the service is unavailable" in answer.text
    assert "Traceback" not in answer.text


def _token(live, email: str) -> dict[str, str]:
    with live.ctx.db.transaction() as session:
        return {"Authorization": f"Bearer {tokens.create_token(session, email, live.ctx.clock.now())}"}


@pytest.fixture
def admin(live):
    email = live.add_user("admin-db@example.gov.uk", Role.ADMIN)
    return live.sign_in(email)[0], _token(live, email)


def test_a_locked_sqlite_database_answers_503_in_seconds(live, admin, tmp_path):
    if not live.ctx.db.is_sqlite:
        pytest.skip("SQLite's write lock")
    browser, bearer = admin
    form = browser.get(f"{live.url}/admin/teams", timeout=30)
    assert form.status_code == 200
    from .conftest import csrf_token
    holder = sqlite3.connect(live.ctx.db.url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holding the write lock (a long backup, a stuck writer)
    try:
        page, took = _timed(browser.post, f"{live.url}/admin/teams",
                            data={"team_name": "Pest Control", "csrf_token": csrf_token(form.text)})
        _unavailable(page, took)
        _page_says_unavailable(page)
        api, took = _timed(requests.delete, f"{live.url}/api/v1/sla/policies/no-such-process", headers=bearer)
        _unavailable(api, took)
        assert api.headers["Content-Type"] == "application/json" and "unavailable" in api.json()["message"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert browser.get(f"{live.url}/admin/teams", timeout=30).status_code == 200


def _cut_connections(live, request) -> None:
    """Every open connection to the live server's database is cut, as when PostgreSQL is restarted."""
    _, server_admin = request.getfixturevalue("postgres")
    name = sqlalchemy.make_url(live.ctx.db.url).database
    with server_admin.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")


def test_connections_cut_while_idle_are_replaced_before_a_request_uses_them(live, admin, request):
    if live.ctx.db.is_sqlite:
        pytest.skip("PostgreSQL connections")
    browser, bearer = admin
    assert browser.get(f"{live.url}/admin/teams", timeout=30).status_code == 200
    assert requests.get(f"{live.url}/api/v1/teams", headers=bearer, timeout=30).status_code == 200
    _cut_connections(live, request)
    time.sleep(PING_AFTER_IDLE_S + 0.5)  # the pooled connections have been idle: each is tried before it is lent
    for _ in range(3):
        assert browser.get(f"{live.url}/admin/teams", timeout=30).status_code == 200
        assert requests.get(f"{live.url}/api/v1/teams", headers=bearer, timeout=30).status_code == 200


def test_an_unreachable_postgresql_database_answers_503(live, admin, request):
    if live.ctx.db.is_sqlite:
        pytest.skip("PostgreSQL refusing connections")
    browser, bearer = admin
    assert browser.get(f"{live.url}/admin/teams", timeout=30).status_code == 200
    _, server_admin = request.getfixturevalue("postgres")
    name = sqlalchemy.make_url(live.ctx.db.url).database
    with server_admin.connect() as conn:
        # The database stops taking connections and every open one is cut: as when it is restarted or failed over.
        conn.exec_driver_sql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
    _cut_connections(live, request)
    try:
        page, took = _timed(browser.get, f"{live.url}/admin/teams")
        _unavailable(page, took)
        _page_says_unavailable(page)
        api, took = _timed(requests.get, f"{live.url}/api/v1/teams", headers=bearer)
        _unavailable(api, took)
        assert api.headers["Content-Type"] == "application/json" and "unavailable" in api.json()["message"]
        ready, took = _timed(requests.get, f"{live.url}/readyz")
        _unavailable(ready, took)
        assert ready.json()["checks"]["database"] == "unavailable"
        assert requests.get(f"{live.url}/healthz", timeout=30).status_code == 200  # alive all the same
    finally:
        with server_admin.connect() as conn:
            conn.exec_driver_sql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
    assert browser.get(f"{live.url}/admin/teams", timeout=30).status_code == 200
    assert requests.get(f"{live.url}/readyz", timeout=30).status_code == 200
