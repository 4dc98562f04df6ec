"""Injectable clocks: business logic asks a clock for the time, so tests can jump it."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")  # a UK council's days


class Clock(Protocol):
    def now(self) -> datetime: ...


def local_today(clock: Clock) -> date:
    """Today in the UK by ``clock``: the day a form's "today" means (SpiffArena's ``minimumDate``)."""
    return clock.now().astimezone(UK).date()


class SystemClock:
    """Wall-clock time in UTC."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that only moves when told to; for tests and replay."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)

    def set(self, instant: datetime) -> None:
        self._now = instant
