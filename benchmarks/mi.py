"""Management information at scale: p50/p95 of ``engine.mi.mi.figures`` for a 90-day range over years of
synthetic history, on SQLite (and PostgreSQL when ``COUNCILFLOW_BENCH_PG_URL`` is set).

Seeds a fresh database with bulk Core inserts: N cases over two years (mostly in working hours;
channels, 30 services, 5 front-office teams and 15 back-office ones), one task each, ``--events``
history events per case (default 5: 10,000,000 events for 2,000,000 cases), and the roll-up rows
(``mi_count``, ``mi_day``, ``mi_hour``) that ``engine.mi.mi_rollup`` would have written for that history: a start
contact per case, half handed off, a fifth with a repeat contact, tasks closed on time or late, and
recent cases still open with their SLA state. Then it times the dashboard's figures for the last 90
days, unfiltered and per team, service and channel in turn, after a warm-up.

The last line printed is JSON: ``cases``, ``events``, ``p50_ms``, ``p95_ms`` (SQLite), the seeding
time, and PostgreSQL's figures as ``pg_*`` when it ran.

    .venv/bin/python -m benchmarks.mi --cases 2000000 [--events 5] [--samples 40] [--json-only]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Connection, insert, text

from benchmarks.databases import fresh_postgres, fresh_sqlite, postgres_url
from benchmarks.inbox import PROCESS_KEY, _seed_reference, team_name
from benchmarks.inbox_pages import Timings
from engine.mi import mi
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.mi.mi_rollup import CONTACT_START, Metric, coarse, day_of, hour_of
from engine.persistence.db import Database
from engine.persistence.tables import Case, MiCount, MiDay, MiHour, Task
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
                "sla_state": sla_state.value if is_open else None, "lock_version": 1, "service_key": service}
        task = {"id": i + 1, "case_id": i + 1, "spiff_id": f"{i + 1:036d}", "bpmn_id": "work",
                "name": "Do the work", "process_key": PROCESS_KEY, "team_id": back if handed_off else front,
                "assignee_id": None, "form": None, "status": (TaskStatus.OPEN if is_open else TaskStatus.COMPLETED).value,
                "created_at": at, "due_at": at + timedelta(days=5), "sla_state": sla_state.value if is_open else None,
                "completed_at": None if is_open else finished, "completed_by": None}
        return case, task


EVENT_KINDS = [EventKind.CASE_STARTED, EventKind.TASK_CREATED, EventKind.NOTE_ADDED, EventKind.TASK_COMPLETED,
               EventKind.CASE_COMPLETED]


EVENT_COLUMNS = "id, case_id, task_id, actor, at, kind, detail"


def _events(case: dict[str, Any], per_case: int, first_id: int, sqlite: bool) -> list[tuple[Any, ...]]:
    """The case's history rows as driver tuples (SQLite keeps datetimes as SQLAlchemy's naive text)."""
    rows = []
    for k in range(per_case):
        at = case["created_at"] + timedelta(minutes=k)
        when: Any = at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at
        rows.append((first_id + k, case["id"], case["id"] if k else None, "benchmark", when,
                     EVENT_KINDS[k % len(EVENT_KINDS)].value, "{}"))
    return rows


def _insert_events(connection: Connection, rows: list[tuple[Any, ...]], sqlite: bool) -> None:
    """10 rows a case is most of the seeding: straight to the driver (COPY on PostgreSQL)."""
    if sqlite:
        connection.exec_driver_sql(f"INSERT INTO event ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        return
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY event ({EVENT_COLUMNS}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed(db: Database, count: int, per_case: int, rng: random.Random, log: Callable[[str], None]) -> float:
    started = time.perf_counter()
    with db.engine.begin() as connection:
        _seed_reference(connection)
    history = History(count, rng)
    for ids in _chunks(count):
        pairs = [history.case(i) for i in ids]
        events = [e for case, _ in pairs for e in _events(case, per_case, case["id"] * per_case, db.is_sqlite)]
        with db.engine.begin() as connection:
            connection.execute(insert(Case.__table__), [c for c, _ in pairs])
            connection.execute(insert(Task.__table__), [t for _, t in pairs])
            _insert_events(connection, events, db.is_sqlite)
        if ids.start % (CHUNK * 10) == 0:
            log(f"  {ids.stop:,} cases ({time.perf_counter() - started:.0f} s)")
    daily = [{"day": k[0], "metric": k[1], "kind": k[2], "channel": k[3], "service_key": k[4], "team_id": k[5], "n": n}
             for k, n in history.daily.items()]
    hourly = [{"at": k[0], "channel": k[1], "service_key": k[2], "team_id": k[3], "n": n}
              for k, n in history.hourly.items()]
    by_channel = [{"day": k[0], "metric": k[1], "kind": k[2], "channel": k[3], "service_key": k[4], "n": n}
                  for k, n in coarse(dict(history.daily)).items()]
    for table, rows in ((MiCount, daily), (MiDay, by_channel), (MiHour, hourly)):
        for start in range(0, len(rows), CHUNK):
            with db.engine.begin() as connection:
                connection.execute(insert(table.__table__), rows[start:start + CHUNK])
    log(f"  roll-up: {len(daily):,} daily, {len(by_channel):,} coarse daily and {len(hourly):,} hourly rows")
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE" if db.is_sqlite else 'ANALYZE "case", task, mi_count, mi_day, mi_hour'))
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
                log: Callable[[str], None]) -> tuple[float, Timings]:
    rng = random.Random(rng_seed)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=200_000, help="cases to seed (default 200000)")
    parser.add_argument("--events", type=int, default=5, help="history events per case (default 5)")
    parser.add_argument("--samples", type=int, default=40, help="timed dashboards (default 40)")
    parser.add_argument("--seed", type=int, default=20261206, help="random seed")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    if not 1_000 <= args.cases <= 5_000_000 or not 1 <= args.events <= 20:
        parser.error("--cases must be between 1000 and 5000000, --events between 1 and 20")

    def log(line: str) -> None:
        if not args.json_only:
            print(line, flush=True)

    results: list[tuple[float, Timings]] = []
    with fresh_sqlite("cf-bench-mi-") as db:
        results.append(run_backend("SQLite", db, args.cases, args.events, args.samples, args.seed, log))
    pg_url = postgres_url()
    if pg_url:
        with fresh_postgres(pg_url) as db:
            results.append(run_backend("PostgreSQL", db, args.cases, args.events, args.samples, args.seed, log))
    for _, t in results:
        log(f"{t.label:<11} p50 {t.p50:8.1f} ms  p95 {t.p95:8.1f} ms  max {max(t.samples_ms):8.1f} ms")
    seed_s, sqlite_t = results[0]
    out: dict[str, Any] = {"cases": args.cases, "events": args.cases * args.events,
                           "p50_ms": round(sqlite_t.p50, 2), "p95_ms": round(sqlite_t.p95, 2), "seed_s": round(seed_s, 1)}
    for pg_seed_s, pg in results[1:]:
        out.update(pg_p50_ms=round(pg.p50, 2), pg_p95_ms=round(pg.p95, 2), pg_seed_s=round(pg_seed_s, 1))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
