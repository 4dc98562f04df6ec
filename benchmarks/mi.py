"""Management information at scale: p50/p95 of ``engine.mi.mi.figures`` for a 90-day range over years of
synthetic history, on SQLite (and PostgreSQL when ``COUNCILFLOW_BENCH_PG_URL`` is set).

Seeds a fresh database straight through the driver (one executemany per chunk on SQLite, COPY on
PostgreSQL; the secondary indexes of case, task and event dropped first and built once at the end):
N cases over two years (mostly in working hours; channels, 30 services, 5 front-office teams and 15 back-office ones), one task each, ``--events``
history events per case (default 5: 10,000,000 events for 2,000,000 cases), and the roll-up rows
(``mi_count``, ``mi_day``, ``mi_hour``) that ``engine.mi.mi_rollup`` would have written for that history: a start
contact per case, half handed off, a fifth with a repeat contact, tasks closed on time or late, and
recent cases still open with their SLA state. Then it times the dashboard's figures for the last 90
days, unfiltered and per team, service and channel in turn, after a warm-up.

The last line printed is JSON: ``cases``, ``events``, ``p50_ms``, ``p95_ms`` (SQLite), the seeding
time, PostgreSQL's figures as ``pg_*`` when it ran, and the load average at the end. ``--sqlite-file``
keeps the SQLite history in a file and times it again without seeding when it exists.

    .venv/bin/python -m benchmarks.mi --cases 2000000 [--events 5] [--samples 40] [--backends sqlite,postgresql]
        [--sqlite-file PATH] [--json-only]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import JSON, Connection, Date
from sqlalchemy.exc import DBAPIError

from benchmarks.databases import fresh_postgres, fresh_sqlite, local_postgres, postgres_url
from benchmarks.inbox import PROCESS_KEY, _seed_reference, team_name
from benchmarks.inbox_pages import Timings
from engine.mi import mi
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.mi.mi_rollup import CONTACT_START, Metric, coarse, day_of, hour_of
from engine.persistence.base import Base, UTCDateTime
from engine.persistence.db import Database
from engine.persistence.schema import upgrade
from engine.types import CaseStatus, Channel, ContactKind, EventKind, SlaState, TaskStatus

CHUNK = 50_000
NOW = datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)
SPAN_DAYS = 730
SERVICES = [f"service_{i:02d}" for i in range(30)]
FRONT, BACK = range(1, 6), range(6, 21)
CHANNELS = [(Channel.PHONE, 45), (Channel.WEB, 30), (Channel.EMAIL, 12), (Channel.FACE_TO_FACE, 6),
            (Channel.COUNCILLOR, 4), (Channel.PARTNER, 3)]
KINDS = list(ContactKind)
HOURS = [8, 9, 9, 10, 10, 10, 11, 11, 12, 13, 14, 14, 15, 15, 16, 17, 19]


def _chunks(total: int) -> Iterator[range]:
    for start in range(0, total, CHUNK):
        yield range(start, min(total, start + CHUNK))


class History:
    """The synthetic history and the roll-up counters it implies."""

    def __init__(self, count: int, rng: random.Random) -> None:
        self.count, self.rng = count, rng
        self.daily: Counter[tuple[date, str, str, str, str, int]] = Counter()
        self.hourly: Counter[tuple[datetime, str, str, int]] = Counter()
        self.channels = [c for c, w in CHANNELS for _ in range(w)]

    def _count(self, at: datetime, metric: Metric, channel: str, service: str, team: int, kind: str = "",
               n: int = 1) -> None:
        self.daily[(day_of(at), metric.value, kind, channel, service, team)] += n
        if metric == Metric.CONTACT:
            self.hourly[(hour_of(at), channel, service, team)] += n

    def _started_at(self) -> datetime:
        rng = self.rng
        while True:
            day = NOW.date() - timedelta(days=rng.randrange(SPAN_DAYS))
            if day.weekday() < 5 or rng.random() < 0.1:
                return datetime(day.year, day.month, day.day, rng.choice(HOURS), rng.randrange(60), tzinfo=timezone.utc)

    def case(self, i: int) -> tuple[dict[str, Any], dict[str, Any]]:
        rng = self.rng
        at, channel = self._started_at(), rng.choice(self.channels).value
        service_no = rng.randrange(len(SERVICES))
        service, front, back = SERVICES[service_no], FRONT[service_no % 5], BACK[service_no % 15]
        team = front if channel != Channel.WEB else 0
        recent = NOW - at < timedelta(days=30)
        is_open = rng.random() < (0.4 if recent else 0.02)
        handed_off = rng.random() < 0.5
        self._count(at, Metric.CONTACT, channel, service, team, CONTACT_START)
        self._count(at, Metric.CASE_STARTED, channel, service, team)
        if handed_off:
            self._count(at + timedelta(minutes=5), Metric.HANDOFF, channel, service, back)
        repeat = rng.random() < 0.2
        if repeat:
            later = min(NOW, at + timedelta(days=rng.randrange(1, 10)))
            self._count(later, Metric.CONTACT, rng.choice(self.channels).value, service, team,
                        rng.choice(KINDS).value)
        finished = at + timedelta(days=rng.randrange(0, 15))
        if not is_open and finished < NOW:
            self._count(finished, Metric.ON_TIME if rng.random() < 0.8 else Metric.LATE, channel, service,
                        back if handed_off else front, "task")
            if not handed_off and not repeat:
                self._count(at, Metric.RESOLVED_FIRST, channel, service, team)
        status = CaseStatus.OPEN if is_open else CaseStatus.COMPLETED
        sla_state = rng.choice([SlaState.ON_TRACK, SlaState.ON_TRACK, SlaState.AT_RISK, SlaState.BREACHED])
        case = {"id": i + 1, "reference": f"CF-{i + 1:07d}", "process_version_id": 1, "process_key": PROCESS_KEY,
                "status": status.value, "channel": channel, "customer_id": None, "data": {}, "error": None,
                "created_by": "benchmark", "created_at": at, "updated_at": at,
                "completed_at": None if is_open else finished, "due_at": at + timedelta(days=10),
                "sla_state": sla_state.value if is_open else None, "lock_version": 1, "service_key": service, "sensitivity": "normal"}
        task = {"id": i + 1, "case_id": i + 1, "spiff_id": f"{i + 1:036d}", "bpmn_id": "work",
                "name": "Do the work", "process_key": PROCESS_KEY, "team_id": back if handed_off else front,
                "assignee_id": None, "form": None, "status": (TaskStatus.OPEN if is_open else TaskStatus.COMPLETED).value,
                "created_at": at, "due_at": at + timedelta(days=5), "sla_state": sla_state.value if is_open else None,
                "completed_at": None if is_open else finished, "completed_by": None}
        return case, task


EVENT_KINDS = [EventKind.CASE_STARTED, EventKind.TASK_CREATED, EventKind.NOTE_ADDED, EventKind.TASK_COMPLETED,
               EventKind.CASE_COMPLETED]
CASE_COLUMNS = ("id", "reference", "process_version_id", "process_key", "status", "channel", "customer_id", "data",
                "error", "created_by", "created_at", "updated_at", "completed_at", "due_at", "sla_state",
                "lock_version", "service_key", "sensitivity")
TASK_COLUMNS = ("id", "case_id", "spiff_id", "bpmn_id", "name", "process_key", "team_id", "assignee_id", "form",
                "status", "created_at", "due_at", "sla_state", "completed_at", "completed_by")
EVENT_COLUMNS = ("id", "case_id", "task_id", "actor", "at", "kind", "detail")
SEEDED = ("case", "task", "event")  # their secondary indexes are built after the rows are in


def _naive_utc(value: datetime | None) -> str | None:
    """SQLite keeps datetimes as SQLAlchemy's naive UTC text."""
    return None if value is None else value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ", "microseconds")


def _json(value: Any) -> str:
    return "{}" if value == {} else json.dumps(value)


def _converters(table: str, columns: tuple[str, ...], sqlite: bool) -> list[Callable[[Any], Any] | None]:
    """For each column, how its Python values become what the driver takes (None: as they are)."""
    out: list[Callable[[Any], Any] | None] = []
    for name in columns:
        kind = Base.metadata.tables[table].c[name].type
        if isinstance(kind, JSON):
            out.append(_json)
        elif sqlite and isinstance(kind, UTCDateTime):
            out.append(_naive_utc)
        elif sqlite and isinstance(kind, Date):
            out.append(lambda d: None if d is None else d.isoformat())
        else:
            out.append(None)
    return out


def _bulk(connection: Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]],
          sqlite: bool) -> None:
    """Rows straight to the driver: one executemany on SQLite, COPY on PostgreSQL."""
    convert = [(i, f) for i, f in enumerate(_converters(table, columns, sqlite)) if f is not None]
    if convert:
        changed = []
        for row in rows:
            values = list(row)
            for i, f in convert:
                values[i] = f(values[i])
            changed.append(tuple(values))
        rows = changed
    names = ", ".join(f'"{c}"' for c in columns)
    if sqlite:
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        return
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def _events(case: dict[str, Any], per_case: int, first_id: int) -> Iterator[tuple[Any, ...]]:
    for k in range(per_case):
        yield (first_id + k, case["id"], case["id"] if k else None, "benchmark", case["created_at"] + timedelta(minutes=k),
               EVENT_KINDS[k % len(EVENT_KINDS)].value, {})


def _secondary_indexes(connection: Connection, sqlite: bool) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the seeded tables' indexes that back no constraint."""
    if sqlite:
        query = ("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                 "AND tbl_name IN ('case', 'task', 'event')")
    else:
        query = ("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                 "AND tablename IN ('case', 'task', 'event') "
                 "AND indexname NOT IN (SELECT conname FROM pg_constraint)")
    return [(str(name), str(sql)) for name, sql in connection.exec_driver_sql(query)]


def _without_foreign_key_checks(connection: Connection) -> bool:
    """On PostgreSQL, skip the foreign-key triggers for this connection's rows when allowed (a
    superuser, as on the tests' own server): the ids are made consistent here. False if not allowed."""
    try:
        connection.exec_driver_sql("SET session_replication_role = replica")
        connection.commit()
        return True
    except DBAPIError:
        connection.rollback()
        return False


def seed(db: Database, count: int, per_case: int, rng: random.Random, log: Callable[[str], None]) -> float:
    """Cases, tasks and events in chunks with the secondary indexes dropped (built once at the end),
    then the roll-up those rows imply."""
    started, sqlite = time.perf_counter(), db.is_sqlite
    with db.engine.begin() as connection:
        _seed_reference(connection)
    with db.engine.connect() as connection:
        unchecked = not sqlite and _without_foreign_key_checks(connection)
        indexes = _secondary_indexes(connection, sqlite)
        for name, _ in indexes:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
        connection.commit()
        history = History(count, rng)
        for ids in _chunks(count):
            pairs = [history.case(i) for i in ids]
            _bulk(connection, "case", CASE_COLUMNS, [tuple(c[k] for k in CASE_COLUMNS) for c, _ in pairs], sqlite)
            _bulk(connection, "task", TASK_COLUMNS, [tuple(t[k] for k in TASK_COLUMNS) for _, t in pairs], sqlite)
            _bulk(connection, "event", EVENT_COLUMNS,
                  [e for c, _ in pairs for e in _events(c, per_case, c["id"] * per_case)], sqlite)
            connection.commit()
            if ids.start % (CHUNK * 10) == 0:
                log(f"  {ids.stop:,} cases ({time.perf_counter() - started:.0f} s)")
        log(f"  rows in ({time.perf_counter() - started:.0f} s); building {len(indexes)} indexes")
        if not sqlite:
            connection.exec_driver_sql("SET maintenance_work_mem = '256MB'")
        for _, create in indexes:
            connection.exec_driver_sql(create)
        connection.commit()
        daily = [(*k, n) for k, n in history.daily.items()]
        by_channel = [(*k, n) for k, n in coarse(dict(history.daily)).items()]
        hourly = [(*k, n) for k, n in history.hourly.items()]
        for table, columns, rows in (
                ("mi_count", ("day", "metric", "kind", "channel", "service_key", "team_id", "n"), daily),
                ("mi_day", ("day", "metric", "kind", "channel", "service_key", "n"), by_channel),
                ("mi_hour", ("at", "channel", "service_key", "team_id", "n"), hourly)):
            for start in range(0, len(rows), CHUNK):
                _bulk(connection, table, columns, rows[start:start + CHUNK], sqlite)
            connection.commit()
        log(f"  roll-up: {len(daily):,} daily, {len(by_channel):,} coarse daily and {len(hourly):,} hourly rows")
        if unchecked:
            connection.exec_driver_sql("SET session_replication_role = DEFAULT")
        connection.exec_driver_sql("ANALYZE" if sqlite else 'ANALYZE "case", task, event, mi_count, mi_day, mi_hour')
        connection.commit()
    return time.perf_counter() - started


def asks(rng: random.Random) -> Iterator[mi.Filters]:
    """What managers look at, in turn: everything, a team, a service, a channel (the last 90 days)."""
    end = NOW.date()
    start = end - timedelta(days=89)
    while True:
        yield mi.Filters(start, end)
        yield mi.Filters(start, end, team=team_name(rng.choice([*FRONT, *BACK])))
        yield mi.Filters(start, end, service=rng.choice(SERVICES))
        yield mi.Filters(start, end, channel=rng.choice(["telephone", "web", "email"]))


def run_backend(name: str, db: Database, count: int, per_case: int, samples: int, rng_seed: int,
                log: Callable[[str], None], seeded: bool = False) -> tuple[float, Timings]:
    rng = random.Random(rng_seed)
    seed_s = 0.0
    if not seeded:
        log(f"[{name}] seeding {count:,} cases and {count * per_case:,} events ...")
        seed_s = seed(db, count, per_case, rng, log)
        log(f"[{name}] seeded in {seed_s:.1f} s")
    ctx = Context(db, clock=FixedClock(NOW), settings=Settings())
    timings, wanted, warmup = Timings(name), asks(rng), 8
    for n in range(warmup + samples):
        filters = next(wanted)
        began = time.perf_counter()
        mi.figures(ctx, filters)
        took = (time.perf_counter() - began) * 1000
        if n >= warmup:
            timings.samples_ms.append(took)
    return seed_s, timings


@contextmanager
def kept_sqlite(path: Path) -> Iterator[tuple[Database, bool]]:
    """An SQLite file kept between runs (to time the figures again without seeding): migrated to the
    latest schema; True when it already held the history."""
    seeded = path.exists()
    db = Database(f"sqlite:///{path}")
    try:
        upgrade(db)
        yield db, seeded
    finally:
        db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=200_000, help="cases to seed (default 200000)")
    parser.add_argument("--events", type=int, default=5, help="history events per case (default 5)")
    parser.add_argument("--samples", type=int, default=40, help="timed dashboards (default 40)")
    parser.add_argument("--seed", type=int, default=20261206, help="random seed")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    parser.add_argument("--backends", help="sqlite, postgresql or both (default: SQLite, and PostgreSQL when "
                                           "COUNCILFLOW_BENCH_PG_URL is set); PostgreSQL is that server, else "
                                           "one started here for the run")
    parser.add_argument("--sqlite-file", type=Path, help="keep the SQLite history in this file; reused if it exists")
    args = parser.parse_args(argv)
    if not 1_000 <= args.cases <= 5_000_000 or not 1 <= args.events <= 20:
        parser.error("--cases must be between 1000 and 5000000, --events between 1 and 20")

    def log(line: str) -> None:
        if not args.json_only:
            print(line, flush=True)

    asked = args.backends or ("sqlite,postgresql" if postgres_url() else "sqlite")
    backends = {b.strip() for b in asked.split(",") if b.strip()}
    results: list[tuple[float, Timings]] = []
    if "sqlite" in backends:
        with ExitStack() as stack:
            if args.sqlite_file:
                db, seeded = stack.enter_context(kept_sqlite(args.sqlite_file))
            else:
                db, seeded = stack.enter_context(fresh_sqlite("cf-bench-mi-")), False
            results.append(run_backend("SQLite", db, args.cases, args.events, args.samples, args.seed, log, seeded))
    if "postgresql" in backends:
        with local_postgres() as pg_url, fresh_postgres(pg_url) as db:
            results.append(run_backend("PostgreSQL", db, args.cases, args.events, args.samples, args.seed, log))
    for _, t in results:
        log(f"{t.label:<11} p50 {t.p50:8.1f} ms  p95 {t.p95:8.1f} ms  max {max(t.samples_ms):8.1f} ms")
    out: dict[str, Any] = {"cases": args.cases, "events": args.cases * args.events}
    for (seed_s, t), prefix in zip(results, ["" if "sqlite" in backends else "pg_", "pg_"]):
        out.update({f"{prefix}p50_ms": round(t.p50, 2), f"{prefix}p95_ms": round(t.p95, 2),
                    f"{prefix}seed_s": round(seed_s, 1)})
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
