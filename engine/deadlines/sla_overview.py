"""What the admins' SLA page shows: the calendar, closure days, what a policy may be for, and how
much open work is at risk or breached per process and task."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from ..bpmn import registry
from ..bpmn.task_labels import task_labels
from ..people import routing
from ..persistence.tables import Case, Task
from ..types import CaseStatus, SlaState, TaskStatus
from . import calendar_settings, sla
from .calendar_settings import CalendarSettings, Closure

if TYPE_CHECKING:
    from ..context import Context

_LATE = (SlaState.AT_RISK.value, SlaState.BREACHED.value)


@dataclass(frozen=True)
class SlaOverview:
    calendar: CalendarSettings
    holiday_warning: str | None
    closures: list[Closure]
    late: dict[tuple[str, str], dict[str, int]]


def _late_counts(session: Session) -> dict[tuple[str, str], dict[str, int]]:
    """Open cases and tasks at risk or breached, per (process, task BPMN id; "" for the whole case).
    Read from the mirrored ``sla_state`` columns, so no clock is touched."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    cases = select(Case.process_key, literal(""), Case.sla_state, func.count()).where(
        Case.status == CaseStatus.OPEN, Case.sla_state.in_(_LATE)).group_by(Case.process_key, Case.sla_state)
    tasks = select(Task.process_key, Task.bpmn_id, Task.sla_state, func.count()).where(
        Task.status.in_((TaskStatus.OPEN, TaskStatus.HANDED_BACK)), Task.sla_state.in_(_LATE)).group_by(
        Task.process_key, Task.bpmn_id, Task.sla_state)
    for query in (cases, tasks):
        for process, task, state, n in session.execute(query):
            if state is not None:  # only at-risk or breached rows are selected
                counts.setdefault((process, task or ""), {})[state] = n
    return counts


def overview(ctx: "Context") -> SlaOverview:
    with ctx.db.transaction(readonly=True) as session:
        # Checked against today: a promise made now falls due within the year.
        warning = sla.holiday_data_warning(calendar_settings.load(session), ctx.clock.now())
        return SlaOverview(calendar_settings.settings(session), warning, calendar_settings.list_closures(session),
                           _late_counts(session))


def targets(ctx: "Context") -> list[tuple[str, str]]:
    """(value, label) of everything a policy may be for: each deployed process and its latest version's
    user tasks, labelled as the SLA list labels them (tasks sharing a name told apart by lane)."""
    out = []
    with ctx.db.transaction(readonly=True) as session:
        for process, _ in registry.list_processes(session):
            out.append((f"{process.key}:", f"{process.name} – whole case"))
            labels = task_labels(registry.get_version(session, process.key).user_tasks)
            out += [(f"{process.key}:{tid}", f"{process.name} – {label}")
                    for tid, label in sorted(labels.items(), key=lambda item: item[1])]
    return out


def team_choices(ctx: "Context") -> list[str]:
    return [name for _, name in routing.team_names(ctx)]
