"""What one engine lifecycle cannot take less than, measured beside ``benchmarks/lifecycle.py``'s variants.

An engine lifecycle is SQLite's own work (its C code running the statements and the commits, WAL
checkpoints included) plus the workflow work (SpiffWorkflow stepping and our runtime saving the
state), plus everything in between: SQLAlchemy, the projector, the MI roll-up, our own Python. The
first two are a floor no Python on top of this database and schema can go under. This module measures
them, so the report can say how far the ratio could go if everything in between took no time:

* ``raw_sqlite``   plain SpiffWorkflow with its JSON document kept in one row of an SQLite file
                   database (WAL, synchronous=NORMAL: the engine's settings), one transaction per
                   step: the raw round trip made durable, for comparison;
* ``runtime_live`` our runtime with the workflow kept live between steps, as the engine's live cache
                   keeps it, and its state saved at every step: the engine's workflow work;
* ``driver_time``  the time an engine lifecycle spends inside the database driver's cursor calls and
                   commits (SQLite's own work; for PostgreSQL, the round trips and the server's work
                   as well), from a short instrumented pass after the measured rounds (the
                   instruments are not installed while the engine variants are timed).
"""
from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.bpmn.runtime import Runtime
from engine.bpmn.savedstate import LoadedSpec
from engine.context import Context

Step = Callable[[BpmnWorkflow, int], None]  # complete the first ready user task of lifecycle n


def raw_sqlite(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec], path: Path, step: Step,
               max_steps: int) -> Callable[[int], None]:
    """Plain SpiffWorkflow, its JSON read from and written to one SQLite row around every step."""
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS saved (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")

    def lifecycle(n: int) -> None:
        workflow = BpmnWorkflow(spec, subprocess_specs)
        workflow.do_engine_steps()
        with db:
            row = db.execute("INSERT INTO saved (state) VALUES (?)", (serializer.serialize_json(workflow),)).lastrowid
        for _ in range(max_steps):
            if workflow.is_completed():
                return
            db.execute("BEGIN IMMEDIATE")
            try:
                (text,) = db.execute("SELECT state FROM saved WHERE id = ?", (row,)).fetchone()
                workflow = serializer.deserialize_json(text)
                step(workflow, n)
                db.execute("UPDATE saved SET state = ? WHERE id = ?", (serializer.serialize_json(workflow), row))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        raise RuntimeError("the lifecycle did not complete")
    return lifecycle


def runtime_live(runtime: Runtime, loaded: LoadedSpec, data: Callable[[str, int], dict[str, Any]],
                 max_steps: int) -> Callable[[int], None]:
    """Our runtime, the workflow kept in memory between steps (as ``ctx.live`` keeps it for the engine)
    and saved after every step, with the questions the projector asks of it at each step."""

    def lifecycle(n: int) -> None:
        workflow = runtime.new(loaded, {})
        runtime.advance(workflow)
        runtime.dump(loaded, workflow)
        for _ in range(max_steps):
            if runtime.is_completed(workflow):
                return
            ready = runtime.ready_tasks(workflow)
            if not ready:
                raise RuntimeError("the workflow stalled")
            runtime.complete(workflow, ready[0].spiff_id, data(ready[0].bpmn_id, n))
            runtime.ready_tasks(workflow)
            runtime.waiting_timers(workflow)
            runtime.data(workflow)
            runtime.dump(loaded, workflow)
        raise RuntimeError("the lifecycle did not complete")
    return lifecycle


@dataclass
class DriverTime:
    """Milliseconds per lifecycle spent inside the database driver: running statements, and committing."""

    execute_ms: float
    commit_ms: float
    commits: float
    lifecycle_ms: float  # the whole of one of these lifecycles, inside the driver or not

    @property
    def total_ms(self) -> float:
        return self.execute_ms + self.commit_ms


@contextmanager
def _timed_commits(engine: sqlalchemy.Engine, spent: list[float]) -> Iterator[None]:
    """Time the driver's commits (SQLAlchemy has no event after one), for this pass only."""
    dialect = engine.dialect
    commit = dialect.do_commit

    def timed(dbapi_connection: Any) -> None:
        started = time.perf_counter()
        commit(dbapi_connection)
        spent.append(time.perf_counter() - started)
    dialect.do_commit = timed  # type: ignore[method-assign]
    try:
        yield
    finally:
        del dialect.do_commit  # the class's own method again


def driver_time(ctx: Context, lifecycle: Callable[[int], None], count: int) -> DriverTime:
    """Run ``count`` engine lifecycles with the time inside the driver's cursor calls and commits added up."""
    engine = ctx.db.engine
    executing, commits = [0.0], list[float]()
    started = [0.0]

    def before(*_: Any) -> None:
        started[0] = time.perf_counter()

    def after(*_: Any) -> None:
        executing[0] += time.perf_counter() - started[0]
    sqlalchemy.event.listen(engine, "before_cursor_execute", before)
    sqlalchemy.event.listen(engine, "after_cursor_execute", after)
    try:
        with _timed_commits(engine, commits):
            began = time.perf_counter()
            for n in range(count):
                lifecycle(n)
            whole = time.perf_counter() - began
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", before)
        sqlalchemy.event.remove(engine, "after_cursor_execute", after)
    return DriverTime(1000 * executing[0] / count, 1000 * sum(commits) / count, len(commits) / count,
                      1000 * whole / count)
