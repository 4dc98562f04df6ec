"""SLA policies: the promises admins configure outside the BPMN, and the arithmetic of deadlines.

A policy belongs to a process (the whole case) or to one of its user tasks (BPMN id): a target in
working days, working hours or calendar days, an optional warning threshold (percentage of the
working time elapsed) and escalation actions, each run once on warning or on breach. The target may
depend on the case's data (``sla_targets``: the first rule whose condition holds). Changing a
policy applies to clocks started afterwards; running clocks keep their terms until an admin
recalculates them (``sla_clocks.recalculate``).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from ..bpmn import registry
from ..bpmn.task_labels import WHOLE_CASE, labels
from ..context import Context
from ..errors import NotFound, UserError
from ..governance import audit
from ..people import routing
from ..persistence import configuration
from ..persistence.tables import Event, SlaClock, SlaPolicy
from ..types import AuditKind, EscalationAction, EventKind, SlaState, SlaTrigger, SlaUnit
from .calendar import WorkingCalendar, holidays_known_until
from .sla_targets import Choice, TargetRule, choose

_TARGETED = {EscalationAction.REASSIGN: "a team", EscalationAction.MESSAGE: "a message name"}


@dataclass(frozen=True)
class Escalation:
    """One action on one trigger, written ``[warning:|breach:]notify-team-lead``,
    ``reassign:TEAM`` or ``message:NAME``; without a trigger it runs on breach."""

    trigger: SlaTrigger
    action: EscalationAction
    target: str | None = None

    @classmethod
    def parse(cls, text: str) -> "Escalation":
        trigger, rest = SlaTrigger.BREACH, text.strip()
        head, _, tail = rest.partition(":")
        if head in {t.value for t in SlaTrigger}:
            trigger, rest = SlaTrigger(head), tail
        name, _, target = rest.partition(":")
        try:
            action = EscalationAction(name)
        except ValueError:
            raise UserError(f"'{text}' is not an escalation; use [warning:|breach:]notify-team-lead, "
                            f"reassign:TEAM or message:NAME") from None
        if (action in _TARGETED) != bool(target):
            need = f"needs {_TARGETED[action]} after ':'" if action in _TARGETED else "takes nothing after ':'"
            raise UserError(f"The escalation '{text}' {need}")
        return cls(trigger, action, target or None)

    def __str__(self) -> str:
        return f"{self.trigger}:{self.action}" + (f":{self.target}" if self.target else "")


@dataclass(frozen=True)
class SlaTerms:
    unit: SlaUnit
    amount: int
    warn_at_percent: int | None = None
    escalations: tuple[Escalation, ...] = ()
    rules: tuple[TargetRule, ...] = ()  # conditional targets, tried in order; ``amount`` is the default

    def __post_init__(self) -> None:
        if self.amount < 1:
            raise UserError("An SLA target must be at least 1")
        if self.warn_at_percent is not None and not 0 < self.warn_at_percent < 100:
            raise UserError("The warning threshold is a percentage between 1 and 99")

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit.value, "amount": self.amount, "warn_at_percent": self.warn_at_percent,
                "escalations": [str(e) for e in self.escalations], "rules": [r.to_dict() for r in self.rules]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SlaTerms":
        return cls(SlaUnit(data["unit"]), int(data["amount"]), data.get("warn_at_percent"),
                   tuple(Escalation.parse(e) for e in data.get("escalations", [])),
                   tuple(TargetRule.from_dict(r) for r in data.get("rules", [])))

    def for_case(self, data: Mapping[str, Any]) -> tuple["SlaTerms", Choice]:
        """The terms a clock of a case with ``data`` runs on: the target its rules choose, and no
        rules (a clock keeps the target it was given), with the choice for its history."""
        if not self.rules:
            return self, Choice(self.amount)
        choice = choose(self.rules, self.amount, data)
        return replace(self, amount=choice.amount, rules=()), choice

    def span(self, amount: int | None = None) -> str:
        """"2 working days": ``amount`` (the target by default) in this policy's unit."""
        amount = self.amount if amount is None else amount
        words = {SlaUnit.WORKING_DAYS: "working day", SlaUnit.WORKING_HOURS: "working hour",
                 SlaUnit.CALENDAR_DAYS: "day"}[self.unit]
        return f"{amount} {words}{'s' if amount != 1 else ''}"

    def target_text(self) -> str:
        """"2 working days if priority == 'urgent', otherwise 10 working days"."""
        return "".join(f"{self.span(r.amount)} if {r.when}, " for r in self.rules) + \
            ("otherwise " if self.rules else "") + self.span()

    def describe(self) -> str:
        text = self.target_text()
        if self.warn_at_percent:
            text += f", warn at {self.warn_at_percent}%"
        return text + "".join(f", {e}" for e in self.escalations)


@dataclass(frozen=True)
class Deadline:
    """When a clock starts counting working time, when it warns, and when it is due."""

    count_from: datetime
    due: datetime
    warn: datetime | None


def deadline(calendar: WorkingCalendar, terms: SlaTerms, start: datetime) -> Deadline:
    if terms.unit is SlaUnit.WORKING_DAYS:
        count_from = calendar.first_counted_instant(start, terms.amount)
        due = calendar.add_working_days(start, terms.amount)
    elif terms.unit is SlaUnit.WORKING_HOURS:
        count_from, due = start, calendar.add_working_hours(start, terms.amount)
    else:
        count_from, due = start, calendar.add_calendar_days(start, terms.amount)
    warn = None
    if terms.warn_at_percent:
        warn = shift(calendar, terms.unit, count_from,
                     measure(calendar, terms.unit, count_from, due) * terms.warn_at_percent / 100)
    return Deadline(count_from, due, warn)


def measure(calendar: WorkingCalendar, unit: SlaUnit, earlier: datetime, later: datetime) -> int:
    """Seconds of SLA time between two instants: working time, or plain time for calendar days."""
    if unit is SlaUnit.CALENDAR_DAYS:
        return max(int((later - earlier).total_seconds()), 0)
    return calendar.working_seconds_between(earlier, later)


def shift(calendar: WorkingCalendar, unit: SlaUnit, instant: datetime, seconds: float) -> datetime:
    """``instant`` moved on by ``seconds`` of SLA time (how a pause moves a due date)."""
    if unit is SlaUnit.CALENDAR_DAYS:
        return instant + timedelta(seconds=seconds)
    return calendar.add_working_seconds(instant, seconds)


HOLIDAY_DATA_MARGIN = timedelta(days=365)  # warn while a year's due dates can still be planned


def holiday_data_warning(calendar: WorkingCalendar, due: datetime) -> str | None:
    """A warning when the bundled bank-holiday data ends within 12 months of ``due``: due dates past
    its end would count unknown bank holidays as working days. None while the data reaches further."""
    known = holidays_known_until(calendar.nation)
    if calendar.local(due).date() + HOLIDAY_DATA_MARGIN <= known:
        return None
    return (f"The bank holidays councilflow knows for {calendar.nation.value} end on {known:%d %B %Y}, within "
            f"12 months of the due date {calendar.local(due):%d %B %Y}: upgrade councilflow (its "
            f"govuk-bank-holidays data) or add the coming bank holidays as closure days, or due dates after "
            f"{known:%d %B %Y} will count them as working days")


def pause_days(calendar: WorkingCalendar, seconds: float) -> int:
    """The whole working days a pause of ``seconds`` working time counts as (half a day or more is one)."""
    return math.floor(seconds / calendar.day_length.total_seconds() + 0.5)


def moved_by_pauses(calendar: WorkingCalendar, unit: SlaUnit, instant: datetime, paused_before: float,
                    paused_after: float) -> datetime:
    """``instant`` (a due or warning time) moved on as the clock's paused time grows from
    ``paused_before`` to ``paused_after`` seconds. A working-day promise moves by whole working days
    of pause, so a pause of a few seconds leaves a close-of-business due time where it was instead of
    carrying it past close to the next morning; hours and calendar days move by the exact time."""
    if unit is SlaUnit.WORKING_DAYS:
        return calendar.working_days_later(instant, pause_days(calendar, paused_after)
                                           - pause_days(calendar, paused_before))
    return shift(calendar, unit, instant, paused_after - paused_before)


def remaining_text(calendar: WorkingCalendar, unit: SlaUnit, now: datetime, due: datetime,
                   state: SlaState | str) -> str:
    """What an inbox says: "2 working days left", "due today", "1 working day overdue", "paused"."""
    if state == SlaState.PAUSED:
        return "paused"
    today, due_day = calendar.local(now).date(), calendar.local(due).date()
    if now >= due:
        late = calendar.working_days_after(due_day, today)
        return f"{late} working day{'s' if late != 1 else ''} overdue" if late else "overdue"
    if unit is SlaUnit.WORKING_HOURS and due_day == today:
        hours = math.ceil(calendar.working_seconds_between(now, due) / 3600)
        return f"{hours} working hour{'s' if hours != 1 else ''} left"
    if due_day == today:
        return "due today"
    if unit is SlaUnit.CALENDAR_DAYS:
        days = (due_day - today).days
        return f"{days} day{'s' if days != 1 else ''} left"
    left = calendar.working_days_after(today, due_day)
    return f"{left} working day{'s' if left != 1 else ''} left"


@dataclass
class PolicyView:
    process: str
    task: str | None
    terms: SlaTerms
    updated_by: str
    updated_at: datetime
    label: str = ""  # "Member enquiry – Prepare draft response (Highways)"
    version: int | None = None  # the version the label was read from: the latest that has the task

    @classmethod
    def of(cls, row: SlaPolicy) -> "PolicyView":
        return cls(row.process_key, row.task_bpmn_id or None,
                   SlaTerms(SlaUnit(row.unit), row.amount, row.warn_at_percent,
                            tuple(Escalation.parse(e) for e in row.escalations),
                            tuple(TargetRule.from_dict(r) for r in row.rules or [])),
                   row.updated_by, row.updated_at)

    def to_dict(self) -> dict[str, Any]:
        return {"process": self.process, "task": self.task, **self.terms.to_dict(),
                "updated_by": self.updated_by, "updated_at": self.updated_at.isoformat(), "label": self.label,
                "version": self.version}


def find_policy(session: Session, process_key: str, task_bpmn_id: str | None) -> SlaPolicy | None:
    return session.scalar(select(SlaPolicy).where(SlaPolicy.process_key == process_key,
                                                  SlaPolicy.task_bpmn_id == (task_bpmn_id or WHOLE_CASE)))


_POLICIES = select(SlaPolicy).where(SlaPolicy.process_key == bindparam("process"))  # built once


@dataclass(frozen=True)
class ClockPolicy:
    """What starting a clock needs of a policy: its id and terms (immutable: shared between transactions)."""

    id: int
    terms: SlaTerms


def policy_for(session: Session, process_key: str, task_bpmn_id: str | None) -> ClockPolicy | None:
    """``find_policy`` for starting clocks: all the process's policies are read with its first one and
    remembered for the rest of the transaction (a save opening several tasks reads them once), and kept
    by this process while the configuration's generation stays (``engine.persistence.configuration``)."""
    memo: dict[str, dict[str, ClockPolicy]] = session.info.setdefault("sla_policies", {})
    if process_key not in memo:
        memo[process_key] = configuration.kept(session, "policies", process_key, lambda: {
            p.task_bpmn_id: ClockPolicy(p.id, PolicyView.of(p).terms)
            for p in session.scalars(_POLICIES, {"process": process_key})})
    return memo[process_key].get(task_bpmn_id or WHOLE_CASE)


def _check_target(session: Session, process_key: str, task_bpmn_id: str | None, terms: SlaTerms) -> None:
    version = registry.get_version(session, process_key)
    if task_bpmn_id and task_bpmn_id not in version.user_tasks:
        known = ", ".join(sorted(version.user_tasks)) or "none"
        raise UserError(f"Process '{process_key}' has no user task '{task_bpmn_id}' (its user tasks: {known})")
    for escalation in terms.escalations:
        if escalation.action is EscalationAction.REASSIGN:
            routing.get_team(session, escalation.target or "")


def set_policy(ctx: Context, process_key: str, task_bpmn_id: str | None, terms: SlaTerms,
               actor: str) -> PolicyView:
    """Create or replace the SLA of a process (``task_bpmn_id`` None) or of one of its tasks."""
    with ctx.db.transaction() as session:
        _check_target(session, process_key, task_bpmn_id, terms)
        now = ctx.clock.now()
        row = find_policy(session, process_key, task_bpmn_id)
        previous = PolicyView.of(row).terms.to_dict() if row is not None else None
        if row is None:
            row = SlaPolicy(process_key=process_key, task_bpmn_id=task_bpmn_id or WHOLE_CASE)
            session.add(row)
        row.unit, row.amount, row.warn_at_percent = terms.unit.value, terms.amount, terms.warn_at_percent
        row.escalations, row.updated_by, row.updated_at = [str(e) for e in terms.escalations], actor, now
        row.rules = [r.to_dict() for r in terms.rules]
        session.add(Event(case_id=None, actor=actor, at=now, kind=EventKind.SLA_POLICY_SET,
                          detail={"process": process_key, "task": task_bpmn_id, "terms": terms.to_dict(),
                                  "previous": previous}))
        audit.record(session, AuditKind.SLA_POLICY_SET, actor, now, _target(process_key, task_bpmn_id),
                     terms=terms.to_dict(), previous=previous)
        session.flush()
        return PolicyView.of(row)


def _target(process_key: str, task_bpmn_id: str | None) -> str:
    return f"{process_key}/{task_bpmn_id}" if task_bpmn_id else process_key


def remove_policy(ctx: Context, process_key: str, task_bpmn_id: str | None, actor: str) -> None:
    """Stop promising: clocks already running keep going; new cases and tasks get none."""
    with ctx.db.transaction() as session:
        row = find_policy(session, process_key, task_bpmn_id)
        if row is None:
            raise NotFound(f"There is no SLA for {process_key}{' / ' + task_bpmn_id if task_bpmn_id else ''}")
        now = ctx.clock.now()
        session.add(Event(case_id=None, actor=actor, at=now, kind=EventKind.SLA_POLICY_SET,
                          detail={"process": process_key, "task": task_bpmn_id, "terms": None,
                                  "previous": PolicyView.of(row).terms.to_dict()}))
        audit.record(session, AuditKind.SLA_POLICY_REMOVED, actor, now, _target(process_key, task_bpmn_id),
                     previous=PolicyView.of(row).terms.to_dict())
        # Running clocks carry their own copy of the terms, so they go on without the policy.
        session.execute(update(SlaClock).where(SlaClock.policy_id == row.id).values(policy_id=None))
        session.delete(row)


def list_policies(ctx: Context, process_key: str | None = None) -> list[PolicyView]:
    """One view per policy (a policy is per process and task BPMN id, whatever the versions), named as
    the latest version that has its task names it, so tasks that share a name are told apart."""
    with ctx.db.transaction(readonly=True) as session:
        query = select(SlaPolicy)
        if process_key is not None:
            query = query.where(SlaPolicy.process_key == process_key)
        views = [PolicyView.of(r) for r in session.scalars(query.order_by(SlaPolicy.process_key,
                                                                         SlaPolicy.task_bpmn_id))]
        named = labels(session, [(v.process, v.task or WHOLE_CASE) for v in views])
        for view in views:
            label = named[(view.process, view.task or WHOLE_CASE)]
            view.label, view.version = label.text, label.version
        return views
