"""SLA clocks of cases and tasks as people see and steer them: each case's clocks with the time
left, pausing and resuming a case's clocks, recalculating the clocks running under a changed policy.
One transaction each, the case locked first; the clocks themselves are kept by ``engine.deadlines.sla_rows``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..casework import writer
from ..casework.caselock import lock_case
from ..casework.views import iso
from ..context import Context
from ..errors import CaseNotFound, NotFound
from ..persistence.tables import Case, SlaClock, Task
from . import calendar_settings, sla
from .sla_rows import pause, recalculate_clock, resume, running, terms_of

# Use cases (one transaction each) for the CLI, the admin pages and the API.

@dataclass
class ClockView:
    case: str
    task_id: int | None
    task: str | None
    sla: str
    state: str
    due_at: str
    warn_at: str | None
    remaining: str
    started_at: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _views(session: Session, case: Case, now: datetime, clocks: list[SlaClock]) -> list[ClockView]:
    calendar = calendar_settings.load(session)
    views = []
    for clock in clocks:
        task = session.get(Task, clock.task_id) if clock.task_id is not None else None
        terms = terms_of(clock)
        remaining = (clock.state if clock.stopped_at is not None  # met, stopped or breached: no countdown
                     else sla.remaining_text(calendar, terms.unit, now, clock.due_at, clock.state))
        views.append(ClockView(case.reference or "", clock.task_id, task.name if task else None, terms.describe(),
                               clock.state, iso(clock.due_at) or "", iso(clock.warn_at), remaining,
                               iso(clock.started_at) or ""))
    return views


def case_clocks(ctx: Context, reference: str, include_stopped: bool = False) -> list[ClockView]:
    """The case's SLA clocks with their state and "2 working days left" wording."""
    with ctx.db.transaction(readonly=True) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        if case is None:
            raise CaseNotFound(f"There is no case {reference}")
        query = select(SlaClock).where(SlaClock.case_id == case.id)
        if not include_stopped:
            query = query.where(SlaClock.stopped_at.is_(None))
        return _views(session, case, ctx.clock.now(), list(session.scalars(query.order_by(SlaClock.id))))


def pause_case(ctx: Context, reference: str, actor: str, reason: str = "") -> list[ClockView]:
    with writer.open_case(ctx, reference=reference, actor=actor, person=False) as w:
        pause(w.session, w.case, w.now, actor, reason)
        return _views(w.session, w.case, w.now, running(w.session, w.case.id))


def resume_case(ctx: Context, reference: str, actor: str) -> list[ClockView]:
    with writer.open_case(ctx, reference=reference, actor=actor, person=False) as w:
        resume(w.session, w.case, w.now, actor)
        return _views(w.session, w.case, w.now, running(w.session, w.case.id))


def recalculate(ctx: Context, process_key: str, task_bpmn_id: str | None, actor: str) -> int:
    """Apply the current policy to the clocks already running under it (audited per clock)."""
    with ctx.db.transaction() as session:
        policy = sla.find_policy(session, process_key, task_bpmn_id)
        if policy is None:
            raise NotFound(f"There is no SLA for {process_key}{' / ' + task_bpmn_id if task_bpmn_id else ''}")
        terms, calendar, now = sla.PolicyView.of(policy).terms, calendar_settings.load(session), ctx.clock.now()
        case_ids = sorted(set(session.scalars(select(SlaClock.case_id).where(
            SlaClock.policy_id == policy.id, SlaClock.stopped_at.is_(None)))))
        count = 0
        for case_id in case_ids:  # case first, in id order, like every other writer
            lock_case(session, case_id=case_id)
            for clock in running(session, case_id):
                if clock.policy_id == policy.id:
                    recalculate_clock(session, clock, terms, calendar, now, actor)
                    count += 1
        return count
