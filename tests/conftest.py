"""Shared fixtures: a real database per test (SQLite file, and PostgreSQL started for the session)."""
from __future__ import annotations

import itertools
import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy
from click.testing import CliRunner

from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.persistence.schema import upgrade

from . import pgserver

ROOT = Path(__file__).resolve().parent.parent
PROCESSES, FORMS = ROOT / "processes", ROOT / "forms"
CORPUS = ROOT.parent / "shared" / "corpus"


# Skip reasons that mean "this machine lacks it" (not "this test does not apply here"), and what to install.
MISSING = {"Chromium (apt-get install chromium)": ("chromium is not installed", "no chromium",
                                                   "chromium or axe-core is not installed"),
           "axe-core (npm ci)": ("axe-core is not installed",),
           "the conformance corpus (../shared/corpus)": ("the conformance corpus is not at",),
           "dovecot (apt-get install dovecot-imapd)": ("dovecot is not installed",),
           "a docker or podman daemon": ("no docker or podman daemon",)}


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Says plainly, at the end of every run, which suites did not run for want of PostgreSQL, Chromium,
    the corpus or another tool on this machine, so a green run on a bare machine is not mistaken for a full one."""
    lines = []
    wanted = os.environ.get("COUNCILFLOW_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if "postgresql" not in wanted:
        lines.append("PostgreSQL: left out by COUNCILFLOW_TEST_BACKENDS; every database test ran on SQLite only")
    elif not pgserver.available():
        lines.append("PostgreSQL (apt-get install postgresql): initdb/pg_ctl not found, so every database test "
                     "ran on SQLite only")
    missing: Counter[str] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        reason = (report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)).lower()
        for what, phrases in MISSING.items():
            if any(phrase in reason for phrase in phrases):
                missing[what] += 1
                break
    lines += [f"{what}: {count} test(s) skipped for want of it" for what, count in missing.items()]
    terminalreporter.section("suites skipped for want of PostgreSQL, Chromium or the corpus")
    for line in lines or ["none: PostgreSQL, Chromium and the corpus were all here, every suite ran"]:
        terminalreporter.write_line(line)


def _backends() -> list[str]:
    wanted = os.environ.get("COUNCILFLOW_TEST_BACKENDS", "sqlite,postgresql").split(",")
    return [b for b in wanted if b == "sqlite" or (b == "postgresql" and pgserver.available())]


@pytest.fixture(scope="session")
def postgres():
    server = pgserver.PostgresServer().start()
    pgserver.wait_for(server.url())
    template = sqlalchemy.create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with template.connect() as conn:
        conn.exec_driver_sql("CREATE DATABASE cf_template")
    db = Database(server.url("cf_template"))
    upgrade(db)
    db.dispose()
    yield server, template
    template.dispose()
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()
    return path


_counter = itertools.count()


@pytest.fixture(params=_backends())
def database_url(request, tmp_path) -> str:
    """A fresh, migrated database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "councilflow.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    server, admin = request.getfixturevalue("postgres")
    name = f"cf_test_{os.getpid()}_{next(_counter)}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE cf_template")
    return server.url(name)


@pytest.fixture
def ctx(database_url) -> Context:
    context = Context(Database(database_url), settings=Settings(forms_dir=FORMS))
    yield context
    context.db.dispose()


@pytest.fixture
def cli(database_url, monkeypatch, tmp_path):
    """Runs ``councilflow`` commands against this test's database; returns click's Result
    (``exit_code``, ``stdout``, ``stderr``, and ``json()`` for the parsed standard output)."""
    from tests.processes.backoffice import write_offline_config
    from webui.cli import main
    monkeypatch.setenv("COUNCILFLOW_DATABASE_URL", database_url)
    monkeypatch.setenv("COUNCILFLOW_FORMS_DIR", str(FORMS))
    # The shipped maps call back-office adapters: configure them (pointing nowhere) so the library deploys.
    monkeypatch.setenv("COUNCILFLOW_ADAPTERS", str(write_offline_config(tmp_path)))
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        result = runner.invoke(main, list(args), input=input, catch_exceptions=False)
        result.json = lambda: json.loads(result.stdout)
        return result

    return run


@pytest.fixture
def dovecot(monkeypatch):
    """A real IMAP server (dovecot) on 127.0.0.1 whose self-signed certificate this process trusts."""
    from tests.fakes import dovecot as imap
    if not imap.available():
        pytest.skip("dovecot is not installed (apt-get install -y dovecot-imapd, as .ci/run does)")
    server = imap.Dovecot().start()
    monkeypatch.setenv("SSL_CERT_FILE", str(server.cert))  # read by ssl.create_default_context()
    monkeypatch.setenv("COUNCILFLOW_MAIL_HUB_PASSWORD", imap.PASSWORD)
    yield server
    server.stop()


@pytest.fixture
def smtp(dovecot):
    """A local SMTP server (aiosmtpd, implicit TLS with dovecot's certificate) taking the hub's password."""
    from tests.fakes import dovecot as imap
    from tests.fakes.smtp import FakeSmtp
    with FakeSmtp(dovecot.cert, dovecot.key, dovecot.users[0], imap.PASSWORD) as server:
        yield server


@pytest.fixture
def oauth2_imap(monkeypatch):
    """A fake OAuth2 sign-in service and a real dovecot whose oauth2 passdb checks bearer tokens at the
    fake's introspection endpoint (SASL XOAUTH2), with an SMTP server taking the same tokens; the worker's
    environment holds the app's client secret in COUNCILFLOW_MAIL_HUB_SECRET."""
    from tests.fakes import dovecot as imap
    from tests.fakes.oauth2 import FakeOAuth2
    from tests.fakes.smtp import FakeSmtp
    if not imap.available():
        pytest.skip("dovecot is not installed (apt-get install -y dovecot-imapd, as .ci/run does)")
    with FakeOAuth2() as sign_in:
        server = imap.Dovecot(introspection_url=sign_in.introspection_url).start()
        monkeypatch.setenv("SSL_CERT_FILE", str(server.cert))
        monkeypatch.setenv("COUNCILFLOW_MAIL_HUB_SECRET", sign_in.secret)
        try:
            with FakeSmtp(server.cert, server.key, server.users[0], imap.PASSWORD, bearer=sign_in.lets_in) as smtp:
                yield sign_in, server, smtp
        finally:
            server.stop()


@pytest.fixture
def graph(monkeypatch):
    """A fake Microsoft Graph for the hub's Exchange Online mailbox; the worker's environment holds its
    app's client secret in COUNCILFLOW_MAIL_HUB_SECRET."""
    from tests.fakes.graph import FakeGraph
    with FakeGraph() as server:
        monkeypatch.setenv("COUNCILFLOW_MAIL_HUB_SECRET", server.secret)
        yield server
