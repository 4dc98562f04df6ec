"""The figures ``/metrics`` exposes that live in the database, read when Prometheus scrapes: every
``serve`` process then reports the same values, however many there are (no shared in-process state).

Each is one grouped count or one MIN/MAX over an indexed column; counts of cases grow with the table, which
``docs/operators.md`` ("Metrics") measures."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from ..context import Context
from ..persistence.tables import Case, Incident, OutboxCall, SlaClock, Task, Team, Timer, WorkerHeartbeat
from ..types import CallStatus, CaseStatus, IncidentStatus, TaskStatus

Labels = tuple[str, ...]


@dataclass(frozen=True)
class Figures:
    cases_started: dict[Labels, int] = field(default_factory=dict)  # (process, channel)
    cases_completed: dict[Labels, int] = field(default_factory=dict)  # (process, channel)
    open_tasks: dict[Labels, int] = field(default_factory=dict)  # (team,)
    sla_breaches: dict[Labels, int] = field(default_factory=dict)  # ("case" or "task",)
    outbox_backlog: int = 0
    open_incidents: int = 0
    worker_lag_s: float | None = None  # since the newest worker heartbeat; None: no worker ever beat
    timer_lateness_s: float = 0.0  # how long the oldest due timer has waited to fire


def _seconds_since(then: datetime | None, now: datetime) -> float | None:
    return None if then is None else max(0.0, (now - then).total_seconds())


def read(ctx: Context) -> Figures:
    now = ctx.clock.now()
    with ctx.db.transaction(readonly=True) as s:
        by_case = select(Case.process_key, Case.channel, func.count()).group_by(Case.process_key, Case.channel)
        started: dict[Labels, int] = {(p, c): n for p, c, n in s.execute(by_case)}
        completed: dict[Labels, int] = {(p, c): n for p, c, n in s.execute(by_case.where(Case.status == CaseStatus.COMPLETED))}
        tasks: dict[Labels, int] = {(team,): n for team, n in s.execute(
            select(Team.name, func.count()).join(Task, Task.team_id == Team.id)
            .where(Task.status == TaskStatus.OPEN).group_by(Team.name))}
        breaches: dict[Labels, int] = {("task" if on_task else "case",): n for on_task, n in s.execute(
            select(SlaClock.task_id.is_not(None), func.count()).where(SlaClock.breached_at.is_not(None))
            .group_by(SlaClock.task_id.is_not(None)))}
        backlog = s.scalar(select(func.count()).select_from(OutboxCall).where(
            OutboxCall.status.in_([CallStatus.PENDING, CallStatus.IN_PROGRESS]))) or 0
        incidents = s.scalar(select(func.count()).select_from(Incident).where(
            Incident.status == IncidentStatus.OPEN)) or 0
        beat = s.scalar(select(func.max(WorkerHeartbeat.beat_at)))
        oldest_due = s.scalar(select(func.min(Timer.due_at)).where(Timer.due_at < now))
    return Figures(started, completed, tasks, breaches, backlog, incidents, _seconds_since(beat, now),
                   _seconds_since(oldest_due, now) or 0.0)
