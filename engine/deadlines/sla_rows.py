"""SLA clocks of cases and tasks, inside the transaction that changes their case: started when the
case or task is created (if a policy applies), stopped when it ends, paused while the council waits
for the resident, recalculated when an admin asks. Every pause, resume and recalculation is in the
case's history.

The ``task`` and ``case`` rows mirror each clock's ``due_at`` and ``sla_state`` so inboxes sort and
show them without a join; ``mirror`` is the only code that writes those columns. The projection,
the sweep and the use cases in ``engine.deadlines.sla_clocks`` all call this module; it calls none of them.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..casework import history
from ..casework.views import iso
from ..errors import CaseNotOpen, Conflict
from ..persistence.tables import Case, SlaClock, Task
from ..types import CaseStatus, EventKind, SlaState, TaskStatus
from . import calendar_settings, sla
from .calendar import WorkingCalendar
from .sla_targets import Choice

logger = logging.getLogger(__name__)

CLOSED = (CaseStatus.COMPLETED, CaseStatus.CANCELLED)  # a failed case still owes its promise


def terms_of(clock: SlaClock) -> sla.SlaTerms:
    return sla.SlaTerms.from_dict(clock.terms)


def running_state(clock: SlaClock) -> SlaState:
    if clock.breached_at is not None:
        return SlaState.BREACHED
    return SlaState.AT_RISK if clock.warned_at is not None else SlaState.ON_TRACK


def next_check(clock: SlaClock) -> datetime | None:
    """The next instant the sweep must look at this clock: its warning, then its due instant."""
    if clock.stopped_at is not None or clock.paused_at is not None or clock.breached_at is not None:
        return None
    if clock.warn_at is not None and clock.warned_at is None:
        return clock.warn_at
    return clock.due_at


def mirror(session: Session, clock: SlaClock) -> None:
    target: Task | Case = (session.get_one(Task, clock.task_id) if clock.task_id is not None
                           else session.get_one(Case, clock.case_id))
    target.due_at, target.sla_state = clock.due_at, clock.state
    clock.next_check_at = next_check(clock)


def event(session: Session, clock: SlaClock, actor: str, now: datetime, kind: EventKind, **detail: Any) -> None:
    history.add_event(session, clock.case_id, clock.task_id, actor, now, kind, detail)


# The holiday-data warnings logged, per database engine: once per nation and month of due dates, so
# an operator is told again as time goes on, not on every clock started.
_warned: WeakKeyDictionary[Any, set[tuple[str, int, int]]] = WeakKeyDictionary()


def _warn_about_holiday_data(session: Session, calendar: WorkingCalendar, due: datetime) -> None:
    warning = sla.holiday_data_warning(calendar, due)
    if warning is None:
        return
    logged, key = _warned.setdefault(session.get_bind(), set()), (calendar.nation.value, due.year, due.month)
    if key not in logged:
        logged.add(key)
        logger.warning("%s", warning)


def start(session: Session, case: Case, task: Task | None, now: datetime, actor: str) -> SlaClock | None:
    """Start the clock of a new case (``task`` None) or task if its process has a policy for it."""
    policy = sla.policy_for(session, case.process_key, task.bpmn_id if task is not None else None)
    if policy is None:
        return None
    terms, choice = applicable(case, policy.terms)
    calendar = calendar_settings.load(session)
    deadline = sla.deadline(calendar, terms, now)
    _warn_about_holiday_data(session, calendar, deadline.due)
    paused = case.sla_state == SlaState.PAUSED  # a task created while the case waits starts paused
    clock = SlaClock(case_id=case.id, task_id=task.id if task is not None else None, policy_id=policy.id,
                     terms=terms.to_dict(), state=SlaState.PAUSED if paused else SlaState.ON_TRACK,
                     started_at=now, due_at=deadline.due, warn_at=deadline.warn,
                     paused_at=now if paused else None, paused_seconds=0)
    session.add(clock)
    mirror(session, clock)
    event(session, clock, actor, now, EventKind.SLA_STARTED, sla=terms.describe() + choice.note(),
          due=iso(deadline.due), warn_at=iso(deadline.warn), task_name=task.name if task is not None else None,
          **({"condition_failed": choice.failure} if choice.failure else {}))
    return clock


def applicable(case: Case, terms: sla.SlaTerms) -> tuple[sla.SlaTerms, Choice]:
    """The policy's terms for this case: its conditional targets evaluated against the case's data
    (the projection has just written it), the default when none holds or one fails."""
    return terms.for_case(case.data or {})


def running(session: Session, case_id: int) -> list[SlaClock]:
    return list(session.scalars(select(SlaClock).where(SlaClock.case_id == case_id, SlaClock.stopped_at.is_(None))
                                .order_by(SlaClock.id)))


def _ending(case: Case, task: Task | None) -> SlaState | None:
    """How a clock ends now (met or stopped), or None while its task or case still owes the promise."""
    if task is None:
        if case.status not in CLOSED:
            return None
        return SlaState.MET if case.status == CaseStatus.COMPLETED else SlaState.STOPPED
    if task.status in (TaskStatus.OPEN, TaskStatus.HANDED_BACK):  # a handed-back task still owes its promise
        return None
    return SlaState.MET if task.status == TaskStatus.COMPLETED else SlaState.STOPPED


def settle(session: Session, case: Case, now: datetime, calendar: WorkingCalendar | None = None) -> None:
    """Stop the clocks whose task or case has ended: met (finished), stopped (cancelled or
    interrupted), or breached if it already was."""
    for clock in running(session, case.id):
        ending = _ending(case, session.get_one(Task, clock.task_id) if clock.task_id is not None else None)
        if ending is None:
            continue
        if clock.paused_at is not None:
            calendar = calendar or calendar_settings.load(session)
            clock.paused_seconds += sla.measure(calendar, terms_of(clock).unit, clock.paused_at, now)
            clock.paused_at = None
        clock.stopped_at = now
        clock.state = SlaState.BREACHED if clock.breached_at is not None else ending
        mirror(session, clock)


def pause(session: Session, case: Case, now: datetime, actor: str, reason: str = "") -> int:
    """Stop the clocks of a case while the council waits for the resident; returns how many."""
    if case.status in CLOSED:
        raise CaseNotOpen(f"Case {case.reference} is already {case.status}")
    if case.sla_state == SlaState.PAUSED:
        raise Conflict(f"The SLA clocks of case {case.reference} are already paused")
    clocks = [c for c in running(session, case.id) if c.paused_at is None]
    for clock in clocks:
        clock.paused_at, clock.state = now, SlaState.PAUSED
        mirror(session, clock)
    case.sla_state = SlaState.PAUSED
    history.add_event(session, case.id, None, actor, now, EventKind.SLA_PAUSED,
                      {"reason": reason, "clocks": len(clocks)})
    return len(clocks)


def resume(session: Session, case: Case, now: datetime, actor: str) -> int:
    """Restart paused clocks; each due date moves on by the working time spent paused."""
    if case.sla_state != SlaState.PAUSED:
        raise Conflict(f"The SLA clocks of case {case.reference} are not paused")
    calendar = calendar_settings.load(session)
    clocks = [c for c in running(session, case.id) if c.paused_at is not None]
    case.sla_state = None  # the case clock's own state, if there is one, is mirrored below
    for clock in clocks:
        unit, paused_at, before = terms_of(clock).unit, clock.paused_at, clock.due_at
        assert paused_at is not None, "only paused clocks were chosen"
        paused, paused_before = sla.measure(calendar, unit, paused_at, now), clock.paused_seconds
        clock.paused_seconds += paused
        clock.due_at = sla.moved_by_pauses(calendar, unit, clock.due_at, paused_before, clock.paused_seconds)
        if clock.warn_at is not None and clock.warned_at is None:
            clock.warn_at = sla.moved_by_pauses(calendar, unit, clock.warn_at, paused_before, clock.paused_seconds)
        clock.paused_at, clock.state = None, running_state(clock)
        mirror(session, clock)
        event(session, clock, actor, now, EventKind.SLA_RESUMED, paused_since=iso(paused_at),
               paused_working_seconds=paused, previous_due=iso(before), due=iso(clock.due_at))
    return len(clocks)


def recalculate_clock(session: Session, clock: SlaClock, terms: sla.SlaTerms, calendar: WorkingCalendar,
                      now: datetime, actor: str) -> None:
    """Apply ``terms`` to a running clock as if it had started with them (pauses still count); a
    conditional target is chosen by the case's data as it is now."""
    terms, choice = applicable(session.get_one(Case, clock.case_id), terms)
    before, deadline = clock.due_at, sla.deadline(calendar, terms, clock.started_at)
    clock.terms = terms.to_dict()
    clock.due_at = sla.moved_by_pauses(calendar, terms.unit, deadline.due, 0, clock.paused_seconds)
    clock.warn_at = (sla.moved_by_pauses(calendar, terms.unit, deadline.warn, 0, clock.paused_seconds)
                     if deadline.warn is not None else None)
    # A promise moved into the future may warn and breach again, once each, on the new instants.
    if clock.warn_at is None or clock.warn_at > now:
        clock.warned_at = None
    if clock.due_at > now:
        clock.breached_at = None
    clock.state = SlaState.PAUSED if clock.paused_at is not None else running_state(clock)
    mirror(session, clock)
    event(session, clock, actor, now, EventKind.SLA_RECALCULATED, sla=terms.describe() + choice.note(),
           previous_due=iso(before), due=iso(clock.due_at), warn_at=iso(clock.warn_at))
