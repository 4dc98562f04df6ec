"""The bottleneck view's figures, with a test clock: three missed-bin records and the two recollections
they handed to Waste Services, worked at known times on Monday 2 March 2026."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from engine.casework import cases
from engine.mi import mi_bottlenecks
from engine.people import users
from engine.clock import FixedClock
from engine.errors import ProcessNotFound, UserError
from engine.types import Role
from tests.engine.helpers import complete, deploy_library

ADVISOR = "advisor@example.gov.uk"
MONDAY_9AM = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # GMT: local time is UTC
MONDAY = date(2026, 3, 2)
RECORD = {"bin_type": "refuse", "scheduled_collection_date": "2026-02-27", "bin_out_by_7am": "yes",
          "bin_location": "rear_lane", "crew_report": "none"}
COLLECTED = {"recollection_result": "collected", "recollection_date": "2026-03-03"}
HOUR = 3600.0


@pytest.fixture
def monday(ctx):
    """Records made at 09:00: one finished at 10:00, one at 11:00, one still open at 13:00; the two
    recollections they hand off wait from then to 13:00."""
    clock = FixedClock(MONDAY_9AM)
    ctx.clock = clock
    deploy_library(ctx)
    with ctx.db.transaction() as s:
        users.add_user(s, ADVISOR, "Alex Advisor", [Role.FRONT_OFFICE], MONDAY_9AM, ["Customer Hub"])
    started = [cases.start_case(ctx, "missed_bin_collection", {"postcode": "AB1 2CD"}, channel="phone", actor=ADVISOR)
               for _ in range(3)]
    clock.advance(hours=1)
    handed = complete(ctx, started[0], "record_missed_collection", RECORD, ADVISOR)
    clock.advance(hours=1)
    complete(ctx, started[1], "record_missed_collection", RECORD, ADVISOR)
    clock.set(datetime(2026, 3, 2, 13, 0, tzinfo=timezone.utc))
    ctx.handed = handed
    return ctx


def test_waits_at_each_task_are_exact_and_the_slowest_is_marked(monday):
    shown = mi_bottlenecks.bottlenecks(monday, "missed_bin_collection", MONDAY, MONDAY)
    by_id = {t.bpmn_id: t for t in shown.tasks}
    record, recollect = by_id["record_missed_collection"], by_id["arrange_recollection"]
    # Waits of 1, 2 and 4 hours (the last still open): average 7/3 h; 90th percentile the 3rd of 3.
    assert (record.measured, record.average_seconds, record.p90_seconds, record.waiting_now) == (
        3, 7 * HOUR / 3, 4 * HOUR, 1)
    # Waits of 3 and 2 hours, both open: average 2.5 h; 90th percentile the 2nd of 2.
    assert (recollect.measured, recollect.average_seconds, recollect.p90_seconds, recollect.waiting_now) == (
        2, 2.5 * HOUR, 3 * HOUR, 2)
    assert shown.slowest == recollect and [t.bpmn_id for t in shown.tasks if t.slowest] == ["arrange_recollection"]
    assert all(t.average_seconds is None and t.waiting_now == 0 for t in shown.tasks if t not in (record, recollect))


def test_a_range_without_new_tasks_has_no_waits_but_still_counts_who_waits_now(monday):
    tuesday = date(2026, 3, 3)
    shown = mi_bottlenecks.bottlenecks(monday, "missed_bin_collection", tuesday, tuesday)
    assert shown.slowest is None and all(t.measured == 0 and t.p90_seconds is None for t in shown.tasks)
    assert {t.bpmn_id: t.waiting_now for t in shown.tasks if t.waiting_now} == {
        "record_missed_collection": 1, "arrange_recollection": 2}


def test_a_finished_task_stops_its_clock(monday):
    monday.clock.advance(hours=1)  # 14:00: the 10:00 recollection done after 4 hours
    complete(monday, monday.handed, "arrange_recollection", COLLECTED)
    monday.clock.advance(hours=5)  # 19:00: the 11:00 one waits 8 hours, the finished one still 4
    shown = mi_bottlenecks.bottlenecks(monday, "missed_bin_collection", MONDAY, MONDAY)
    recollect = next(t for t in shown.tasks if t.bpmn_id == "arrange_recollection")
    assert (recollect.average_seconds, recollect.p90_seconds, recollect.waiting_now) == (6 * HOUR, 8 * HOUR, 1)


def test_unknown_processes_and_bad_ranges_are_refused(monday):
    with pytest.raises(ProcessNotFound):
        mi_bottlenecks.bottlenecks(monday, "no_such_process", MONDAY, MONDAY)
    with pytest.raises(UserError):
        mi_bottlenecks.bottlenecks(monday, "missed_bin_collection", MONDAY, date(2026, 3, 1))


def test_percentile_is_nearest_rank():
    assert [mi_bottlenecks.percentile(list(range(1, n + 1))) for n in (1, 9, 10, 11, 20)] == [1, 9, 9, 10, 18]
