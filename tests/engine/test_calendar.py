"""Working-time arithmetic: weekends, UK bank holidays per nation, council closures, clock changes."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from engine.deadlines import calendar as cal
from engine.deadlines.calendar import WorkingCalendar
from engine.errors import UserError
from engine.deadlines.sla import Deadline, SlaTerms, deadline, remaining_text
from engine.types import Nation, SlaState, SlaUnit

LONDON = ZoneInfo("Europe/London")
ENGLAND = WorkingCalendar()
SCOTLAND = WorkingCalendar.of(Nation.SCOTLAND)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_a_working_day_after_friday_is_monday_at_close_of_business():
    assert ENGLAND.add_working_days(local(2026, 3, 6, 11, 0), 1) == local(2026, 3, 9, 17, 0)


def test_a_request_after_hours_or_at_the_weekend_counts_from_the_next_working_day():
    assert ENGLAND.receipt_day(local(2026, 3, 5, 17, 0)) == date(2026, 3, 6)  # Thursday at closing time
    assert ENGLAND.receipt_day(local(2026, 3, 5, 7, 0)) == date(2026, 3, 5)  # before opening still counts
    assert ENGLAND.add_working_days(local(2026, 3, 7, 10, 0), 1) == local(2026, 3, 10, 17, 0)  # Saturday


def test_easter_in_england_skips_good_friday_and_easter_monday():
    # Thursday 2 April 2026: Good Friday 3 April, Easter Monday 6 April.
    due = ENGLAND.add_working_days(local(2026, 4, 2, 10, 0), 10)
    assert due == local(2026, 4, 20, 17, 0)
    assert due.tzinfo is not None and due.utcoffset().total_seconds() == 0  # results are UTC
    assert due.hour == 16  # 17:00 BST


def test_scotland_works_on_easter_monday_but_not_on_2_january_or_st_andrews_day():
    assert SCOTLAND.add_working_days(local(2026, 4, 2, 10, 0), 10) == local(2026, 4, 17, 17, 0)
    assert not SCOTLAND.is_working_day(date(2026, 1, 2)) and ENGLAND.is_working_day(date(2026, 1, 2))
    assert not SCOTLAND.is_working_day(date(2026, 11, 30)) and ENGLAND.is_working_day(date(2026, 11, 30))
    assert ENGLAND.is_working_day(date(2026, 8, 3)) and not SCOTLAND.is_working_day(date(2026, 8, 3))


def test_christmas_with_council_closure_days_between_christmas_and_new_year():
    start = local(2026, 12, 23, 12, 0)  # Wednesday; 25 and 28 December, 1 January are bank holidays
    assert ENGLAND.add_working_days(start, 3) == local(2026, 12, 30, 17, 0)
    closed = WorkingCalendar.of(Nation.ENGLAND_AND_WALES, [date(2026, 12, 29), date(2026, 12, 30),
                                                            date(2026, 12, 31)])
    assert closed.add_working_days(start, 3) == local(2027, 1, 5, 17, 0)


def test_october_clock_change_keeps_local_office_hours():
    # Clocks go back at 02:00 BST on Sunday 25 October 2026.
    friday, monday = ENGLAND.add_working_days(local(2026, 10, 22, 12, 0), 1), \
        ENGLAND.add_working_days(local(2026, 10, 22, 12, 0), 2)
    assert (friday.hour, monday.hour) == (16, 17)  # both 17:00 local: BST, then GMT
    assert ENGLAND.add_working_hours(local(2026, 10, 23, 16, 0), 2) == local(2026, 10, 26, 9, 30)
    assert ENGLAND.add_calendar_days(local(2026, 10, 22, 10, 0), 7) == local(2026, 10, 29, 10, 0)
    assert ENGLAND.working_seconds_between(local(2026, 10, 23, 16, 0), local(2026, 10, 26, 9, 30)) == 7200


def test_working_hours_fill_the_working_windows():
    assert ENGLAND.add_working_hours(local(2026, 3, 2, 9, 0), 4) == local(2026, 3, 2, 13, 0)
    assert ENGLAND.add_working_hours(local(2026, 3, 2, 15, 0), 4) == local(2026, 3, 3, 10, 30)
    assert ENGLAND.add_working_hours(local(2026, 3, 2, 19, 0), 1) == local(2026, 3, 3, 9, 30)
    assert ENGLAND.add_working_hours(local(2026, 3, 2, 9, 0), 8) == local(2026, 3, 2, 17, 0)  # not 08:30 next day


def test_warning_at_75_percent_of_ten_working_days_is_half_way_through_day_eight():
    terms = SlaTerms(SlaUnit.WORKING_DAYS, 10, 75)
    found = deadline(ENGLAND, terms, local(2026, 4, 2, 10, 0))
    assert found.count_from == local(2026, 4, 7, 8, 30)  # day 1 is the first working day after receipt
    assert found.warn == local(2026, 4, 16, 12, 45)  # 7.5 of 10 days of 8.5 hours
    assert found.due == local(2026, 4, 20, 17, 0)


def test_calendar_days_and_working_hours_deadlines():
    days = deadline(ENGLAND, SlaTerms(SlaUnit.CALENDAR_DAYS, 2, 50), local(2026, 3, 6, 11, 0))
    assert days == Deadline(local(2026, 3, 6, 11, 0), local(2026, 3, 8, 11, 0), local(2026, 3, 7, 11, 0))
    hours = deadline(ENGLAND, SlaTerms(SlaUnit.WORKING_HOURS, 4, 50), local(2026, 3, 6, 15, 0))
    assert (hours.warn, hours.due) == (local(2026, 3, 6, 17, 0), local(2026, 3, 9, 10, 30))


def test_remaining_wording_for_inboxes():
    due = local(2026, 4, 20, 17, 0)
    words = lambda now, state=SlaState.ON_TRACK: remaining_text(ENGLAND, SlaUnit.WORKING_DAYS, now, due, state)
    assert words(local(2026, 4, 16, 9, 0)) == "2 working days left"  # Friday 17 and Monday 20
    assert words(local(2026, 4, 17, 9, 0)) == "1 working day left"
    assert words(local(2026, 4, 20, 9, 0)) == "due today"
    assert words(local(2026, 4, 20, 18, 0)) == "overdue"
    assert words(local(2026, 4, 22, 9, 0)) == "2 working days overdue"
    assert words(local(2026, 4, 16, 9, 0), SlaState.PAUSED) == "paused"
    assert remaining_text(ENGLAND, SlaUnit.WORKING_HOURS, local(2026, 4, 20, 14, 30), due, SlaState.AT_RISK) == \
        "3 working hours left"


def test_custom_hours_and_week_are_validated():
    short = WorkingCalendar.of(day_start=time(9, 0), day_end=time(16, 0), weekdays=[0, 1, 2, 3])
    assert short.add_working_days(local(2026, 3, 5, 10, 0), 1) == local(2026, 3, 9, 16, 0)  # Friday is off
    with pytest.raises(UserError):
        WorkingCalendar.of(weekdays=[])
    with pytest.raises(UserError):
        WorkingCalendar.of(day_start=time(17, 0), day_end=time(9, 0))
    with pytest.raises(UserError, match="not a nation"):
        WorkingCalendar.of("wales")


def test_bank_holidays_come_from_bundled_data_without_the_network(monkeypatch):
    import requests

    def no_network(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the bank holiday data must never be downloaded")

    monkeypatch.setattr(requests, "get", no_network)
    cal.bank_holidays.cache_clear()
    assert date(2026, 4, 6) in cal.bank_holidays(Nation.ENGLAND_AND_WALES)
    assert date(2026, 3, 17) in cal.bank_holidays(Nation.NORTHERN_IRELAND)  # St Patrick's Day
    assert cal.holidays_known_until(Nation.SCOTLAND).year >= 2028
