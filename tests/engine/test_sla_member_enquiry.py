"""Issue 6, done when: an admin sets "Member enquiry: 10 working days, warn at 75%, escalate to team
lead"; a councillor enquiry raised on the Thursday before Easter shows the right due date, turns at
risk and breached at the right instants under a test clock, and escalates exactly once."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from engine.casework import cases
from engine.deadlines import sla_clocks
from engine.people import users
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.persistence.tables import Case, Notification
from engine.types import Role
from engine.background.worker import sweep_slas
from tests.conftest import FORMS
from tests.engine.helpers import complete, deploy_library

THURSDAY_BEFORE_EASTER = datetime(2026, 4, 2, 9, 0, tzinfo=timezone.utc)  # 10:00 BST
DUE = datetime(2026, 4, 20, 16, 0, tzinfo=timezone.utc)  # Monday 20 April, 17:00 BST
AT_RISK = datetime(2026, 4, 16, 11, 45, tzinfo=timezone.utc)  # 7.5 of 10 working days: 12:45 BST
LOG = {"ward": "Riverside", "enquiry_type": "on_behalf_of_resident", "resident_name": "Mrs A Smith",
       "resident_address": "4 Canal Row", "resident_consent": "yes",
       "enquiry_summary": "Bins missed twice this month", "service_area": "waste", "priority": "standard",
       "answer_route": "refer_to_service"}


@pytest.fixture
def council(database_url, cli):
    ctx = Context(Database(database_url), clock=FixedClock(THURSDAY_BEFORE_EASTER), settings=Settings(forms_dir=FORMS))
    deploy_library(ctx)
    with ctx.db.transaction() as s:
        users.add_user(s, "lead@example.gov.uk", "Lee", [Role.TEAM_LEAD], ctx.clock.now(), ["Member Services"])
        users.add_user(s, "officer@example.gov.uk", "Ola", [Role.BACK_OFFICE], ctx.clock.now(), ["Member Services"])
        users.add_user(s, "other-lead@example.gov.uk", "Oz", [Role.TEAM_LEAD], ctx.clock.now(), ["Highways"])
    result = cli("sla", "set", "member_enquiry", "--working-days", "10", "--warn-at", "75",
                 "--escalate", "notify-team-lead", "--user", "admin@example.gov.uk", "--json")
    assert result.exit_code == 0, result.output
    assert result.json()["escalations"] == ["breach:notify-team-lead"]
    yield ctx
    ctx.db.dispose()


def _state(ctx: Context, reference: str) -> tuple[str, datetime | None]:
    with ctx.db.transaction(readonly=True) as s:
        case = s.scalar(select(Case).where(Case.reference == reference))
        return case.sla_state, case.due_at


def _notifications(ctx: Context) -> list[str]:
    with ctx.db.transaction(readonly=True) as s:
        return [n.text for n in s.scalars(select(Notification))]


def test_councillor_enquiry_before_easter_is_due_on_20_april_and_escalates_once(council):
    view = cases.start_case(council, "member_enquiry", {"customer_name": "Cllr Jones"}, channel="councillor")
    assert _state(council, view.reference) == ("on_track", DUE)
    shown = sla_clocks.case_clocks(council, view.reference)[0]
    assert shown.due_at == DUE.isoformat() and shown.remaining == "10 working days left"
    complete(council, view, "log_member_enquiry", LOG)  # work goes on; the case clock keeps running

    council.clock.set(AT_RISK - timedelta(seconds=1))
    assert sweep_slas(council) == 0
    assert _state(council, view.reference)[0] == "on_track"
    council.clock.set(AT_RISK)
    assert sweep_slas(council) == 1
    assert _state(council, view.reference)[0] == "at_risk"
    assert _notifications(council) == []  # this SLA escalates on breach only

    council.clock.set(DUE - timedelta(seconds=1))
    assert sweep_slas(council) == 0
    assert sla_clocks.case_clocks(council, view.reference)[0].remaining == "due today"
    council.clock.set(DUE)
    outcomes: list[int] = []
    workers = [threading.Thread(target=lambda: outcomes.append(sweep_slas(council))) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sum(outcomes) == 1
    for _ in range(3):
        council.clock.advance(hours=1)
        assert sweep_slas(council) == 0
    assert _state(council, view.reference)[0] == "breached"
    assert _notifications(council) == [f"case {view.reference} has missed its deadline (Monday 20 April 2026 17:00)"]

    kinds = [e.kind for e in cases.show_case(council, view.reference).history]
    assert kinds.count("sla_warning") == 1 and kinds.count("sla_breached") == 1 and kinds.count("escalated") == 1
    escalated = [e for e in cases.show_case(council, view.reference).history if e.kind == "escalated"][0]
    assert escalated.detail["notified"] == ["lead@example.gov.uk"]


def test_answering_before_the_deadline_meets_the_promise(council):
    view = cases.start_case(council, "member_enquiry", channel="councillor")
    done = complete(council, view, "log_member_enquiry", {**LOG, "answer_route": "answer_directly",
                                                          "enquiry_type": "policy_question"})
    complete(council, done, "answer_directly", {"response_text": "Published", "response_sent_date": "2026-04-07"})
    assert _state(council, view.reference) == ("met", DUE)
    council.clock.set(DUE + timedelta(days=1))
    assert sweep_slas(council) == 0 and _notifications(council) == []
