"""Inbox page latency with many open tasks: the pages people use, and the CLI's ``list_tasks``.

Seeds a fresh SQLite file database (and a PostgreSQL schema of its own when
``COUNCILFLOW_BENCH_PG_URL`` is set) with N active tasks spread over 50 teams and
min(200,000, N) cases, using bulk Core inserts on ``engine.persistence.tables``. Tasks arrive in
time order (ids and ``created_at`` rise together), each case's tasks are close together in time,
and teams are drawn uniformly at random; one in 20 is assigned to its team's member and one in 50
is handed back. The people who look are added through the engine (``benchmarks/inbox_pages.py``).

Then it times, for random teams and people after a warm-up, the pages people use through
``engine.casework.queries`` (``benchmarks/inbox_pages.py``: a member of one team, a member of five teams,
an admin, and the admin's tab counts), and ``cases.list_tasks(ctx, team=NAME, limit=25)`` (the CLI's
list, open tasks oldest first) at page 1 and page 5 (``offset=100``), and prints the database's plan
for the CLI's query; with ``--explain`` (or when a page misses the target) the slowest statements
of each page with their plans.

The last line printed is JSON: ``tasks``; ``p50_ms`` and ``p95_ms``, the worst of the pages on SQLite
(the target is p95 < 50 ms at 1,000,000 tasks); ``pages`` with each page's ``p50_ms``/``p95_ms``; the
CLI's ``cli_p50_ms``/``cli_p95_ms`` and page-5 figures; seeding; and the same with ``pg_`` for PostgreSQL.

    .venv/bin/python -m benchmarks.inbox --tasks 1000000 [--samples 200] [--explain] [--json-only]
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
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text
from sqlalchemy.engine import Connection

from benchmarks.databases import fresh_postgres, fresh_sqlite, postgres_url
from benchmarks.inbox_pages import (PAGE, TEAMS, Timings, Viewers, explain, page_calls, seed_viewers,
                                    slowest_statements, statements_of, team_name, time_people_pages)
from engine.casework import cases
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.persistence.tables import Case, Process, ProcessVersion, Task, Team
from engine.types import CaseStatus, Channel, TaskStatus

MAX_CASES = 200_000
TARGET_P95_MS = 50.0
MIN_TASKS = TEAMS * 10 * PAGE  # every team then has well over the 5 pages that are timed
CHUNK = 50_000
PLAN_LINES = 12  # a plan's first lines; the rest of a long UNION ALL repeats them
PROCESS_KEY = "bench_inbox"
STEPS = [("record_report", "Record the problem"), ("inspect_site", "Inspect the site"),
         ("arrange_repair", "Arrange the repair"), ("confirm_with_resident", "Confirm with the resident")]
EPOCH = datetime(2024, 11, 22, 8, 0, tzinfo=timezone.utc)
SPAN = timedelta(days=730)  # the seeded tasks arrived over two years
ASSIGNED_EVERY, HANDED_BACK_EVERY = 20, 50  # one task in 20 is someone's, one in 50 awaits an answer


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


def _task_rows(ids: range, tasks: int, cases_count: int, rng: random.Random,
               members: dict[int, int]) -> list[dict[str, Any]]:
    step = SPAN / tasks
    rows = []
    for i in ids:
        bpmn_id, name = STEPS[i % len(STEPS)]
        team = rng.randint(1, TEAMS)
        status = TaskStatus.HANDED_BACK if i % HANDED_BACK_EVERY == HANDED_BACK_EVERY - 1 else TaskStatus.OPEN
        rows.append({"id": i + 1, "case_id": i * cases_count // tasks + 1, "spiff_id": str(uuid.UUID(int=i + 1)),
                     "bpmn_id": bpmn_id, "name": name, "process_key": PROCESS_KEY, "team_id": team,
                     "assignee_id": members[team] if i % ASSIGNED_EVERY == 0 else None, "form": None,
                     "status": status.value, "created_at": EPOCH + step * i, "due_at": None,
                     "completed_at": None, "completed_by": None})
    return rows


def seed(db: Database, tasks: int, rng: random.Random) -> tuple[float, Viewers]:
    """Bulk-insert the teams, one process version, the cases and the tasks, and add the people who
    look at them; returns the seconds it took and the people."""
    cases_count = min(MAX_CASES, tasks)
    started = time.perf_counter()
    with db.engine.begin() as connection:
        _seed_reference(connection)
    viewers = seed_viewers(db, EPOCH)
    for ids in _chunks(cases_count):
        with db.engine.begin() as connection:
            connection.execute(insert(Case.__table__), _case_rows(ids, cases_count))
    for ids in _chunks(tasks):
        with db.engine.begin() as connection:
            connection.execute(insert(Task.__table__), _task_rows(ids, tasks, cases_count, rng, viewers.member_ids))
    # Fresh statistics, as a maintained database would have; on PostgreSQL also the visibility map that
    # autovacuum sets after a bulk load: without it no count is index-only (team_counts 76 ms, not 26,
    # at 100,000 tasks), however fresh the statistics. VACUUM cannot mark a page all-visible while the
    # commit of its rows may still be unflushed (synchronous_commit=off, as on the tests' server), so one
    # synchronous commit first flushes every earlier one.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if db.is_sqlite:
            connection.execute(text("ANALYZE"))
        else:
            connection.execute(text("SET synchronous_commit = on"))
            connection.execute(text("SELECT txid_current()"))
            connection.execute(text('VACUUM ANALYZE team, "case", task, app_user, membership'))
    return time.perf_counter() - started, viewers


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


def query_plan(ctx: Context) -> tuple[list[str], float]:
    """The database's plan for the CLI's inbox query, and the median time of that SQL alone (ms)."""
    seen = statements_of(ctx, lambda: cases.list_tasks(ctx, team=team_name(1), limit=PAGE, offset=0))
    statement, parameters = next((s, p) for s, p in reversed(seen) if "FROM task" in s)
    return explain(ctx, statement, parameters, repeat=50)


@dataclass
class BackendResult:
    name: str
    seed_s: float
    page1: Timings
    page5: Timings
    pages: dict[str, Timings]
    plan: list[str]
    sql_only_ms: float
    size_mb: float | None
    slowest: dict[str, list[tuple[float, str, list[str]]]]  # page -> its slowest statements, when explained

    @property
    def worst(self) -> tuple[float, float]:
        """The worst p50 and the worst p95 over the pages people use."""
        return max(t.p50 for t in self.pages.values()), max(t.p95 for t in self.pages.values())

    def figures(self, prefix: str) -> dict[str, Any]:
        p50, p95 = self.worst
        return {f"{prefix}p50_ms": round(p50, 2), f"{prefix}p95_ms": round(p95, 2),
                f"{prefix}pages": {name: t.to_dict() for name, t in self.pages.items()},
                f"{prefix}cli_p50_ms": round(self.page1.p50, 2), f"{prefix}cli_p95_ms": round(self.page1.p95, 2),
                f"{prefix}page5_p50_ms": round(self.page5.p50, 2), f"{prefix}page5_p95_ms": round(self.page5.p95, 2),
                f"{prefix}seed_s": round(self.seed_s, 1), f"{prefix}sql_only_ms": round(self.sql_only_ms, 2)}


def run_backend(name: str, db: Database, tasks: int, samples: int, rng_seed: int, explain_all: bool,
                log: Callable[[str], None]) -> BackendResult:
    rng = random.Random(rng_seed)
    log(f"[{name}] seeding {tasks:,} active tasks, {min(MAX_CASES, tasks):,} cases, {TEAMS} teams ...")
    seed_s, viewers = seed(db, tasks, rng)
    log(f"[{name}] seeded in {seed_s:.1f} s ({tasks / seed_s:,.0f} tasks/s)")
    ctx = Context(db, settings=Settings())
    warmup = max(10, samples // 10)
    page1 = time_pages(ctx, 0, samples, warmup, rng)
    page5 = time_pages(ctx, 4 * PAGE, samples, warmup, rng)
    pages = time_people_pages(ctx, viewers, samples, warmup, rng)
    plan, sql_only_ms = query_plan(ctx)
    calls = page_calls(ctx, viewers, rng)
    slowest = {page: slowest_statements(ctx, calls[page]) for page, timings in pages.items()
               if explain_all or timings.p95 >= TARGET_P95_MS}
    size = Path(db.engine.url.database).stat().st_size / 1e6 if db.is_sqlite and db.engine.url.database else None
    return BackendResult(name, seed_s, page1, page5, pages, plan, sql_only_ms, size, slowest)


def report(results: list[BackendResult], tasks: int, log: Callable[[str], None]) -> None:
    for result in results:
        size = f", database file {result.size_mb:,.0f} MB" if result.size_mb else ""
        log(f"[{result.name}] plan of the CLI's inbox query (its SQL alone, team 1: median "
            f"{result.sql_only_ms:.2f} ms{size}):")
        for line in result.plan:
            log(f"    {line}")
        for page, statements in result.slowest.items():
            log(f"[{result.name}] {page}: its slowest statements alone, with their plans:")
            for took, statement, plan in statements:
                log(f"  {took:.2f} ms  {' '.join(statement.split())[:300]}")
                for line in plan[:PLAN_LINES]:
                    log(f"      {line}")
                if len(plan) > PLAN_LINES:
                    log(f"      ... {len(plan) - PLAN_LINES} more lines (each part of the UNION ALL alike)")
    log(f"{'backend':<11} {'tasks':>10} {'seed s':>7} {'page':<24} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    for result in results:
        for timings in (*result.pages.values(), result.page1, result.page5):
            log(f"{result.name:<11} {tasks:>10,} {result.seed_s:>7.1f} {timings.label:<24} "
                f"{timings.p50:>7.2f} {timings.p95:>7.2f} {max(timings.samples_ms):>7.2f}")
    for result in results:
        verdict = "met" if result.worst[1] < TARGET_P95_MS else "MISSED"
        log(f"target p95 < {TARGET_P95_MS:g} ms at 1,000,000 tasks: {verdict} at {tasks:,} tasks "
            f"({result.name}, worst page p95 {result.worst[1]:.2f} ms)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=100_000, help="active tasks to seed (default 100000)")
    parser.add_argument("--samples", type=int, default=200, help="timed queries per page (default 200)")
    parser.add_argument("--seed", type=int, default=20261122, help="random seed")
    parser.add_argument("--explain", action="store_true",
                        help="print every page's slowest statements with their plans (always for a page over target)")
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
        results.append(run_backend("SQLite", db, args.tasks, args.samples, args.seed, args.explain, log))
    if pg_url:
        with fresh_postgres(pg_url) as db:
            results.append(run_backend("PostgreSQL", db, args.tasks, args.samples, args.seed, args.explain, log))
    report(results, args.tasks, log)
    out: dict[str, Any] = {"tasks": args.tasks, **results[0].figures("")}
    for result in results[1:]:
        out.update(result.figures("pg_"))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
