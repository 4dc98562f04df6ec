"""Escalation on warning and on breach: each configured action runs exactly once, however many
sweeps and workers run, and even when the worker was down through both instants."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from engine.casework import cases
from engine.deadlines import sla, sla_clocks
from engine.people import users
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.people.notifications import OutgoingNotification, mark_read, unread
from engine.persistence.db import Database
from engine.persistence.tables import InboundMessage, Notification
from engine.deadlines.sla import Escalation, SlaTerms
from engine.types import Role, SlaUnit
from engine.background.worker import sweep_slas
from tests.conftest import FORMS
from tests.engine.helpers import deploy_text, run_workers
from tests.engine.maps import boundary, end, flow, message, process, start, user_task

MONDAY_9AM = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
WARN, DUE = datetime(2026, 3, 2, 11, 0, tzinfo=timezone.utc), datetime(2026, 3, 2, 13, 0, tzinfo=timezone.utc)
APPLICATION = process("licence", "\n".join([
    start("f1"), user_task("assess", "Assess the licence", "f1", "f2"), end("decided", "f2"),
    boundary("overdue", "assess", "f3", message("sla_breached")),
    user_task("senior_review", "Senior review", "f3", "f4"), end("reviewed", "f4"),
    flow("f1", "start", "assess"), flow("f2", "assess", "decided"), flow("f3", "overdue", "senior_review"),
    flow("f4", "senior_review", "reviewed")]), messages=("sla_breached",))


@pytest.fixture
def timed(database_url):
    context = Context(Database(database_url), clock=FixedClock(MONDAY_9AM), settings=Settings(forms_dir=FORMS))
    deploy_text(context, "licence.bpmn", APPLICATION)
    with context.db.transaction() as s:
        users.add_user(s, "lead@example.gov.uk", "Lee", [Role.TEAM_LEAD], MONDAY_9AM, ["Customer Hub"])
        users.add_user(s, "senior@example.gov.uk", "Sam", [Role.TEAM_LEAD], MONDAY_9AM, ["Escalations"])
    yield context
    context.db.dispose()


def _promise(ctx: Context, *escalations: str) -> None:
    """'assess' within 4 working hours, warned at half time (11:00), due at 13:00 on Monday."""
    sla.set_policy(ctx, "licence", "assess", SlaTerms(SlaUnit.WORKING_HOURS, 4, 50,
                                                      tuple(Escalation.parse(e) for e in escalations)), "admin")


def _texts(ctx: Context) -> list[str]:
    with ctx.db.transaction(readonly=True) as s:
        return [n.text for n in s.scalars(select(Notification).order_by(Notification.id))]


def _kinds(ctx: Context, reference: str) -> list[str]:
    return [e.kind for e in cases.show_case(ctx, reference).history]


def test_warning_and_breach_each_notify_the_team_lead_once(timed):
    _promise(timed, "warning:notify-team-lead", "breach:notify-team-lead")
    view = cases.start_case(timed, "licence")
    for instant in (WARN - timedelta(seconds=1), WARN, WARN + timedelta(minutes=5), DUE, DUE + timedelta(hours=1)):
        timed.clock.set(instant)
        sweep_slas(timed)
    assert _texts(timed) == [
        f"'Assess the licence' on case {view.reference} is at risk of missing its deadline (Monday 02 March 2026 13:00)",
        f"'Assess the licence' on case {view.reference} has missed its deadline (Monday 02 March 2026 13:00)"]
    assert _kinds(timed, view.reference).count("escalated") == 2
    assert [n.text[:6] for n in unread(timed, "lead@example.gov.uk")] == ["'Asses", "'Asses"]
    mark_read(timed, "lead@example.gov.uk", unread(timed, "lead@example.gov.uk")[0].id)
    assert len(unread(timed, "lead@example.gov.uk")) == 1


def test_a_worker_down_through_both_instants_records_both_once_when_it_restarts(timed):
    _promise(timed, "warning:notify-team-lead", "notify-team-lead")
    view = cases.start_case(timed, "licence")
    timed.clock.set(DUE + timedelta(days=2))
    assert sweep_slas(timed) == 2 and sweep_slas(timed) == 0
    assert len(_texts(timed)) == 2
    kinds = _kinds(timed, view.reference)
    assert kinds.index("sla_warning") < kinds.index("sla_breached")
    assert [t.sla_state for t in cases.list_tasks(timed, case=view.reference)] == ["breached"]


def test_breach_reassigns_to_the_escalation_team(timed):
    _promise(timed, "reassign:Escalations", "notify-team-lead")
    view = cases.start_case(timed, "licence")
    cases.assign_task(timed, view.tasks[0].id, "lead@example.gov.uk")
    timed.clock.set(DUE + timedelta(minutes=1))
    sweep_slas(timed)
    task = cases.list_tasks(timed, case=view.reference)[0]
    assert (task.team, task.assignee) == ("Escalations", None)
    assert _texts(timed) == [f"'Assess the licence' on case {view.reference} has missed its deadline "
                             f"(Monday 02 March 2026 13:00)"]
    with timed.db.transaction(readonly=True) as s:  # the lead of the team now holding it is told
        assert [n.user_id for n in s.scalars(select(Notification))] == [
            users.get_user(s, "senior@example.gov.uk").id]


def test_breach_delivers_a_bpmn_message_so_the_map_branches(timed):
    _promise(timed, "message:sla_breached")
    view = cases.start_case(timed, "licence")
    timed.clock.set(DUE + timedelta(minutes=1))
    sweep_slas(timed)
    assert [t.bpmn_id for t in cases.show_case(timed, view.reference).case.tasks] == ["senior_review"]
    escalated = next(e for e in cases.show_case(timed, view.reference).history if e.kind == "escalated")
    assert escalated.detail["delivered"] is True
    assert [c.state for c in sla_clocks.case_clocks(timed, view.reference, include_stopped=True)] == ["breached"]


def test_a_message_the_case_cannot_take_is_kept_and_the_sweep_goes_on(timed):
    _promise(timed, "message:no_such_message", "notify-team-lead")
    view = cases.start_case(timed, "licence")
    timed.clock.set(DUE + timedelta(minutes=1))
    assert sweep_slas(timed) == 2
    escalations = [e.detail for e in cases.show_case(timed, view.reference).history if e.kind == "escalated"]
    assert [d.get("delivered") for d in escalations] == [None, False]  # notify first, then the message
    with timed.db.transaction(readonly=True) as s:
        assert [m.status for m in s.scalars(select(InboundMessage))] == ["refused"]
    assert len(_texts(timed)) == 1


@pytest.mark.slow
def test_several_workers_escalate_each_breach_exactly_once(timed, database_url):
    _promise(timed, "warning:notify-team-lead", "notify-team-lead")
    refs = [cases.start_case(timed, "licence").reference for _ in range(25)]
    workers = [Context(Database(database_url), clock=FixedClock(DUE + timedelta(minutes=1))) for _ in range(4)]
    recorded = run_workers(workers, sweep_slas)
    assert sum(recorded) == 2 * len(refs) and len(_texts(timed)) == 2 * len(refs)


class _Notify:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[OutgoingNotification] = []
        self.fail = fail

    def send(self, message: OutgoingNotification) -> None:
        if self.fail:
            raise ConnectionError("Notify is down")
        self.sent.append(message)


def test_a_plugged_in_sender_delivers_each_notification_once_and_retries_failures(timed):
    _promise(timed, "notify-team-lead")
    view = cases.start_case(timed, "licence")
    timed.notifier = _Notify(fail=True)
    timed.clock.set(DUE + timedelta(minutes=1))
    sweep_slas(timed)
    timed.notifier = _Notify()
    sweep_slas(timed)
    sweep_slas(timed)
    assert [(m.email, m.case_reference) for m in timed.notifier.sent] == [("lead@example.gov.uk", view.reference)]
