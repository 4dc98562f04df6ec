"""Full case lifecycles per second: councilflow's engine against plain SpiffWorkflow, side by side.

One lifecycle = start a case of a four-step council map (3 user tasks, 1 script task, an
exclusive gateway, two lanes; ``benchmarks/data/bench_street_report.bpmn``) and complete its user
tasks one by one until the case is completed. Variants, measured in one run and interleaved in
short rounds (the order rotates every round) so that noise from other processes hits them alike:

* raw memory     plain SpiffWorkflow 3.2, the workflow kept in memory throughout;
* raw round trip plain SpiffWorkflow, saved with ``BpmnWorkflowSerializer.serialize_json`` after
                 every step and restored with ``deserialize_json`` before the next one (the full
                 spec embedded in every document: SpiffWorkflow's default);
* raw SQLite     the raw round trip with the JSON kept in one row of an SQLite file database, one
                 transaction per step: what durability costs plain SpiffWorkflow, for comparison;
* runtime        our ``engine.bpmn.runtime`` (sandboxed scripts, spec stored by reference, task-tree
                 compaction) with the same save/load pattern but no database: a diagnostic that
                 splits the engine's cost into workflow work and database work;
* runtime live   the same with the workflow kept in memory between steps, as the engine's live cache
                 keeps it: the workflow work of an engine lifecycle (``benchmarks/lifecycle_floor.py``);
* engine         ``engine.casework.cases.start_case`` / ``complete_task`` on a fresh SQLite file database,
                 and on PostgreSQL too when ``COUNCILFLOW_BENCH_PG_URL`` is set.

The last line printed is JSON: ``engine_per_s``, ``raw_roundtrip_per_s``, ``raw_memory_per_s`` and
``ratio`` (engine on SQLite / raw round trip, wall clock; the target is >= 1.0), plus
``statements`` (SQL statements one engine lifecycle sends to SQLite, ``BEGIN`` included),
``runtime_per_s``, ``ratio_cpu`` (the same ratio from this process's CPU time per lifecycle, which
other busy processes disturb less), ``raw_sqlite_per_s``, ``runtime_live_per_s``, ``sqlite_ms`` (the
time one engine lifecycle spends inside SQLite's statements and commits, from an instrumented pass
after the timed rounds; ``sqlite_pass_ms`` is that pass's whole time per lifecycle), ``floor_ratio`` (the raw round trip's time over ``sqlite_ms`` plus the live
runtime's time: the highest ratio any code on top of this database and schema could reach) and, when
measured, ``engine_pg_per_s``, ``pg_driver_ms`` (``sqlite_ms``'s counterpart on PostgreSQL: round
trips and the server's work included) and ``pg_pass_ms``.

    .venv/bin/python -m benchmarks.lifecycle [--seconds 8] [--json-only]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy
import SpiffWorkflow
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from benchmarks import lifecycle_floor as floor
from benchmarks.databases import fresh_postgres, fresh_sqlite, postgres_url
from engine.bpmn import registry
from engine.casework import cases
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.bpmn.runtime import Runtime
from engine.bpmn.savedstate import SERIALIZER_VERSION, LoadedSpec, spec_from_dict, spec_to_dict
from engine.types import CaseStatus, Dialect

MAP = Path(__file__).resolve().parent / "data" / "bench_street_report.bpmn"
PROCESS_KEY = "bench_street_report"
MAX_STEPS = 10  # a lifecycle of this map takes 3 completions; more means something is wrong
TARGET_RATIO = 1.0  # issue 11: at least as fast as SpiffWorkflow's own save/load


def task_data(bpmn_id: str, n: int) -> dict[str, Any]:
    """What the person completing each user task submits; even lifecycles take the urgent path."""
    if bpmn_id == "record_report":
        return {"hazard": n % 2 == 0, "location": "12 High Street, Anytown", "site_postcode": "AN1 2BC",
                "description": "Pothole about 30 cm across in the nearside lane"}
    if bpmn_id == "make_safe":
        return {"made_safe": True, "method": "cones and signs"}
    if bpmn_id == "schedule_repair":
        return {"repair_date": "2026-12-01", "gang": "North"}
    if bpmn_id == "confirm_with_resident":
        return {"resident_informed": True, "contact": "phone"}
    raise RuntimeError(f"the benchmark map has no user task {bpmn_id}")


def parse_map() -> tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(MAP))
    return parser.get_spec(PROCESS_KEY), parser.get_subprocess_specs(PROCESS_KEY)


# --- plain SpiffWorkflow ------------------------------------------------------------------------

def _complete_first_ready(workflow: BpmnWorkflow, n: int) -> None:
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    if not ready:
        raise RuntimeError("the workflow stalled: no user task is ready and it has not completed")
    task = ready[0]
    task.data.update(task_data(task.task_spec.bpmn_id, n))
    task.run()
    workflow.do_engine_steps()


def raw_memory(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> Callable[[int], None]:
    def lifecycle(n: int) -> None:
        workflow = BpmnWorkflow(spec, subprocess_specs)
        workflow.do_engine_steps()
        for _ in range(MAX_STEPS):
            if workflow.is_completed():
                return
            _complete_first_ready(workflow, n)
        raise RuntimeError("the lifecycle did not complete")
    return lifecycle


def raw_roundtrip(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> Callable[[int], None]:
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

    def lifecycle(n: int) -> None:
        workflow = BpmnWorkflow(spec, subprocess_specs)
        workflow.do_engine_steps()
        saved = serializer.serialize_json(workflow)
        for _ in range(MAX_STEPS):
            if workflow.is_completed():
                return
            workflow = serializer.deserialize_json(saved)
            _complete_first_ready(workflow, n)
            saved = serializer.serialize_json(workflow)
        raise RuntimeError("the lifecycle did not complete")
    return lifecycle


# --- councilflow ----------------------------------------------------------------------------------

def by_reference(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> LoadedSpec:
    """The map as the engine holds it: its spec stored once, the state referring to it."""
    return spec_from_dict(Dialect.SPIFF, spec_to_dict(Dialect.SPIFF, spec, subprocess_specs))


def runtime_by_reference(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> Callable[[int], None]:
    """Our runtime layer alone: the same steps and save/load pattern as the engine, no database."""
    runtime = Runtime()
    loaded = by_reference(spec, subprocess_specs)

    def lifecycle(n: int) -> None:
        workflow = runtime.new(loaded, {})
        runtime.advance(workflow)
        saved = runtime.dump(loaded, workflow)
        for _ in range(MAX_STEPS):
            if runtime.is_completed(workflow):
                return
            workflow = runtime.load(loaded, saved, SERIALIZER_VERSION)
            ready = runtime.ready_tasks(workflow)
            if not ready:
                raise RuntimeError("the workflow stalled")
            runtime.complete(workflow, ready[0].spiff_id, task_data(ready[0].bpmn_id, n))
            runtime.data(workflow)  # the engine projects the case data at every step
            saved = runtime.dump(loaded, workflow)
        raise RuntimeError("the lifecycle did not complete")
    return lifecycle


def engine_context(db: Database, bpmn: Path = MAP) -> Context:
    """A context on ``db`` with a benchmark map (this one's by default) and the benchmark forms deployed."""
    ctx = Context(db, settings=Settings())
    # The map with its forms: each completion is checked against its task's form, as in production.
    files = {path.name: path.read_bytes() for path in [bpmn, *MAP.parent.glob("bench-*-schema.json")]}
    registry.deploy(ctx, files, actor="benchmark")
    return ctx


def statements_per_lifecycle(ctx: Context) -> int:
    """How many statements one engine lifecycle sends to the database (counted at the cursor)."""
    sent: list[str] = []

    def count(*_: Any) -> None:
        sent.append("")
    sqlalchemy.event.listen(ctx.db.engine, "before_cursor_execute", count)
    try:
        engine_lifecycle(ctx)(0)
    finally:
        sqlalchemy.event.remove(ctx.db.engine, "before_cursor_execute", count)
    return len(sent)


def engine_lifecycle(ctx: Context) -> Callable[[int], None]:
    def lifecycle(n: int) -> None:
        view = cases.start_case(ctx, PROCESS_KEY)
        for _ in range(MAX_STEPS):
            if view.status == CaseStatus.COMPLETED:
                return
            if view.status != CaseStatus.OPEN or not view.tasks:
                raise RuntimeError(f"case {view.reference} is {view.status} with no open task: {view.error}")
            task = view.tasks[0]
            view = cases.complete_task(ctx, task.id, task_data(task.bpmn_id, n))
        raise RuntimeError(f"case {view.reference} did not complete")
    return lifecycle


# --- measuring ------------------------------------------------------------------------------------

@dataclass
class Variant:
    key: str
    label: str
    lifecycle: Callable[[int], None]
    count: int = 0
    elapsed: float = 0.0
    cpu: float = 0.0
    round_rates: list[float] = field(default_factory=list)

    @property
    def per_s(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    @property
    def cpu_ms(self) -> float:
        """This process's CPU time per lifecycle: steadier than wall time on a busy machine, but it
        leaves out the database server's own work (PostgreSQL)."""
        return 1000 * self.cpu / self.count if self.count else 0.0

    def run_for(self, seconds: float) -> tuple[int, float, float]:
        """Whole lifecycles until ``seconds`` have passed (the last one is allowed to finish);
        returns how many, the wall time and the CPU time they took."""
        started, cpu_started = time.perf_counter(), time.process_time()
        deadline = started + seconds
        done = 0
        while True:
            self.lifecycle(self.count + done)
            done += 1
            now = time.perf_counter()
            if now >= deadline:
                return done, now - started, time.process_time() - cpu_started


def measure(variants: list[Variant], seconds: float, rounds: int, warmup_s: float) -> None:
    """Each variant runs ``seconds`` in total, split over ``rounds`` interleaved rounds."""
    for variant in variants:
        variant.run_for(warmup_s)
    for index in range(rounds):
        shift = index % len(variants)
        for variant in variants[shift:] + variants[:shift]:
            done, took, cpu = variant.run_for(seconds / rounds)
            variant.count += done
            variant.elapsed += took
            variant.cpu += cpu
            variant.round_rates.append(done / took)


def round_ratios(engine: Variant, baseline: Variant) -> list[float]:
    return [e / b for e, b in zip(engine.round_rates, baseline.round_rates) if b]


def machine() -> str:
    return (f"{os.cpu_count()} CPUs, Python {platform.python_version()}, SpiffWorkflow "
            f"{getattr(SpiffWorkflow, '__version__', '3.2.0')}, SQLAlchemy {sqlalchemy.__version__}, "
            f"SQLite {sqlite3.sqlite_version}")


def report(variants: list[Variant], ratio: float, ratios: list[float], seconds_total: float) -> None:
    baseline = next(v for v in variants if v.key == "raw_roundtrip_per_s")
    print(f"councilflow lifecycle benchmark: map {PROCESS_KEY} (3 user tasks, 1 script task, "
          f"exclusive gateway, 2 lanes)")
    print(f"machine: {machine()}")
    print(f"{'variant':<54} {'lifecycles':>10} {'seconds':>7} {'per s':>7} {'vs raw rt':>9} "
          f"{'CPU ms/lc':>9}")
    for v in variants:
        print(f"{v.label:<54} {v.count:>10} {v.elapsed:>7.1f} {v.per_s:>7.1f} "
              f"{v.per_s / baseline.per_s:>9.2f} {v.cpu_ms:>9.2f}")
    spread = f"{min(ratios):.2f}..{max(ratios):.2f}" if ratios else "n/a"
    median = f"{statistics.median(ratios):.3f}" if ratios else "n/a"
    verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
    engine = next(v for v in variants if v.key == "engine_per_s")
    print(f"ratio engine (SQLite) / raw round trip = {ratio:.3f} (target >= {TARGET_RATIO}: {verdict}); "
          f"per round: median {median}, range {spread}; by CPU time {baseline.cpu_ms / engine.cpu_ms:.3f}; "
          f"wall time {seconds_total:.0f} s")


def report_floor(in_sqlite: floor.DriverTime, workflow_ms: float, engine: Variant, baseline: Variant) -> None:
    """How far the ratio could go on this database and schema if SQLAlchemy and our Python took no time."""
    engine_ms, raw_ms = 1000 / engine.per_s, 1000 / baseline.per_s
    floor_ms = in_sqlite.total_ms + workflow_ms
    print(f"floor per engine lifecycle: inside SQLite {in_sqlite.total_ms:.2f} ms (statements "
          f"{in_sqlite.execute_ms:.2f} ms, {in_sqlite.commits:.0f} commits {in_sqlite.commit_ms:.2f} ms) + workflow "
          f"work {workflow_ms:.2f} ms = {floor_ms:.2f} ms; raw round trip {raw_ms:.2f} ms, so no code on top of "
          f"this schema can pass ratio {raw_ms / floor_ms:.2f} here; the engine spends {engine_ms - floor_ms:.2f} ms "
          f"of its {engine_ms:.2f} ms on everything else (SQLAlchemy, projector, MI roll-up, our Python)")


def report_pg(in_pg: floor.DriverTime, in_sqlite: floor.DriverTime, pg: Variant, engine: Variant) -> None:
    """Where PostgreSQL's extra time per lifecycle goes: inside its driver (round trips, server), or around it."""
    pg_ms, sqlite_ms = 1000 / pg.per_s, 1000 / engine.per_s
    print(f"PostgreSQL per engine lifecycle: {pg_ms:.2f} ms ({pg_ms / sqlite_ms:.2f}x SQLite's {sqlite_ms:.2f} ms); "
          f"inside the driver {in_pg.total_ms:.2f} ms (statements {in_pg.execute_ms:.2f} ms, commits "
          f"{in_pg.commit_ms:.2f} ms) against SQLite's {in_sqlite.total_ms:.2f} ms; around the driver "
          f"{pg_ms - in_pg.total_ms:.2f} ms against SQLite's {sqlite_ms - in_sqlite.total_ms:.2f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0,
                        help="measured time per variant, split over interleaved rounds (default 8)")
    parser.add_argument("--rounds", type=int, default=0,
                        help="number of interleaved rounds (default: four per measured second, at least 3)")
    parser.add_argument("--floor-lifecycles", type=int, default=100,
                        help="engine lifecycles in the instrumented pass that times the database driver's own "
                             "work, after the timed rounds (default 100)")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    if not 0.5 <= args.seconds <= 600:
        parser.error("--seconds must be between 0.5 and 600")
    if not 1 <= args.floor_lifecycles <= 10_000:
        parser.error("--floor-lifecycles must be between 1 and 10000")
    rounds = args.rounds or max(3, round(4 * args.seconds))
    started = time.perf_counter()

    spec, subprocess_specs = parse_map()
    with ExitStack() as stack:
        sqlite_ctx = engine_context(stack.enter_context(fresh_sqlite("cf-bench-life-")))
        variants = [
            Variant("raw_memory_per_s", "plain SpiffWorkflow, in memory", raw_memory(spec, subprocess_specs)),
            Variant("raw_roundtrip_per_s", "plain SpiffWorkflow, JSON save/load every step",
                    raw_roundtrip(spec, subprocess_specs)),
            Variant("raw_sqlite_per_s", "plain SpiffWorkflow, JSON in an SQLite row every step",
                    floor.raw_sqlite(spec, subprocess_specs,
                                     Path(stack.enter_context(tempfile.TemporaryDirectory())) / "raw.sqlite3",
                                     _complete_first_ready, MAX_STEPS)),
            Variant("runtime_per_s", "councilflow runtime, spec by reference, no database",
                    runtime_by_reference(spec, subprocess_specs)),
            Variant("runtime_live_per_s", "councilflow runtime, workflow kept live, no database",
                    floor.runtime_live(Runtime(), by_reference(spec, subprocess_specs), task_data, MAX_STEPS)),
            Variant("engine_per_s", "councilflow engine, SQLite file", engine_lifecycle(sqlite_ctx)),
        ]
        pg_url = postgres_url()
        if pg_url:
            pg_ctx = engine_context(stack.enter_context(fresh_postgres(pg_url)))
            variants.append(Variant("engine_pg_per_s", "councilflow engine, PostgreSQL", engine_lifecycle(pg_ctx)))
        measure(variants, args.seconds, rounds, warmup_s=min(1.0, args.seconds / 4))
        statements = statements_per_lifecycle(sqlite_ctx)
        in_sqlite = floor.driver_time(sqlite_ctx, engine_lifecycle(sqlite_ctx), args.floor_lifecycles)
        in_pg = floor.driver_time(pg_ctx, engine_lifecycle(pg_ctx), args.floor_lifecycles) if pg_url else None

    by_key = {v.key: v for v in variants}
    engine, baseline = by_key["engine_per_s"], by_key["raw_roundtrip_per_s"]
    ratio = engine.per_s / baseline.per_s
    result = {"engine_per_s": round(engine.per_s, 1), "raw_roundtrip_per_s": round(baseline.per_s, 1),
              "raw_memory_per_s": round(by_key["raw_memory_per_s"].per_s, 1), "ratio": round(ratio, 3),
              "runtime_per_s": round(by_key["runtime_per_s"].per_s, 1),
              "ratio_cpu": round(baseline.cpu_ms / engine.cpu_ms, 3), "statements": statements}
    workflow_ms = 1000 / by_key["runtime_live_per_s"].per_s  # the engine's workflow work: the floor's other part
    floor_ms = in_sqlite.total_ms + workflow_ms
    result.update({"raw_sqlite_per_s": round(by_key["raw_sqlite_per_s"].per_s, 1),
                   "runtime_live_per_s": round(by_key["runtime_live_per_s"].per_s, 1),
                   "sqlite_ms": round(in_sqlite.total_ms, 2), "sqlite_pass_ms": round(in_sqlite.lifecycle_ms, 2),
                   "floor_ratio": round(1000 / baseline.per_s / floor_ms, 3)})
    if in_pg is not None:
        result.update({"engine_pg_per_s": round(by_key["engine_pg_per_s"].per_s, 1),
                       "pg_driver_ms": round(in_pg.total_ms, 2), "pg_pass_ms": round(in_pg.lifecycle_ms, 2)})
    if not args.json_only:
        report(variants, ratio, round_ratios(engine, baseline), time.perf_counter() - started)
        print(f"SQL statements per engine lifecycle (SQLite): {statements}")
        report_floor(in_sqlite, workflow_ms, engine, baseline)
        if in_pg is not None:
            report_pg(in_pg, in_sqlite, by_key["engine_pg_per_s"], engine)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
