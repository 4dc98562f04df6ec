"""Full case lifecycles per second: councilflow's engine against plain SpiffWorkflow, side by side.

One lifecycle = start a case of a four-step council map (3 user tasks, 1 script task, an
exclusive gateway, two lanes; ``benchmarks/data/bench_street_report.bpmn``) and complete its user
tasks one by one until the case is completed. Variants, measured in one run and interleaved in
short rounds (the order rotates every round) so that noise from other processes hits them alike:

* raw memory     plain SpiffWorkflow 3.2, the workflow kept in memory throughout;
* raw round trip plain SpiffWorkflow, saved with ``BpmnWorkflowSerializer.serialize_json`` after
                 every step and restored with ``deserialize_json`` before the next one (the full
                 spec embedded in every document: SpiffWorkflow's default);
* runtime        our ``engine.bpmn.runtime`` (sandboxed scripts, spec stored by reference, task-tree
                 compaction) with the same save/load pattern but no database: a diagnostic that
                 splits the engine's cost into workflow work and database work;
* engine         ``engine.casework.cases.start_case`` / ``complete_task`` on a fresh SQLite file database,
                 and on PostgreSQL too when ``COUNCILFLOW_BENCH_PG_URL`` is set.

The last line printed is JSON: ``engine_per_s``, ``raw_roundtrip_per_s``, ``raw_memory_per_s`` and
``ratio`` (engine on SQLite / raw round trip, wall clock; the target is >= 1.0), plus
``statements`` (SQL statements one engine lifecycle sends to SQLite, ``BEGIN`` included),
``runtime_per_s``, ``ratio_cpu`` (the same ratio from this process's CPU time per lifecycle, which
other busy processes disturb less) and, when measured, ``engine_pg_per_s``.

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

def runtime_by_reference(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> Callable[[int], None]:
    """Our runtime layer alone: the same steps and save/load pattern as the engine, no database."""
    runtime = Runtime()
    loaded: LoadedSpec = spec_from_dict(Dialect.SPIFF, spec_to_dict(Dialect.SPIFF, spec, subprocess_specs))

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0,
                        help="measured time per variant, split over interleaved rounds (default 8)")
    parser.add_argument("--rounds", type=int, default=0,
                        help="number of interleaved rounds (default: four per measured second, at least 3)")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    if not 0.5 <= args.seconds <= 600:
        parser.error("--seconds must be between 0.5 and 600")
    rounds = args.rounds or max(3, round(4 * args.seconds))
    started = time.perf_counter()

    spec, subprocess_specs = parse_map()
    with ExitStack() as stack:
        sqlite_ctx = engine_context(stack.enter_context(fresh_sqlite("cf-bench-life-")))
        variants = [
            Variant("raw_memory_per_s", "plain SpiffWorkflow, in memory", raw_memory(spec, subprocess_specs)),
            Variant("raw_roundtrip_per_s", "plain SpiffWorkflow, JSON save/load every step",
                    raw_roundtrip(spec, subprocess_specs)),
            Variant("runtime_per_s", "councilflow runtime, spec by reference, no database",
                    runtime_by_reference(spec, subprocess_specs)),
            Variant("engine_per_s", "councilflow engine, SQLite file", engine_lifecycle(sqlite_ctx)),
        ]
        pg_url = postgres_url()
        if pg_url:
            pg_db = stack.enter_context(fresh_postgres(pg_url))
            variants.append(Variant("engine_pg_per_s", "councilflow engine, PostgreSQL",
                                    engine_lifecycle(engine_context(pg_db))))
        measure(variants, args.seconds, rounds, warmup_s=min(1.0, args.seconds / 4))
        statements = statements_per_lifecycle(sqlite_ctx)

    by_key = {v.key: v for v in variants}
    engine, baseline = by_key["engine_per_s"], by_key["raw_roundtrip_per_s"]
    ratio = engine.per_s / baseline.per_s
    result = {"engine_per_s": round(engine.per_s, 1), "raw_roundtrip_per_s": round(baseline.per_s, 1),
              "raw_memory_per_s": round(by_key["raw_memory_per_s"].per_s, 1), "ratio": round(ratio, 3),
              "runtime_per_s": round(by_key["runtime_per_s"].per_s, 1),
              "ratio_cpu": round(baseline.cpu_ms / engine.cpu_ms, 3), "statements": statements}
    if "engine_pg_per_s" in by_key:
        result["engine_pg_per_s"] = round(by_key["engine_pg_per_s"].per_s, 1)
    if not args.json_only:
        report(variants, ratio, round_ratios(engine, baseline), time.perf_counter() - started)
        print(f"SQL statements per engine lifecycle (SQLite): {statements}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
