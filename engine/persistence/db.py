"""The database handle: engine, sessions, and the backend quirks kept in one place."""
from __future__ import annotations

import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import InterfaceError, InvalidatePoolError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from ..errors import EngineError
from .checkpoints import WAL_PAGES_LIMIT, Checkpointer

DEFAULT_SQLITE = Path("instance") / "councilflow.sqlite3"

# How long a SQLite writer waits for another's write lock before giving up. Writes take milliseconds,
# so a queue of them clears well within this; a lock held longer (a stuck process, a backup) is an
# outage, and the person waiting is better told so (503, try again) than left staring at a page.
SQLITE_BUSY_TIMEOUT_S = 5.0

# PostgreSQL: give up connecting after this long rather than the operating system's minutes.
CONNECT_TIMEOUT_S = 5

# PostgreSQL: a pooled connection unused for longer than this is tried (``SELECT 1``) before it is lent.
PING_AFTER_IDLE_S = 1.0


class DatabaseUnavailable(EngineError):
    """The database cannot be reached, opened or used just now (or is not migrated): not the caller's
    fault, and worth trying again later."""


# What the driver raises when the database, not the statement, is the problem: it cannot be reached or
# opened, a connection was cut, a lock was not granted in time, the pool has no connection to lend.
# The web app answers these 503 with Retry-After (webui/home.py, webui/api/errors.py).
UNAVAILABLE: tuple[type[Exception], ...] = (DatabaseUnavailable, OperationalError, InterfaceError, PoolTimeout)


def database_url(explicit: str | None = None) -> str:
    """The URL to use: ``explicit`` (``Settings.database_url``), else the embedded SQLite file."""
    if explicit:
        return explicit
    DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE.resolve()}"


def _file_of(engine: Engine) -> str | None:
    """The SQLite file behind ``engine``; None for an in-memory database."""
    name = engine.url.database
    return None if not name or name == ":memory:" or name.startswith("file:") else name


def _tune_sqlite(engine: Engine, busy_timeout_s: float, checkpointer: Checkpointer | None, wal_pages: int) -> None:
    busy_timeout_ms = int(busy_timeout_s * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # WAL lets readers work while a case is being written; the busy timeout makes a second
        # writer wait for the first instead of failing at once (SQLITE_BUSY_TIMEOUT_S).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")  # first: setting WAL may itself wait
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if checkpointer is not None:  # its thread checkpoints, seldom this connection's commits (checkpoints.py)
            cursor.execute(f"PRAGMA wal_autocheckpoint={int(wal_pages)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Take the write lock at the start of every transaction so two writers to the same case
        # queue up instead of deadlocking on a read-to-write upgrade. Within one process the writers
        # have already queued on Database's writer lock, so this waits only for other processes.
        # Read-only units of work use a deferred BEGIN so they never queue behind writers.
        deferred = connection.get_execution_options().get("sqlite_deferred", False)
        connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")
        if not deferred and checkpointer is not None:  # a read leaves nothing in the WAL to copy back
            checkpointer.writing()


def _ping_when_idle(engine: Engine) -> None:
    """Try a pooled PostgreSQL connection before lending it, as SQLAlchemy's ``pool_pre_ping`` does, but only
    when it has not been used for ``PING_AFTER_IDLE_S``: a server restarted or failed over, or a connection cut
    by a firewall, is then found before a request uses it. A connection returned a moment ago was working a
    moment ago: trying it costs a round trip per transaction (about a tenth of a case step's), and under load
    every connection is one. One cut in that moment fails the request that finds it (503, try again, nothing
    written). Either way SQLAlchemy then replaces every connection in the pool, as ``pool_pre_ping`` does."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _lend(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_S:
            return  # just opened, or just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as err:
            # The server restarted or failed over, most likely: every pooled connection is replaced, not just this one.
            raise InvalidatePoolError(f"a pooled connection no longer works: {err}") from err


class Database:
    """Owns the SQLAlchemy engine and hands out one session per unit of work.

    On SQLite, write transactions of this process also take turns on ``_writer``. SQLite admits one
    writer at a time, and a writer that finds the lock taken sleeps in its busy handler (1, 2, 5 …
    up to 100 ms between tries) rather than queueing, so with a few threads the unlucky one kept
    losing to newcomers and waited seconds. A Python lock wakes the next waiter as soon as the
    writer commits. It is re-entrant: a write transaction opened inside another one in the same
    thread (before the outer one has touched the database) must not wait for itself. The busy
    timeout stays, to queue against other processes (a separate ``councilflow worker``, the CLI).
    PostgreSQL locks rows, not the database, so it takes no such turn."""

    def __init__(self, url: str | None = None, sqlite_busy_timeout_s: float = SQLITE_BUSY_TIMEOUT_S,
                 sqlite_wal_pages: int = WAL_PAGES_LIMIT) -> None:
        self.url = database_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        kwargs: dict[str, Any] = {"future": True}
        if not self.is_sqlite:
            # pool_timeout: a request waits at most this long for a free connection, then 503.
            kwargs.update(pool_size=10, max_overflow=20, pool_timeout=10,
                          connect_args={"connect_timeout": CONNECT_TIMEOUT_S})
        self.engine = create_engine(self.url, **kwargs)
        file = _file_of(self.engine) if self.is_sqlite else None
        self._checkpointer = Checkpointer(file) if file is not None else None
        if self._checkpointer is not None:
            weakref.finalize(self, self._checkpointer.stop)  # a Database dropped without dispose
        if self.is_sqlite:
            _tune_sqlite(self.engine, sqlite_busy_timeout_s, self._checkpointer, sqlite_wal_pages)
        else:
            _ping_when_idle(self.engine)
        self._writer = threading.RLock() if self.is_sqlite else None
        self._writer_wait_s = sqlite_busy_timeout_s
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_engine = self.engine.execution_options(sqlite_deferred=True)
        self._read_sessions = sessionmaker(self._read_engine, expire_on_commit=False)

    @contextmanager
    def transaction(self, readonly: bool = False) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any exception."""
        with self._write_turn(readonly):
            session = (self._read_sessions if readonly else self._sessions)()
            try:
                with session.begin():
                    yield session
            finally:
                session.close()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only unit of work on a bare connection, for a hot read of a few columns (the API
        token's check): a Session and its ORM objects cost several times the statement itself."""
        with self._read_engine.begin() as connection:
            yield connection

    @contextmanager
    def _write_turn(self, readonly: bool) -> Iterator[None]:
        """This thread's turn to write (SQLite only), held until the transaction has committed or
        rolled back. A turn not granted within the busy timeout is the same outage as a SQLite lock
        not granted in that time: DatabaseUnavailable (503, try again), never an endless wait."""
        if readonly or self._writer is None:
            yield
            return
        if not self._writer.acquire(timeout=self._writer_wait_s):
            raise DatabaseUnavailable("the database is busy: this write waited "
                                      f"{self._writer_wait_s:g} s for its turn")
        try:
            yield
        finally:
            self._writer.release()

    def dispose(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.engine.dispose()
