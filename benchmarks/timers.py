"""One timer sweep with many waiting cases: does its cost follow the due timers or the waiting cases?

One real case of ``benchmarks/data/bench_timers.bpmn`` (a task with an interrupting two-day boundary
timer) is started through the engine; its ``case``, ``case_state``, ``task`` and ``timer`` rows are
then cloned with bulk Core inserts until N cases wait, D of them (at random ids) falling due over
the two days. ``fire_due_timers`` must find the due cases through the ``timer.due_at`` index and fire
each (lock the case, load its state, run the boundary event, save, project the new task), leaving
the others untouched. Two databases are seeded, 10,000 and N waiting cases with the same D, and
their due timers are fired in alternating slices (what fell due in each tenth of the two days), so
other load on the machine weighs on both alike; a sweep's figures are the sums over its slices
(wall clock and this process's CPU). Then an idle sweep (nothing due) is timed. SQLite file
databases; also PostgreSQL when ``COUNCILFLOW_BENCH_PG_URL`` is set.

Last line: JSON ``{"waiting", "due", "sweep_s", ...}`` for N waiting on SQLite, plus the others.

    .venv/bin/python -m benchmarks.timers [--waiting 100000] [--due 1000] [--small 10000]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Table, insert, select, text

from benchmarks.databases import fresh_postgres, fresh_sqlite, postgres_url
from engine.bpmn import registry
from engine.casework import cases
from engine.clock import FixedClock
from engine.context import Context
from engine.persistence.db import Database
from engine.persistence.tables import Case, CaseState, Task, Timer
from engine.background.worker import fire_due_timers

MAP = Path(__file__).resolve().parent / "data" / "bench_timers.bpmn"
START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
TIMER = timedelta(days=2)  # the map's P2D: due timers fall due over the two days after START
LATER = START + TIMER + timedelta(hours=1)  # the waiting, not yet due, timers fall due after this
CHUNK = 5_000


def _row(table: Table, instance: Any) -> dict[str, Any]:
    return {c.key: getattr(instance, c.key) for c in table.columns if c.key != "id"}


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def seed(db: Database, waiting: int, due: int) -> None:
    """One real case through the engine, cloned until ``waiting`` wait, ``due`` of them (at random
    ids) falling due one after another over two days; the rest are due later."""
    ctx = Context(db, clock=FixedClock(START))
    registry.deploy(ctx, {MAP.name: MAP.read_bytes()}, "benchmark")
    cases.start_case(ctx, "bench_timers")  # case 1, due at START + TIMER: the last of the due
    with db.transaction(readonly=True) as session:
        case = session.scalars(select(Case)).one()
        state, task, timer = (session.get_one(CaseState, case.id), session.scalars(select(Task)).one(),
                              session.scalars(select(Timer)).one())
        case_row, task_row, timer_row = (_row(Case.__table__, case), _row(Task.__table__, task),
                                         _row(Timer.__table__, timer))
        version, document, original_due = state.serializer_version, state.state, timer.due_at.isoformat()
    rng = random.Random(6)
    due_at = {i: START + TIMER * (n + 1) / due for n, i in enumerate(rng.sample(range(2, waiting + 1), due - 1))}
    with db.engine.begin() as connection:
        for ids in _chunks(list(range(2, waiting + 1))):
            instants = {i: due_at.get(i) or LATER + timedelta(minutes=rng.randint(1, 20_000)) for i in ids}
            connection.execute(insert(Case.__table__), [
                {**case_row, "id": i, "reference": f"CF-{i:06d}", "lock_version": 1} for i in ids])
            # Each clone's own timer instant, in its workflow state as in its timer row.
            connection.execute(insert(CaseState.__table__), [
                {"case_id": i, "serializer_version": version,
                 "state": document.replace(original_due, instants[i].isoformat())} for i in ids])
            connection.execute(insert(Task.__table__), [{**task_row, "case_id": i} for i in ids])
            connection.execute(insert(Timer.__table__), [{**timer_row, "case_id": i, "due_at": instants[i]}
                                                         for i in ids])
        connection.execute(text("ANALYZE"))  # as a database in service would have its statistics


def plan(db: Database) -> str:
    """The database's plan for the worker's query of due timers."""
    query = select(Timer.case_id).where(Timer.due_at < LATER).order_by(Timer.due_at).limit(50)
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    explain = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN "
    with db.engine.connect() as connection:
        rows = connection.execute(text(explain + str(compiled))).all()
    return "; ".join(str(row[-1]).strip() for row in rows)


@dataclass
class Tally:
    wall_s: float = 0.0
    cpu_s: float = 0.0
    fired: int = 0


def _sweep(db: Database, instant: datetime, tally: Tally) -> None:
    ctx = Context(db, clock=FixedClock(instant))
    wall, cpu = time.perf_counter(), time.process_time()
    tally.fired += fire_due_timers(ctx, limit=1_000_000)
    tally.wall_s += time.perf_counter() - wall
    tally.cpu_s += time.process_time() - cpu


def _idle_ms(db: Database) -> float:
    """An idle sweep (nothing due: only the index is read), median of 5."""
    ctx, times = Context(db, clock=FixedClock(LATER)), []
    for _ in range(5):
        started = time.perf_counter()
        if fire_due_timers(ctx) != 0:
            raise SystemExit("an idle sweep fired a timer")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def compare(label: str, fresh: Callable[[], AbstractContextManager[Database]], sizes: tuple[int, int], due: int,
            rounds: int) -> dict[int, dict[str, Any]]:
    """Seed both sizes, then fire their due timers in ``rounds`` alternating slices (a slice is the
    timers that fell due in the next 1/rounds of the two days), so other load on the machine weighs
    on both alike. One sweep's figures are the sums over the slices."""
    with fresh() as small, fresh() as large:
        dbs = dict(zip(sizes, (small, large)))
        for waiting, db in dbs.items():
            started = time.perf_counter()
            seed(db, waiting, due)
            print(f"{label}: seeded {waiting:,} waiting cases in {time.perf_counter() - started:.0f} s")
        tallies = {waiting: Tally() for waiting in sizes}
        for r in range(rounds):
            instant = START + TIMER * (r + 1) / rounds + timedelta(seconds=1)
            for waiting in (sizes if r % 2 == 0 else sizes[::-1]):
                _sweep(dbs[waiting], instant, tallies[waiting])
        print(f"{label}: plan of the due-timer query: {plan(large)}")
        results = {}
        for waiting, tally in tallies.items():
            if tally.fired != due:
                raise SystemExit(f"{label}: fired {tally.fired} timers with {waiting} waiting, expected {due}")
            results[waiting] = {"waiting": waiting, "due": due, "sweep_s": round(tally.wall_s, 2),
                                "cpu_s": round(tally.cpu_s, 2), "idle_sweep_ms": round(_idle_ms(dbs[waiting]), 2)}
            print(f"{label}: {waiting:,} waiting, {due:,} due: sweep {tally.wall_s:.2f} s "
                  f"({tally.wall_s / due * 1000:.1f} ms per timer fired; CPU {tally.cpu_s:.2f} s), "
                  f"idle sweep {results[waiting]['idle_sweep_ms']:.2f} ms")
    small_r, large_r = results[sizes[0]], results[sizes[1]]
    print(f"{label}: {sizes[1] / sizes[0]:g}x the waiting cases, same due: sweep "
          f"{large_r['sweep_s'] / small_r['sweep_s']:.2f}x (CPU {large_r['cpu_s'] / small_r['cpu_s']:.2f}x)")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", type=int, default=100_000, help="cases waiting on a timer")
    parser.add_argument("--due", type=int, default=1_000, help="of which already due")
    parser.add_argument("--small", type=int, default=10_000, help="the smaller run to compare with")
    parser.add_argument("--rounds", type=int, default=10, help="alternating slices of the due timers")
    options = parser.parse_args()
    sizes = (options.small, options.waiting)
    sqlite = compare("SQLite", lambda: fresh_sqlite("cf-timers-"), sizes, options.due, options.rounds)
    large, small = sqlite[options.waiting], sqlite[options.small]
    result = {**large, "small_waiting": options.small, "small_sweep_s": small["sweep_s"],
              "small_cpu_s": small["cpu_s"], "small_idle_sweep_ms": small["idle_sweep_ms"]}
    url = postgres_url()
    if url is not None:
        pg = compare("PostgreSQL", lambda: fresh_postgres(url), sizes, options.due, options.rounds)
        result.update(pg_sweep_s=pg[options.waiting]["sweep_s"], pg_small_sweep_s=pg[options.small]["sweep_s"],
                      pg_idle_sweep_ms=pg[options.waiting]["idle_sweep_ms"])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
