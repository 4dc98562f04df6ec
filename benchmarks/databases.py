"""Fresh, throwaway databases for the benchmarks: an SQLite file, and PostgreSQL when asked for.

PostgreSQL is used only when ``COUNCILFLOW_BENCH_PG_URL`` is set, except by the benchmarks that
need it (``local_postgres``), which otherwise start a throwaway server of their own as the tests do.
Each run works in a schema of its own (created, then dropped at the end), so a benchmark never reads
or changes anything else in that database. Only servers on this machine are accepted: nothing
leaves 127.0.0.1.
"""
from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engine.persistence.db import Database
from engine.persistence.schema import upgrade

PG_URL_ENV = "COUNCILFLOW_BENCH_PG_URL"
_LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


def postgres_url() -> str | None:
    """The PostgreSQL URL to benchmark against, if one is configured (and it is local)."""
    url = os.environ.get(PG_URL_ENV, "").strip()
    if not url:
        return None
    parsed = make_url(url)
    if not parsed.get_backend_name().startswith("postgresql"):
        raise SystemExit(f"{PG_URL_ENV} must be a postgresql:// URL")
    host = parsed.host or ""
    if host not in _LOCAL_HOSTS and not host.startswith("/"):
        raise SystemExit(f"{PG_URL_ENV} points at {host}; benchmarks only use servers on 127.0.0.1")
    return url


@contextmanager
def local_postgres() -> Iterator[str]:
    """A PostgreSQL URL: ``COUNCILFLOW_BENCH_PG_URL`` if set, otherwise a server started here on
    127.0.0.1 for this run (``tests/pgserver.py``: the tests' settings) and stopped afterwards."""
    url = postgres_url()
    if url:
        yield url
        return
    from tests import pgserver  # only when no server is configured: the tests' own throwaway server
    if not pgserver.available():
        raise SystemExit(f"no PostgreSQL here: install it or set {PG_URL_ENV}")
    server = pgserver.PostgresServer().start()
    try:
        pgserver.wait_for(server.url())
        yield server.url()
    finally:
        server.stop()


@contextmanager
def fresh_sqlite(prefix: str) -> Iterator[Database]:
    """An empty, migrated SQLite file database in a temporary folder (deleted afterwards)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        try:
            upgrade(db)
            yield db
        finally:
            db.dispose()


@contextmanager
def fresh_postgres(url: str) -> Iterator[Database]:
    """An empty, migrated schema of its own in the given PostgreSQL database (dropped afterwards)."""
    schema = f"cf_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        db = Database(scoped.render_as_string(hide_password=False))
        try:
            upgrade(db)
            yield db
        finally:
            db.dispose()
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


BACKENDS = ("sqlite", "postgresql")


@contextmanager
def fresh_database(backend: str, prefix: str) -> Iterator[Database]:
    """A fresh, migrated database of either kind: an SQLite file, or a schema on ``local_postgres()``."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown database {backend!r}")
    with ExitStack() as stack:
        if backend == "sqlite":
            yield stack.enter_context(fresh_sqlite(prefix))
        else:
            yield stack.enter_context(fresh_postgres(stack.enter_context(local_postgres())))
