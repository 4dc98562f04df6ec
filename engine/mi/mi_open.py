"""Open work as management information sees it at one instant: open tasks and cases at risk of or
past their SLA, the backlog of open cases by age in working days, and the oldest open cases.

Read from the case and task projections through indexes made for it (migrations 0024, 0025 and 0032:
case by status and start, by status, SLA state, channel and service, and by status, channel or
service, then start; task by status, SLA state, team and case), so the cost follows the open work,
not the history. Age bands count working days after the day the case started (docs/mi.md)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar, Unpack

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from ..casework.views import iso
from ..deadlines.calendar import WorkingCalendar
from ..persistence.tables import Case, Task
from ..types import CaseStatus, SlaState, TaskStatus

# (label, fewest working days, most) — "20+" is more than 20.
AGE_BANDS = (("0-2", 0, 2), ("3-5", 3, 5), ("6-10", 6, 10), ("11-20", 11, 20), ("20+", 21, None))
OPEN_TASK = (TaskStatus.OPEN, TaskStatus.HANDED_BACK)
OLDEST = 10
Q = TypeVar("Q", bound=Select[Unpack[tuple[Any, ...]]])  # a select over case, or over task


@dataclass(frozen=True)
class OpenFilter:
    team_id: int | None = None
    service_key: str | None = None
    channel: str | None = None

    def cases(self, query: Q) -> Q:
        """``query`` (over ``case``) narrowed to cases of the service/channel, and with open work in the team."""
        query = self._case_matches(query)
        if self.team_id is not None:
            # The ids of the cases the team has open tasks of (a few thousand, from the task index), as a
            # filter on the open cases read in order from the case index: ``id + 0`` keeps SQLite from
            # reading each of those cases by key and sorting them all (the ten oldest are then the first
            # ten that match; at 2,000,000 cases 191 ms became 62).
            query = query.where((Case.id + 0).in_(select(Task.case_id).where(Task.team_id == self.team_id,
                                                                             Task.status.in_(OPEN_TASK))))
        return query

    def _narrows_cases(self) -> bool:
        return self.service_key is not None or self.channel is not None

    def _case_matches(self, query: Q) -> Q:
        if self.service_key is not None:
            query = query.where(Case.service_key == self.service_key)
        if self.channel is not None:
            query = query.where(Case.channel == self.channel)
        return query

    def tasks(self, query: Q) -> Q:
        """``query`` (over ``task``) narrowed to tasks of cases of the service/channel.

        A task's case is open (nearly always: a case that ends cancels its tasks) or not. The open
        cases of the service or channel, and all the open cases, are each read once from a case index
        (the database keeps each as a set of ids); only a task whose case is not open at all has its
        case looked up by key. Looking up every task's case (``EXISTS``) was a lookup per open task at
        risk: 36,000 of them at 2,000,000 cases, 290-370 ms on SQLite; this is 100-130 ms."""
        if self.team_id is not None:
            query = query.where(Task.team_id == self.team_id)
        if self._narrows_cases():
            open_cases = select(Case.id).where(Case.status == CaseStatus.OPEN)
            of_case = self._case_matches(select(Case.id).where(Case.id == Task.case_id))
            query = query.where(or_(Task.case_id.in_(self._case_matches(open_cases)),
                                    and_(Task.case_id.not_in(open_cases), of_case.exists())))
        return query


def sla_open(session: Session, where: OpenFilter) -> dict[str, int]:
    """Open tasks and open cases whose SLA clock is at risk, and those past it."""
    labels = {SlaState.AT_RISK: "open_at_risk", SlaState.BREACHED: "open_breached"}
    out = dict.fromkeys(labels.values(), 0)
    tasks = where.tasks(select(Task.sla_state, func.count()).select_from(Task)
                        .where(Task.status.in_(OPEN_TASK), Task.sla_state.in_(labels)).group_by(Task.sla_state))
    cases = where.cases(select(Case.sla_state, func.count()).select_from(Case)
                        .where(Case.status == CaseStatus.OPEN, Case.sla_state.in_(labels)).group_by(Case.sla_state))
    for query in (tasks, cases):
        for state, n in session.execute(query):
            out[labels[SlaState(str(state))]] += int(n)
    return out


def midnight(calendar: WorkingCalendar, day: date) -> datetime:
    """The UTC instant local ``day`` begins."""
    return datetime.combine(day, datetime.min.time()).replace(tzinfo=calendar.zone).astimezone(timezone.utc)


def band_edges(calendar: WorkingCalendar, now: datetime) -> list[datetime]:
    """For each band after the first, the instant before which a case is at least that many working
    days old: midnight after the latest start day with that many working days in (day, today]."""
    today = calendar.local(now).date()
    edges, day, counted = [], today, 0
    for _, fewest, _ in AGE_BANDS[1:]:
        while counted < fewest:
            counted += calendar.is_working_day(day)
            day -= timedelta(days=1)
        edges.append(midnight(calendar, day + timedelta(days=1)))
    return edges


def backlog(session: Session, where: OpenFilter, calendar: WorkingCalendar, now: datetime) -> dict[str, int]:
    """Open cases by age band, in one pass over the open cases (index on status and start): how many
    started before each band's edge, each band the difference of two."""
    edges = band_edges(calendar, now)
    older = [func.coalesce(func.sum(case((Case.created_at < edge, 1), else_=0)), 0) for edge in edges]
    row = session.execute(where.cases(select(func.count(), *older).select_from(Case)
                                      .where(Case.status == CaseStatus.OPEN))).one()
    bounds = [int(n or 0) for n in row] + [0]
    return {label: bounds[i] - bounds[i + 1] for i, (label, _, _) in enumerate(AGE_BANDS)}


def oldest(session: Session, where: OpenFilter, calendar: WorkingCalendar, now: datetime) -> list[dict[str, Any]]:
    rows = session.execute(where.cases(select(Case.reference, Case.process_key, Case.service_key, Case.channel,
                                              Case.created_at, Case.sla_state)
                                       .where(Case.status == CaseStatus.OPEN))
                           .order_by(Case.created_at, Case.id).limit(OLDEST))
    today = calendar.local(now).date()
    return [{"reference": r.reference, "process": r.process_key, "service": r.service_key, "channel": r.channel,
             "started_at": iso(r.created_at), "sla_state": r.sla_state,
             "working_days_old": calendar.working_days_after(calendar.local(r.created_at).date(), today)}
            for r in rows]
