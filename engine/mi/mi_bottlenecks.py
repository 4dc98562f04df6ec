"""Where one process's cases wait (the bottleneck view, docs/mi.md): for each user task, how long its
tasks created in a date range waited — average and 90th percentile, from the task's creation to its
completion, or to now while it is still open — and how many wait there now; the slowest task marked.

Reads the task projection only, by the ``ix_task_process_status`` index (process key, status, creation
time): one range query per counted status for the waits and one seek for the tasks open now, whatever the
size of the history.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from ..bpmn import registry
from ..bpmn.diagrams import WAITING
from ..context import Context
from ..deadlines import calendar_settings
from ..persistence.tables import Task
from ..types import TaskStatus
from .mi import Filters
from .mi_open import midnight

PERCENTILE = 0.9
MEASURED = (*WAITING, TaskStatus.COMPLETED)  # all but cancelled, named so the index serves each status


@dataclass(frozen=True)
class TaskWait:
    """One user task's waits. ``measured``: its tasks created in the range (cancelled ones left out)."""

    bpmn_id: str
    name: str
    measured: int
    average_seconds: float | None  # None when no task was created here in the range
    p90_seconds: float | None
    waiting_now: int
    slowest: bool = False


@dataclass(frozen=True)
class Bottlenecks:
    key: str
    name: str
    version: int  # the version whose diagram the figures are drawn on
    start: date
    end: date  # inclusive
    tasks: list[TaskWait]

    @property
    def slowest(self) -> TaskWait | None:
        return next((t for t in self.tasks if t.slowest), None)


def percentile(sorted_values: list[float], share: float = PERCENTILE) -> float:
    """The nearest-rank percentile: the smallest value at least ``share`` of the values are at or below."""
    return sorted_values[max(0, math.ceil(share * len(sorted_values)) - 1)]


def bottlenecks(ctx: Context, process_key: str, start: date, end: date, version: int | None = None) -> Bottlenecks:
    """The waits at each user task of a process (all its versions) for tasks created from ``start`` to
    ``end`` (inclusive days, Europe/London), drawn on ``version`` (the latest if None)."""
    Filters(start, end).checked()
    now = ctx.clock.now()
    with ctx.db.transaction(readonly=True) as session:
        calendar = calendar_settings.load(session)  # the council's zone says where its days begin
        since, until = midnight(calendar, start), midnight(calendar, end + timedelta(days=1))
        row = registry.get_version(session, process_key, version)
        waits: dict[str, list[float]] = defaultdict(list)
        names: dict[str, str] = {}
        rows = session.execute(
            select(Task.bpmn_id, Task.name, Task.created_at, Task.completed_at, Task.status)
            .where(Task.process_key == process_key, Task.created_at >= since, Task.created_at < until,
                   Task.status.in_(MEASURED)))
        for bpmn_id, name, created, completed, status in rows:
            finished = completed if status == TaskStatus.COMPLETED and completed is not None else now
            waits[bpmn_id].append(max(0.0, (finished - created).total_seconds()))
            names.setdefault(bpmn_id, name)
        waiting = {bpmn_id: int(n) for bpmn_id, n in session.execute(
            select(Task.bpmn_id, func.count()).where(Task.process_key == process_key, Task.status.in_(WAITING))
            .group_by(Task.bpmn_id))}
        declared = sorted(row.user_tasks.items(), key=lambda item: (item[1].get("line") or 0, item[0]))
        order = [(bpmn_id, meta.get("name") or bpmn_id) for bpmn_id, meta in declared]
        known = {bpmn_id for bpmn_id, _ in order}
        order += sorted((b, names.get(b, b)) for b in set(waits) | set(waiting) if b not in known)  # other versions
        tasks = [_task(bpmn_id, name, sorted(waits.get(bpmn_id, [])), waiting.get(bpmn_id, 0))
                 for bpmn_id, name in order]
        return Bottlenecks(row.process_key, row.name, row.version, start, end, _mark_slowest(tasks))


def _task(bpmn_id: str, name: str, waits: list[float], waiting_now: int) -> TaskWait:
    if not waits:
        return TaskWait(bpmn_id, name, 0, None, None, waiting_now)
    return TaskWait(bpmn_id, name, len(waits), sum(waits) / len(waits), percentile(waits), waiting_now)


def _mark_slowest(tasks: list[TaskWait]) -> list[TaskWait]:
    """The task with the longest average wait (the higher 90th percentile, then the first, on a tie); none
    while no task has waited at all."""
    measured = [t for t in tasks if t.average_seconds]
    if not measured:
        return tasks
    slowest = max(measured, key=lambda t: (t.average_seconds or 0, t.p90_seconds or 0))
    return [TaskWait(t.bpmn_id, t.name, t.measured, t.average_seconds, t.p90_seconds, t.waiting_now, t is slowest)
            for t in tasks]
