"""The SLA sweep: turns clocks at risk and breached when their instant comes, and runs the
configured escalation actions exactly once each.

The sweep reads only ``sla_clock`` rows whose ``next_check_at`` has come (indexed), then takes each
case through the case writer: the case row first, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (so
several workers share the work and never both act on one case) and ``BEGIN IMMEDIATE`` on SQLite.
After the lock the clock is read again, and ``warned_at``/``breached_at`` are set in the same
transaction as the actions, so a warning or breach escalates once however many sweeps run.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..casework import history, messages, writer
from ..casework.views import iso
from ..casework.writer import CaseWriter
from ..context import Context
from ..deadlines import calendar_settings, sla_rows
from ..deadlines.sla import Escalation
from ..errors import TeamNotFound
from ..people import notifications, routing
from ..persistence.tables import Case, SlaClock, Task
from ..types import EscalationAction, EventKind, SlaTrigger, TaskStatus
from . import sweeps

logger = logging.getLogger(__name__)


def sweep(ctx: Context, actor: str, limit: int = 500) -> int:
    """Check up to ``limit`` cases with a clock whose warning or due instant has come; returns
    how many warnings and breaches were recorded."""
    now = ctx.clock.now()
    return sweeps.each_due_case(
        ctx, lambda: select(SlaClock.case_id).where(SlaClock.next_check_at <= now).order_by(SlaClock.next_check_at),
        lambda case_id: _check_case(ctx, case_id, actor), limit)


def _check_case(ctx: Context, case_id: int, actor: str) -> int:
    with writer.try_open_case(ctx, case_id, actor) as w:
        if w is None:  # another worker, or a person, is on this case right now: next sweep
            return 0
        session, now = w.session, w.now
        due = list(session.scalars(select(SlaClock).where(SlaClock.case_id == case_id,
                                                          SlaClock.next_check_at <= now)
                                   .order_by(SlaClock.id).execution_options(populate_existing=True)))
        pending: list[tuple[SlaClock, Escalation]] = []
        recorded = 0
        for clock in due:
            for trigger in _record(session, clock, now, actor):
                recorded += 1
                pending += [(clock, e) for e in sla_rows.terms_of(clock).escalations if e.trigger is trigger]
        # Messages last: delivering one runs the map, which may end the very task being escalated.
        pending.sort(key=lambda item: item[1].action is EscalationAction.MESSAGE)
        for clock, escalation in pending:
            _act(w, clock, escalation)
        if recorded:
            logger.info("SLA sweep recorded %s for case %s", recorded, w.case.reference,
                        extra={"case": w.case.reference})
        return recorded


def _record(session: Session, clock: SlaClock, now: datetime, actor: str) -> list[SlaTrigger]:
    """Record the warning and/or breach whose instant has come (both if the worker was down)."""
    passed: list[SlaTrigger] = []
    if clock.warn_at is not None and clock.warned_at is None and clock.warn_at <= now:
        clock.warned_at = now
        passed.append(SlaTrigger.WARNING)
        sla_rows.event(session, clock, actor, now, EventKind.SLA_WARNING, warn_at=iso(clock.warn_at),
                         due=iso(clock.due_at))
    if clock.breached_at is None and clock.due_at <= now:
        clock.breached_at = now
        passed.append(SlaTrigger.BREACH)
        sla_rows.event(session, clock, actor, now, EventKind.SLA_BREACHED, due=iso(clock.due_at))
    clock.state = sla_rows.running_state(clock)
    sla_rows.mirror(session, clock)
    return passed


def _subject(session: Session, case: Case, clock: SlaClock) -> tuple[list[Task], str]:
    """The open tasks an escalation acts on, and how to name them in a message."""
    if clock.task_id is not None:
        task = session.get_one(Task, clock.task_id)
        return [task], f"'{task.name}' on case {case.reference}"
    tasks = list(session.scalars(select(Task).where(Task.case_id == case.id, Task.status == TaskStatus.OPEN)))
    return tasks, f"case {case.reference}"


def _responsible_teams(session: Session, case: Case, clock: SlaClock, tasks: list[Task]) -> set[int]:
    """Teams whose leads answer for a breach: the task's team; for a whole case, the teams holding
    its open tasks and the team that took it in (its first task's), which owns the promise."""
    teams = {t.team_id for t in tasks if t.team_id is not None}
    if clock.task_id is None:
        first = session.scalar(select(Task.team_id).where(Task.case_id == case.id).order_by(Task.id).limit(1))
        teams |= {first} if first is not None else set()
    return teams


def _act(w: CaseWriter, clock: SlaClock, escalation: Escalation) -> None:
    session, case, now, actor = w.session, w.case, w.now, w.actor
    trigger = escalation.trigger
    tasks, subject = _subject(session, case, clock)
    detail: dict[str, Any] = {"trigger": trigger.value, "action": str(escalation)}
    if escalation.action is EscalationAction.NOTIFY_TEAM_LEAD:
        leads = notifications.team_leads(session, _responsible_teams(session, case, clock, tasks))
        due = calendar_settings.load(session).local(clock.due_at).strftime("%A %d %B %Y %H:%M")
        words = "is at risk of missing its deadline" if trigger is SlaTrigger.WARNING else "has missed its deadline"
        notifications.notify(session, leads, f"{subject} {words} ({due})", now, case,
                             tasks[0] if clock.task_id is not None else None)
        detail["notified"] = [u.email for u in leads] or "nobody: no team lead in the team"
    elif escalation.action is EscalationAction.REASSIGN:
        try:
            team = routing.get_team(session, escalation.target or "")
        except TeamNotFound as err:
            detail["failed"] = err.message
        else:
            for task in tasks:
                detail.setdefault("moved", []).append({"task": task.id, "from": task.team.name if task.team else None})
                task.team_id, task.assignee_id = team.id, None
            detail["team"] = team.name
    else:
        receipt = messages.receive(w, escalation.target or "",
                                   {"sla": trigger.value, "task": tasks[0].bpmn_id if clock.task_id else None})
        detail["delivered"], detail["reason"] = receipt.delivered, receipt.reason
    history.add_event(session, case.id, clock.task_id, actor, now, EventKind.ESCALATED, detail)
