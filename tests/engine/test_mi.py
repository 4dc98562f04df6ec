"""Management information from a working week at the hub, with a test clock: six cases started
(three by phone, two on the web, one by a councillor), two resolved at first contact, two handed to
Waste Services, one question bounced back, one chasing call — so avoidable contact is 1/7."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select, update

from engine.casework import cases, contacts, handback
from engine.deadlines import sla
from engine.mi import mi
from engine.people import users
from engine.clock import FixedClock
from engine.context import Context
from engine.deadlines.sla import SlaTerms
from engine.persistence.tables import Case, Task
from engine.types import CaseStatus, Role, SlaState, SlaUnit, TaskStatus
from engine.background.worker import sweep_slas
from tests.engine.helpers import complete, deploy_library, task_for

ADVISOR, OFFICER = "advisor@example.gov.uk", "officer@example.gov.uk"
MONDAY_9AM = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # GMT: local time is UTC
RECORD = {"bin_type": "refuse", "scheduled_collection_date": "2026-02-27", "bin_out_by_7am": "yes",
          "bin_location": "rear_lane", "crew_report": "none"}
RESOLVED = {"service_key": "bulky_waste_prices", "service_name": "Bulky waste prices", "resolution": "resolved"}
WEEK = mi.Filters(date(2026, 3, 2), date(2026, 3, 6))


@pytest.fixture
def hub(ctx):
    """The library deployed, an advisor in Customer Hub, an officer in Waste Services, and a day's SLA
    on recording a missed bin; the test clock at 09:00 on Monday 2 March 2026."""
    clock = FixedClock(MONDAY_9AM)
    ctx.clock = clock
    deploy_library(ctx)
    with ctx.db.transaction() as s:
        users.add_user(s, ADVISOR, "Alex Advisor", [Role.FRONT_OFFICE], MONDAY_9AM, ["Customer Hub"])
        users.add_user(s, OFFICER, "Olu Officer", [Role.BACK_OFFICE], MONDAY_9AM, ["Waste Services"])
    sla.set_policy(ctx, "missed_bin_collection", "record_missed_collection", SlaTerms(SlaUnit.WORKING_DAYS, 1),
                   "admin")
    return ctx, clock


def week(ctx: Context, clock: FixedClock) -> dict[str, str]:
    bin_ = lambda channel, actor=ADVISOR: cases.start_case(ctx, "missed_bin_collection",  # noqa: E731
                                                           {"postcode": "AB1 2CD"}, channel=channel, actor=actor)
    cases.start_case(ctx, "directory_resolve", RESOLVED, channel="phone", actor=ADVISOR)  # resolved there and then
    web_answer = cases.start_case(ctx, "directory_resolve", RESOLVED, channel="web")
    clock.advance(hours=1)  # 10:00
    asked = complete(ctx, bin_("phone"), "record_missed_collection", RECORD, ADVISOR)  # on time: hand-off
    handback.hand_back(ctx, task_for(asked, "arrange_recollection").id, "Which bin was it?", OFFICER)
    chased = bin_("phone")
    bin_("web", actor=None)
    clock.set(datetime(2026, 3, 3, 14, 30, tzinfo=timezone.utc))  # Tuesday
    bin_("councillor")
    contacts.log_contact(ctx, chased.reference, "phone", "chasing", "When will my form be looked at?", ADVISOR)
    clock.set(datetime(2026, 3, 5, 11, 0, tzinfo=timezone.utc))  # Thursday: the chased record is late
    complete(ctx, chased, "record_missed_collection", RECORD, ADVISOR)
    sweep_slas(ctx)  # the web and councillor records are past their day now
    return {"web_answer": web_answer.reference, "chased": chased.reference}


def test_a_week_at_the_hub_gives_exact_figures(hub):
    ctx, clock = hub
    refs = week(ctx, clock)
    figures = mi.figures(ctx, WEEK)
    assert {k: figures[k] for k in ("contacts", "cases_started", "fcr_rate", "handoffs", "bounce_backs",
                                    "avoidable_contact_rate", "sla", "backlog")} == {
        "contacts": 7, "cases_started": 6, "fcr_rate": round(2 / 6, 4), "handoffs": 2, "bounce_backs": 1,
        "avoidable_contact_rate": round(1 / 7, 4),
        "sla": {"closed_on_time": 1, "closed_late": 1, "open_at_risk": 0, "open_breached": 2},
        "backlog": {"0-2": 1, "3-5": 3, "6-10": 0, "11-20": 0, "20+": 0}}
    assert figures["by_channel"] == {"face-to-face": 0, "telephone": 4, "email": 0, "web": 2, "post": 0,
                                     "social media": 0, "partner": 0, "councillor": 1}
    assert figures["heat_map"][0]["hours"][9:11] == [2, 3] and figures["heat_map"][1]["hours"][14] == 2
    assert [d["telephone"] for d in figures["daily"]] == [3, 1, 0, 0, 0]
    by_service = {row["service"]: row for row in figures["by_service"]}
    assert by_service["missed_bin_collection"]["handoffs"] == 2
    assert by_service["directory_resolve"]["resolved_first"] == 2

    # A complaint a week later: the web answer was not resolved at first contact after all.
    clock.set(datetime(2026, 3, 10, 10, 0, tzinfo=timezone.utc))
    contacts.log_contact(ctx, refs["web_answer"], "email", "complaint_about_handling", "Wrong answer", ADVISOR)
    again = mi.figures(ctx, WEEK)
    assert (again["contacts"], again["fcr_rate"]) == (7, round(1 / 6, 4))
    assert mi.figures(ctx, mi.Filters(date(2026, 3, 2), date(2026, 3, 10)))["contacts"] == 8


def test_figures_for_one_team_service_or_channel(hub):
    ctx, clock = hub
    week(ctx, clock)
    hub_team = mi.figures(ctx, mi.Filters(WEEK.start, WEEK.end, team="Customer Hub"))
    assert (hub_team["contacts"], hub_team["cases_started"]) == (5, 4)  # the web starts belong to no team
    waste = mi.figures(ctx, mi.Filters(WEEK.start, WEEK.end, team="Waste Services"))
    assert (waste["handoffs"], waste["bounce_backs"], waste["backlog"]["3-5"]) == (2, 1, 2)
    phone = mi.figures(ctx, mi.Filters(WEEK.start, WEEK.end, channel="telephone"))
    assert (phone["contacts"], phone["cases_started"], phone["avoidable_contact_rate"]) == (4, 3, 0.25)
    bins = mi.figures(ctx, mi.Filters(WEEK.start, WEEK.end, service="missed_bin_collection"))
    assert (bins["cases_started"], bins["fcr_rate"]) == (4, 0.0)


def _open_at_risk_by_brute_force(ctx: Context, channel: str | None = None, service: str | None = None) -> dict[str, int]:
    """Open tasks and open cases at risk or breached, each task counted by its case's channel and
    service whatever the case's status: the definition, read the slow way."""
    labels = {SlaState.AT_RISK: "open_at_risk", SlaState.BREACHED: "open_breached"}
    out = dict.fromkeys(labels.values(), 0)
    with ctx.db.transaction(readonly=True) as s:
        tasks = s.execute(select(Task.sla_state, Case.channel, Case.service_key).join(Case, Case.id == Task.case_id)
                          .where(Task.status.in_([TaskStatus.OPEN, TaskStatus.HANDED_BACK]))).all()
        open_cases = s.execute(select(Case.sla_state, Case.channel, Case.service_key)
                               .where(Case.status == CaseStatus.OPEN)).all()
    for state, ch, key in [*tasks, *open_cases]:
        if state in labels and channel in (None, ch) and service in (None, key):
            out[labels[SlaState(state)]] += 1
    return out


def test_open_work_for_a_channel_or_service_counts_each_task_by_its_case_even_a_failed_one(hub):
    ctx, clock = hub
    week(ctx, clock)
    asks = [("telephone", "phone", None), ("web", "web", None), ("councillor", "councillor", None),
            (None, None, "missed_bin_collection"), (None, None, "bulky_waste_prices")]
    for lgcl, channel, service in asks:
        figures = mi.figures(ctx, mi.Filters(WEEK.start, WEEK.end, channel=lgcl, service=service))
        assert {k: figures["sla"][k] for k in ("open_at_risk", "open_breached")} == \
            _open_at_risk_by_brute_force(ctx, channel, service)
    assert _open_at_risk_by_brute_force(ctx, "web")["open_breached"] > 0
    with ctx.db.transaction() as s:  # a case that failed keeps its open task: still counted by its channel
        s.execute(update(Case).where(Case.channel == "web", Case.status == CaseStatus.OPEN)
                  .values(status=CaseStatus.FAILED))
    web = mi.figures(ctx, mi.Filters(WEEK.start, WEEK.end, channel="web"))["sla"]
    assert {k: web[k] for k in ("open_at_risk", "open_breached")} == _open_at_risk_by_brute_force(ctx, "web")
    assert web["open_breached"] > 0
