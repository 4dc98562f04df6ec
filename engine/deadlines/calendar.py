"""Working time: the council's working days and hours, the bank holidays of its nation and its own
closure days, in its time zone (Europe/London, so across the clock changes).

Bank holidays come from the GOV.UK data bundled with ``govuk-bank-holidays``; we construct it with
``use_cached_holidays=True`` so it never tries the network. The data ends a few years ahead
(``known_until``); upgrading the package pin brings the next years.

The working-day rule (the FOI Act's, which councils use for every promise):

* The **day of receipt** is the local date of the start instant if that is a working day and the
  start is before close of business; otherwise the next working day.
* **N working days** later is due at close of business (``day_end``, local) on the Nth working day
  after the day of receipt. Working time is counted from the opening of the first of those days.
* **N working hours** are added inside working windows (``day_start``-``day_end`` on working days)
  from the start instant.
* **N calendar days** are N days of local wall-clock time (10:00 stays 10:00 across a clock change).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from govuk_bank_holidays.bank_holidays import BankHolidays

from ..errors import UserError
from ..types import Nation

DEFAULT_ZONE = "Europe/London"
DEFAULT_DAY_START, DEFAULT_DAY_END = time(8, 30), time(17, 0)
MONDAY_TO_FRIDAY = frozenset(range(5))
_MAX_SEARCH_DAYS = 3700  # ten years: a guard against a calendar with no working days at all


@lru_cache(maxsize=None)
def bank_holidays(nation: Nation) -> frozenset[date]:
    """The bundled bank holidays of one nation (read once per process; never downloaded)."""
    data = BankHolidays(use_cached_holidays=True)
    return frozenset(h["date"] for h in data.get_holidays(division=nation.value))


def holidays_known_until(nation: Nation) -> date:
    return max(bank_holidays(nation))


@dataclass(frozen=True)
class WorkingCalendar:
    """Pure working-time arithmetic; every instant in and out is timezone-aware (results in UTC)."""

    nation: Nation = Nation.ENGLAND_AND_WALES
    zone: ZoneInfo = ZoneInfo(DEFAULT_ZONE)
    day_start: time = DEFAULT_DAY_START
    day_end: time = DEFAULT_DAY_END
    weekdays: frozenset[int] = MONDAY_TO_FRIDAY
    closures: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if not self.weekdays:
            raise UserError("A working calendar needs at least one working day a week")
        if self.day_start >= self.day_end:
            raise UserError("The working day must start before it ends")

    @classmethod
    def of(cls, nation: Nation | str = Nation.ENGLAND_AND_WALES, closures: Iterable[date] = (),
           zone: str = DEFAULT_ZONE, day_start: time = DEFAULT_DAY_START, day_end: time = DEFAULT_DAY_END,
           weekdays: Iterable[int] = MONDAY_TO_FRIDAY) -> "WorkingCalendar":
        return cls(parse_nation(nation), ZoneInfo(zone), day_start, day_end, frozenset(weekdays), frozenset(closures))

    @property
    def day_length(self) -> timedelta:
        return datetime.combine(date.min, self.day_end) - datetime.combine(date.min, self.day_start)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.closures and day not in bank_holidays(self.nation)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for offset in range(1, _MAX_SEARCH_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise UserError("The working calendar has no working day in the next ten years")

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.zone)

    def window(self, day: date) -> tuple[datetime, datetime]:
        """Opening and close of business on ``day`` in local time, as UTC instants (so arithmetic
        on them is exact whatever the offset that day)."""
        return _utc(_at(day, self.day_start, self.zone)), _utc(_at(day, self.day_end, self.zone))

    def receipt_day(self, start: datetime) -> date:
        local = self.local(start)
        if self.is_working_day(local.date()) and local.time() < self.day_end:
            return local.date()
        return self.next_working_day(local.date())

    def add_working_days(self, start: datetime, days: int) -> datetime:
        day = self.receipt_day(start)
        for _ in range(days):
            day = self.next_working_day(day)
        return self.window(day)[1]

    def first_counted_instant(self, start: datetime, days: int) -> datetime:
        """When working time starts to count for an N-working-day promise: the opening of the first
        working day after the day of receipt (the start itself for a same-day promise)."""
        if days == 0:
            return start
        return self.window(self.next_working_day(self.receipt_day(start)))[0]

    def add_working_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant ``seconds`` of working time after ``start`` (``start`` itself for 0)."""
        remaining = timedelta(seconds=seconds)
        if remaining <= timedelta(0):
            return start
        day = self.local(start).date()
        if not self.is_working_day(day):
            day = self.next_working_day(day)
        position = _utc(start)
        while True:
            opens, closes = self.window(day)
            position = max(position, opens)
            available = closes - position
            if available > timedelta(0):
                if remaining <= available:
                    return position + remaining
                remaining -= available
            day = self.next_working_day(day)

    def working_days_later(self, instant: datetime, days: int) -> datetime:
        """The same local time of day, ``days`` working days after ``instant``'s day (``instant`` for 0)."""
        if days <= 0:
            return instant
        local = self.local(instant)
        day = local.date()
        for _ in range(days):
            day = self.next_working_day(day)
        return _utc(_at(day, local.time(), self.zone))

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        return self.add_working_seconds(start, hours * 3600)

    def working_seconds_between(self, earlier: datetime, later: datetime) -> int:
        """Working time inside [earlier, later], in whole seconds (0 if later is not after earlier)."""
        if later <= earlier:
            return 0
        total, day, last = timedelta(0), self.local(earlier).date(), self.local(later).date()
        while day <= last:
            if self.is_working_day(day):
                opens, closes = self.window(day)
                overlap = min(closes, later) - max(opens, earlier)
                total += max(overlap, timedelta(0))
            day += timedelta(days=1)
        return int(total.total_seconds())

    def working_days_after(self, first: date, last: date) -> int:
        """How many working days lie in (first, last]."""
        count, day = 0, first
        while day < last:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def add_calendar_days(self, start: datetime, days: int) -> datetime:
        # Aware arithmetic in one zone is wall-clock arithmetic; converting afterwards applies the
        # offset of the new date, so 10:00 BST + 7 days across the October change is 10:00 GMT.
        return _utc(self.local(start) + timedelta(days=days))


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(timezone.utc)


def parse_nation(value: Nation | str) -> Nation:
    try:
        return Nation(value)
    except ValueError:
        raise UserError(f"'{value}' is not a nation; use one of: {', '.join(n.value for n in Nation)}") from None


def parse_clock_time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise UserError(f"'{text}' is not a time of day; write it as HH:MM, e.g. 08:30") from None
