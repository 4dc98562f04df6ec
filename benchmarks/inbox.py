"""Team inbox page latency with many open tasks: p50/p95 of ``engine.cases.list_tasks``.

Seeds a fresh SQLite file database (and a PostgreSQL schema of its own when
``COUNCILFLOW_BENCH_PG_URL`` is set) with N open tasks spread over 50 teams and
min(200,000, N) cases, using bulk Core inserts on ``engine.persistence.tables``. Tasks arrive in
time order (ids and ``created_at`` rise together), each case's tasks are close together in time,
and teams are drawn uniformly at random. Then it times the inbox page as the web UI asks for it,
``list_tasks(ctx, team=NAME, limit=25, offset=0)`` (open tasks of a team, oldest first), for random
teams after a warm-up, and page 5 (``offset=100``) the same way, and prints the database's plan for
the query.

The last line printed is JSON: ``tasks``, ``p50_ms``, ``p95_ms`` (page 1 on SQLite; the target is
p95 < 50 ms at 1,000,000 tasks), plus page-5, seeding and PostgreSQL figures.

    .venv/bin/python -m benchmarks.inbox --tasks 1000000 [--samples 200] [--json-only]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert, text
from sqlalchemy.engine import Connection

from benchmarks.databases import fresh_postgres, fresh_sqlite, postgres_url
from engine import cases
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.persistence.tables import Case, Process, ProcessVersion, Task, Team
from engine.types import CaseStatus, Channel, TaskStatus

TEAMS = 50
MAX_CASES = 200_000
PAGE = 25
TARGET_P95_MS = 50.0
MIN_TASKS = TEAMS * 10 * PAGE  # every team then has well over the 5 pages that are timed
CHUNK = 50_000
PROCESS_KEY = "bench_inbox"
STEPS = [("record_report", "Record the problem"), ("inspect_site", "Inspect the site"),
         ("arrange_repair", "Arrange the repair"), ("confirm_with_resident", "Confirm with the resident")]
EPOCH = datetime(2024, 11, 22, 8, 0, tzinfo=timezone.utc)
SPAN = timedelta(days=730)  # the seeded tasks arrived over two years


def team_name(index: int) -> str:
    return f"Inbox team {index:02d}"


def _chunks(total: int) -> Iterator[range]:
    for start in range(0, total, CHUNK):
        yield range(start, min(total, start + CHUNK))


def _seed_reference(connection: Connection) -> None:
    now = EPOCH
    connection.execute(insert(Team.__table__),
                       [{"id": i, "name": team_name(i), "created_at": now} for i in range(1, TEAMS + 1)])
    connection.execute(insert(Process.__table__),
                       [{"key": PROCESS_KEY, "name": "Inbox benchmark", "latest_version": 1}])
    connection.execute(insert(ProcessVersion.__table__), [{
        "id": 1, "process_key": PROCESS_KEY, "version": 1, "name": "Inbox benchmark", "content_hash": "0" * 64,
        "dialect": "spiff", "spec": {}, "files": {}, "user_tasks": {}, "warnings": [],
        "deployed_by": "benchmark", "deployed_at": now}])


def _case_rows(ids: range, cases_count: int) -> list[dict[str, Any]]:
    step = SPAN / cases_count
    return [{"id": i + 1, "reference": f"CF-{i + 1:06d}", "process_version_id": 1, "process_key": PROCESS_KEY,
             "status": CaseStatus.OPEN.value, "channel": Channel.PHONE.value, "customer_id": None, "data": {},
             "error": None, "created_by": "benchmark", "created_at": EPOCH + step * i,
             "updated_at": EPOCH + step * i, "completed_at": None, "lock_version": 1} for i in ids]


def _task_rows(ids: range, tasks: int, cases_count: int, rng: random.Random) -> list[dict[str, Any]]:
    step = SPAN / tasks
    rows = []
    for i in ids:
        bpmn_id, name = STEPS[i % len(STEPS)]
        rows.append({"id": i + 1, "case_id": i * cases_count // tasks + 1, "spiff_id": str(uuid.UUID(int=i + 1)),
                     "bpmn_id": bpmn_id, "name": name, "process_key": PROCESS_KEY,
                     "team_id": rng.randint(1, TEAMS), "assignee_id": None, "form": None,
                     "status": TaskStatus.OPEN.value, "created_at": EPOCH + step * i, "due_at": None,
                     "completed_at": None, "completed_by": None})
    return rows


def seed(db: Database, tasks: int, rng: random.Random) -> float:
    """Bulk-insert the teams, one process version, the cases and the open tasks; returns seconds."""
    cases_count = min(MAX_CASES, tasks)
    started = time.perf_counter()
    with db.engine.begin() as connection:
        _seed_reference(connection)
    for ids in _chunks(cases_count):
        with db.engine.begin() as connection:
            connection.execute(insert(Case.__table__), _case_rows(ids, cases_count))
    for ids in _chunks(tasks):
        with db.engine.begin() as connection:
            connection.execute(insert(Task.__table__), _task_rows(ids, tasks, cases_count, rng))
    with db.engine.begin() as connection:  # fresh statistics, as a maintained database would have
        connection.execute(text("ANALYZE" if db.is_sqlite else 'ANALYZE team, "case", task'))
    return time.perf_counter() - started


@dataclass
class Timings:
    label: str
    samples_ms: list[float] = field(default_factory=list)

    def pct(self, fraction: float) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return self.pct(0.95)


def time_pages(ctx: Context, offset: int, samples: int, warmup: int, rng: random.Random) -> Timings:
    timings = Timings(f"page {offset // PAGE + 1} (offset {offset})")
    for n in range(warmup + samples):
        team = team_name(rng.randint(1, TEAMS))
        started = time.perf_counter()
        page = cases.list_tasks(ctx, team=team, limit=PAGE, offset=offset)
        took = (time.perf_counter() - started) * 1000
        if len(page) != PAGE:
            raise RuntimeError(f"{team} returned {len(page)} tasks on a page of {PAGE}: seed more tasks")
        if n >= warmup:
            timings.samples_ms.append(took)
    return timings


def capture_inbox_query(ctx: Context) -> tuple[str, Any]:
    """The SQL (and parameters) that ``list_tasks`` sends for a team page: what EXPLAIN should see."""
    seen: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(ctx.db.engine, "before_cursor_execute", record)
    try:
        cases.list_tasks(ctx, team=team_name(1), limit=PAGE, offset=0)
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", record)
    return next((s, p) for s, p in reversed(seen) if "FROM task" in s)


def query_plan(ctx: Context) -> tuple[list[str], float]:
    """The database's plan for the inbox page query, and the median time of that SQL alone (ms)."""
    statement, parameters = capture_inbox_query(ctx)
    prefix = "EXPLAIN QUERY PLAN " if ctx.db.is_sqlite else "EXPLAIN "
    with ctx.db.engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
        took = []
        for _ in range(50):
            started = time.perf_counter()
            connection.exec_driver_sql(statement, parameters).all()
            took.append((time.perf_counter() - started) * 1000)
    plan = [str(row[-1] if ctx.db.is_sqlite else row[0]) for row in rows]  # SQLite: the detail column
    return plan, statistics.median(took)


@dataclass
class BackendResult:
    name: str
    seed_s: float
    page1: Timings
    page5: Timings
    plan: list[str]
    sql_only_ms: float
    size_mb: float | None


def run_backend(name: str, db: Database, tasks: int, samples: int, rng_seed: int,
                log: Callable[[str], None]) -> BackendResult:
    rng = random.Random(rng_seed)
    log(f"[{name}] seeding {tasks:,} open tasks, {min(MAX_CASES, tasks):,} cases, {TEAMS} teams ...")
    seed_s = seed(db, tasks, rng)
    log(f"[{name}] seeded in {seed_s:.1f} s ({tasks / seed_s:,.0f} tasks/s)")
    ctx = Context(db, settings=Settings())
    warmup = max(10, samples // 10)
    page1 = time_pages(ctx, 0, samples, warmup, rng)
    page5 = time_pages(ctx, 4 * PAGE, samples, warmup, rng)
    plan, sql_only_ms = query_plan(ctx)
    size = Path(db.engine.url.database).stat().st_size / 1e6 if db.is_sqlite and db.engine.url.database else None
    return BackendResult(name, seed_s, page1, page5, plan, sql_only_ms, size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=100_000, help="open tasks to seed (default 100000)")
    parser.add_argument("--samples", type=int, default=200, help="timed page queries per page (default 200)")
    parser.add_argument("--seed", type=int, default=20261122, help="random seed")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    if not MIN_TASKS <= args.tasks <= 5_000_000:
        parser.error(f"--tasks must be between {MIN_TASKS} and 5000000")
    if not 20 <= args.samples <= 5000:
        parser.error("--samples must be between 20 and 5000")

    def log(line: str) -> None:
        if not args.json_only:
            print(line, flush=True)

    pg_url = postgres_url()
    results: list[BackendResult] = []
    with fresh_sqlite("cf-bench-inbox-") as db:
        results.append(run_backend("SQLite", db, args.tasks, args.samples, args.seed, log))
    if pg_url:
        with fresh_postgres(pg_url) as db:
            results.append(run_backend("PostgreSQL", db, args.tasks, args.samples, args.seed, log))

    for result in results:
        size = f", database file {result.size_mb:,.0f} MB" if result.size_mb else ""
        log(f"[{result.name}] plan of the inbox page query (its SQL alone, team 1: median "
            f"{result.sql_only_ms:.2f} ms{size}):")
        for line in result.plan:
            log(f"    {line}")
    log(f"{'backend':<11} {'tasks':>10} {'seed s':>7} {'page':<18} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    for result in results:
        for timings in (result.page1, result.page5):
            log(f"{result.name:<11} {args.tasks:>10,} {result.seed_s:>7.1f} {timings.label:<18} "
                f"{timings.p50:>7.2f} {timings.p95:>7.2f} {max(timings.samples_ms):>7.2f}")
    sqlite = results[0]
    verdict = "met" if sqlite.page1.p95 < TARGET_P95_MS else "MISSED"
    log(f"target p95 < {TARGET_P95_MS:g} ms at 1,000,000 tasks: {verdict} at {args.tasks:,} tasks (SQLite page 1)")
    out: dict[str, Any] = {"tasks": args.tasks, "p50_ms": round(sqlite.page1.p50, 2),
                           "p95_ms": round(sqlite.page1.p95, 2),
                           "page5_p50_ms": round(sqlite.page5.p50, 2), "page5_p95_ms": round(sqlite.page5.p95, 2),
                           "seed_s": round(sqlite.seed_s, 1), "sql_only_ms": round(sqlite.sql_only_ms, 2)}
    for result in results[1:]:
        out.update(pg_p50_ms=round(result.page1.p50, 2), pg_p95_ms=round(result.page1.p95, 2),
                   pg_page5_p95_ms=round(result.page5.p95, 2), pg_seed_s=round(result.seed_s, 1),
                   pg_sql_only_ms=round(result.sql_only_ms, 2))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
