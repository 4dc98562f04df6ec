"""SLA policies and clocks: due dates on tasks and cases, policy changes, recalculation, pause and
resume, and the council's own calendar."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from engine.casework import cases
from engine.deadlines import calendar_settings, sla, sla_clocks
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.errors import CaseNotOpen, Conflict, ProcessNotFound, TeamNotFound, UserError
from engine.persistence.db import Database
from engine.deadlines.sla import Escalation, SlaTerms
from engine.types import SlaUnit
from engine.background.worker import sweep_slas
from tests.conftest import FORMS
from tests.engine.helpers import complete, deploy_library, task_for
from tests.engine.test_cases import RECORD

FRIDAY_11AM = datetime(2026, 3, 6, 11, 0, tzinfo=timezone.utc)
ADMIN = "admin@example.gov.uk"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def timed(database_url):
    context = Context(Database(database_url), clock=FixedClock(FRIDAY_11AM), settings=Settings(forms_dir=FORMS))
    deploy_library(context)
    yield context
    context.db.dispose()


def _promise(ctx: Context, process: str, task: str | None, unit: SlaUnit, amount: int, warn: int | None = None,
             *escalations: str) -> sla.PolicyView:
    terms = SlaTerms(unit, amount, warn, tuple(Escalation.parse(e) for e in escalations))
    return sla.set_policy(ctx, process, task, terms, ADMIN)


def _recollection(ctx: Context):  # type: ignore[no-untyped-def]
    view = complete(ctx, cases.start_case(ctx, "missed_bin_collection"), "record_missed_collection", RECORD)
    return view, task_for(view, "arrange_recollection")


def test_a_task_sla_sets_the_due_date_inboxes_sort_by(timed):
    _promise(timed, "missed_bin_collection", "arrange_recollection", SlaUnit.WORKING_DAYS, 2, 50)
    view, task = _recollection(timed)
    assert task.due_at == utc(2026, 3, 10, 17, 0).isoformat()  # Friday + 2 working days: Tuesday 17:00
    listed = {t.bpmn_id: t for t in cases.list_tasks(timed, case=view.reference)}
    assert listed["arrange_recollection"].due_at == task.due_at
    history = cases.show_case(timed, view.reference).history
    started = [e for e in history if e.kind == "sla_started"]
    assert len(started) == 1 and started[0].detail["sla"] == "2 working days, warn at 50%"
    assert started[0].detail["warn_at"] == utc(2026, 3, 9, 17, 0).isoformat()  # half of Mon-Tue: Monday evening


def test_changing_an_sla_applies_to_new_tasks_until_an_admin_recalculates(timed):
    _promise(timed, "missed_bin_collection", "arrange_recollection", SlaUnit.WORKING_DAYS, 2)
    first, first_task = _recollection(timed)
    _promise(timed, "missed_bin_collection", "arrange_recollection", SlaUnit.WORKING_DAYS, 5)
    _, second_task = _recollection(timed)
    assert first_task.due_at == utc(2026, 3, 10, 17, 0).isoformat()
    assert second_task.due_at == utc(2026, 3, 13, 17, 0).isoformat()
    assert sla_clocks.case_clocks(timed, first.reference)[0].due_at == first_task.due_at  # unchanged

    assert sla_clocks.recalculate(timed, "missed_bin_collection", "arrange_recollection", ADMIN) == 2
    assert sla_clocks.case_clocks(timed, first.reference)[0].due_at == utc(2026, 3, 13, 17, 0).isoformat()
    recalculated = [e for e in cases.show_case(timed, first.reference).history if e.kind == "sla_recalculated"]
    assert recalculated[0].actor == ADMIN and recalculated[0].detail["previous_due"] == first_task.due_at


def test_pausing_for_the_resident_moves_the_due_date_by_the_paused_working_time(timed):
    timed.clock.set(datetime(2026, 4, 2, 9, 0, tzinfo=timezone.utc))  # Thursday before Easter, 10:00 BST
    _promise(timed, "member_enquiry", None, SlaUnit.WORKING_DAYS, 10, 75)
    view = cases.start_case(timed, "member_enquiry", channel="councillor")
    assert sla_clocks.case_clocks(timed, view.reference)[0].due_at == utc(2026, 4, 20, 16, 0).isoformat()

    timed.clock.set(utc(2026, 4, 7, 11, 0))  # Tuesday 12:00 BST
    paused = sla_clocks.pause_case(timed, view.reference, ADMIN, "awaiting information from the councillor")
    assert [(c.state, c.remaining) for c in paused] == [("paused", "paused")]
    with pytest.raises(Conflict, match="already paused"):
        sla_clocks.pause_case(timed, view.reference, ADMIN)
    timed.clock.set(utc(2026, 4, 25, 11, 0))  # long past the old due date: a paused clock never breaches
    assert sweep_slas(timed) == 0
    timed.clock.set(utc(2026, 4, 9, 11, 0))  # Thursday 12:00 BST: two working days (17 hours) paused
    resumed = sla_clocks.resume_case(timed, view.reference, ADMIN)
    assert resumed[0].state == "on_track"
    assert resumed[0].due_at == utc(2026, 4, 22, 16, 0).isoformat()  # Wednesday 22 April 17:00 BST
    with pytest.raises(Conflict, match="not paused"):
        sla_clocks.resume_case(timed, view.reference, ADMIN)

    history = cases.show_case(timed, view.reference).history
    pause = next(e for e in history if e.kind == "sla_paused")
    resume = next(e for e in history if e.kind == "sla_resumed")
    assert pause.detail["reason"] == "awaiting information from the councillor"
    assert resume.detail["paused_working_seconds"] == 17 * 3600
    assert resume.detail["previous_due"] == utc(2026, 4, 20, 16, 0).isoformat()


def test_a_pause_of_seconds_leaves_a_working_day_due_time_where_it_was(timed):
    _promise(timed, "missed_bin_collection", "arrange_recollection", SlaUnit.WORKING_DAYS, 10, 80)
    view, task = _recollection(timed)
    due = utc(2026, 3, 20, 17, 0)  # Friday 6 March + 10 working days: Friday 20 March, close of business
    assert task.due_at == due.isoformat()
    [clock] = sla_clocks.case_clocks(timed, view.reference)
    assert clock.remaining == "10 working days left"
    warn = clock.warn_at
    sla_clocks.pause_case(timed, view.reference, ADMIN, "the resident is checking the bin number")
    timed.clock.advance(seconds=2)
    [resumed] = sla_clocks.resume_case(timed, view.reference, ADMIN)
    # Not carried past Friday's close to Monday 08:30, and not "11 working days left" on a 10-day promise.
    assert (resumed.due_at, resumed.warn_at, resumed.remaining) == (due.isoformat(), warn, "10 working days left")
    timed.clock.set(utc(2026, 3, 11, 10, 0))  # Wednesday: paused for a whole working day and a half
    sla_clocks.pause_case(timed, view.reference, ADMIN, "waiting for the resident's photo")
    timed.clock.set(utc(2026, 3, 12, 14, 15))  # Thursday 14:15: 8.5 h + 5.75 h = 1.68 working days
    [resumed] = sla_clocks.resume_case(timed, view.reference, ADMIN)
    assert resumed.due_at == utc(2026, 3, 24, 17, 0).isoformat()  # two working days later: Tuesday 24 March


def test_tasks_created_while_a_case_is_paused_start_paused(timed):
    _promise(timed, "missed_bin_collection", "arrange_recollection", SlaUnit.WORKING_HOURS, 4)
    view = cases.start_case(timed, "missed_bin_collection")
    sla_clocks.pause_case(timed, view.reference, ADMIN, "waiting for a photo")
    complete(timed, view, "record_missed_collection", RECORD)
    assert [c.state for c in sla_clocks.case_clocks(timed, view.reference)] == ["paused"]
    timed.clock.advance(days=3)  # Monday 11:00
    assert sla_clocks.resume_case(timed, view.reference, ADMIN)[0].due_at == utc(2026, 3, 9, 15, 0).isoformat()


def test_a_closed_case_cannot_be_paused_and_its_clock_stops(timed):
    _promise(timed, "missed_bin_collection", None, SlaUnit.CALENDAR_DAYS, 3)
    view = cases.start_case(timed, "missed_bin_collection")
    cases.cancel_case(timed, view.reference, reason="duplicate")
    with pytest.raises(CaseNotOpen):
        sla_clocks.pause_case(timed, view.reference, ADMIN)
    assert [c.state for c in sla_clocks.case_clocks(timed, view.reference, include_stopped=True)] == ["stopped"]


def test_closure_days_and_the_councils_nation_change_new_due_dates(timed):
    timed.clock.set(utc(2026, 12, 23, 12, 0))
    _promise(timed, "missed_bin_collection", None, SlaUnit.WORKING_DAYS, 3)
    before = cases.start_case(timed, "missed_bin_collection")
    with timed.db.transaction() as s:
        for day in (29, 30, 31):
            calendar_settings.add_closure(s, date(2026, 12, day), "Christmas closure", ADMIN, timed.clock.now())
    after = cases.start_case(timed, "missed_bin_collection")
    due = lambda view: sla_clocks.case_clocks(timed, view.reference)[0].due_at  # noqa: E731
    assert (due(before), due(after)) == (utc(2026, 12, 30, 17, 0).isoformat(), utc(2027, 1, 5, 17, 0).isoformat())

    timed.clock.set(datetime(2026, 4, 2, 9, 0, tzinfo=timezone.utc))
    with timed.db.transaction() as s:
        calendar_settings.configure(s, ADMIN, timed.clock.now(), nation="scotland")
    scottish = cases.start_case(timed, "missed_bin_collection")
    assert due(scottish) == utc(2026, 4, 8, 16, 0).isoformat()  # Easter Monday is worked in Scotland


def test_policies_are_checked_against_the_deployed_process(timed):
    with pytest.raises(ProcessNotFound):
        _promise(timed, "no_such_process", None, SlaUnit.WORKING_DAYS, 5)
    with pytest.raises(UserError, match="has no user task 'typo'"):
        _promise(timed, "missed_bin_collection", "typo", SlaUnit.WORKING_DAYS, 5)
    with pytest.raises(TeamNotFound):
        _promise(timed, "missed_bin_collection", None, SlaUnit.WORKING_DAYS, 5, None, "reassign:Nobody")
    with pytest.raises(UserError, match="percentage"):
        _promise(timed, "missed_bin_collection", None, SlaUnit.WORKING_DAYS, 5, 150)
    with pytest.raises(UserError, match="not an escalation"):
        Escalation.parse("phone-the-ceo")
    with pytest.raises(UserError, match="needs a team"):
        Escalation.parse("breach:reassign")
    assert str(Escalation.parse("warning:message:chase")) == "warning:message:chase"


def test_removing_a_policy_leaves_running_clocks_and_starts_no_new_ones(timed):
    _promise(timed, "missed_bin_collection", None, SlaUnit.WORKING_DAYS, 3)
    running = cases.start_case(timed, "missed_bin_collection")
    sla.remove_policy(timed, "missed_bin_collection", None, ADMIN)
    assert sla.list_policies(timed) == []
    later = cases.start_case(timed, "missed_bin_collection")
    assert len(sla_clocks.case_clocks(timed, running.reference)) == 1
    assert sla_clocks.case_clocks(timed, later.reference) == []


def test_the_worker_and_the_sla_page_warn_when_the_bank_holiday_data_runs_out(timed, caplog):
    _promise(timed, "missed_bin_collection", "arrange_recollection", SlaUnit.WORKING_DAYS, 10)
    _recollection(timed)  # 2026: the bundled data reaches more than a year past the due date
    assert "bank holidays councilflow knows" not in caplog.text
    timed.clock.set(utc(2028, 5, 3, 9, 0))
    _recollection(timed)
    _recollection(timed)
    warnings = [r for r in caplog.records if "bank holidays councilflow knows" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelname == "WARNING"  # once per month of due dates, not per clock
    assert "within 12 months of the due date" in warnings[0].getMessage()
