"""The council's calendar as admins configure it: nation, working hours and week, and closure days.

``load`` turns the stored settings into a ``WorkingCalendar``; with no row stored yet the defaults
apply (England and Wales, Monday to Friday 08:30-17:00, Europe/London). Every change is recorded
in the history (``calendar_changed`` events without a case).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..errors import NotFound, UserError
from ..governance import audit
from ..persistence.tables import ClosureDay, Event, WorkCalendar
from ..types import AuditKind, EventKind, Nation
from .calendar import (DEFAULT_DAY_END, DEFAULT_DAY_START, DEFAULT_ZONE, MONDAY_TO_FRIDAY, WorkingCalendar,
                       parse_clock_time, parse_nation)

if TYPE_CHECKING:
    from ..context import Context

DEFAULT = "default"


@dataclass(frozen=True)
class CalendarSettings:
    nation: Nation
    time_zone: str
    day_start: time
    day_end: time
    weekdays: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"nation": self.nation.value, "time_zone": self.time_zone,
                "day_start": self.day_start.strftime("%H:%M"), "day_end": self.day_end.strftime("%H:%M"),
                "weekdays": list(self.weekdays)}


def settings(session: Session) -> CalendarSettings:
    row = session.get(WorkCalendar, DEFAULT)
    if row is None:
        return CalendarSettings(Nation.ENGLAND_AND_WALES, DEFAULT_ZONE, DEFAULT_DAY_START, DEFAULT_DAY_END,
                                tuple(sorted(MONDAY_TO_FRIDAY)))
    return CalendarSettings(Nation(row.nation), row.time_zone, parse_clock_time(row.day_start),
                            parse_clock_time(row.day_end), tuple(row.weekdays))


def load(session: Session, nation: Nation | str | None = None) -> WorkingCalendar:
    """The working calendar to compute with (``nation`` overrides the configured one)."""
    current = settings(session)
    chosen = parse_nation(nation) if nation else current.nation
    closures = session.scalars(select(ClosureDay.day).where(
        or_(ClosureDay.nation.is_(None), ClosureDay.nation == chosen.value)))
    return WorkingCalendar.of(chosen, closures, current.time_zone, current.day_start, current.day_end,
                              current.weekdays)


def _audit(session: Session, actor: str, now: datetime, **detail: Any) -> None:
    session.add(Event(case_id=None, actor=actor, at=now, kind=EventKind.CALENDAR_CHANGED, detail=detail))
    audit.record(session, AuditKind.CALENDAR_CHANGED, actor, now, DEFAULT, **detail)


def configure(session: Session, actor: str, now: datetime, nation: Nation | str | None = None,
              day_start: str | None = None, day_end: str | None = None,
              weekdays: list[int] | None = None) -> CalendarSettings:
    """Change the council's nation, hours or working week; unspecified parts stay as they are.
    Running clocks keep their due dates (recalculate them to apply the change)."""
    current = settings(session)
    updated = CalendarSettings(
        parse_nation(nation) if nation else current.nation, current.time_zone,
        parse_clock_time(day_start) if day_start else current.day_start,
        parse_clock_time(day_end) if day_end else current.day_end,
        tuple(sorted(set(weekdays))) if weekdays is not None else current.weekdays)
    if any(d not in range(7) for d in updated.weekdays):
        raise UserError("Working weekdays are numbers from 0 (Monday) to 6 (Sunday)")
    WorkingCalendar.of(updated.nation, (), updated.time_zone, updated.day_start, updated.day_end,
                       updated.weekdays)  # validates
    row = session.get(WorkCalendar, DEFAULT) or WorkCalendar(name=DEFAULT)
    values = updated.to_dict()
    row.nation, row.time_zone, row.day_start, row.day_end, row.weekdays = (
        values["nation"], values["time_zone"], values["day_start"], values["day_end"], values["weekdays"])
    row.updated_by, row.updated_at = actor, now
    session.add(row)
    _audit(session, actor, now, calendar=values)
    return updated


@dataclass(frozen=True)
class Closure:
    day: date
    nation: str | None
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "nation": self.nation, "label": self.label}


def _closure_row(session: Session, day: date, nation: str | None) -> ClosureDay | None:
    condition = ClosureDay.nation.is_(None) if nation is None else ClosureDay.nation == nation
    return session.scalar(select(ClosureDay).where(ClosureDay.day == day, condition))


def add_closure(session: Session, day: date, label: str, actor: str, now: datetime,
                nation: Nation | str | None = None) -> Closure:
    """Close the council on ``day`` (for every nation unless one is given); re-adding relabels it."""
    nation_value = parse_nation(nation).value if nation else None
    row = _closure_row(session, day, nation_value)
    if row is None:
        row = ClosureDay(day=day, nation=nation_value, created_by=actor, created_at=now)
        session.add(row)
    row.label = label or "Council closed"
    _audit(session, actor, now, closure_added=day.isoformat(), nation=nation_value, label=row.label)
    return Closure(day, nation_value, row.label)


def remove_closure(session: Session, day: date, actor: str, now: datetime,
                   nation: Nation | str | None = None) -> None:
    nation_value = parse_nation(nation).value if nation else None
    row = _closure_row(session, day, nation_value)
    if row is None:
        raise NotFound(f"There is no closure day on {day.isoformat()}")
    session.delete(row)
    _audit(session, actor, now, closure_removed=day.isoformat(), nation=nation_value)


def list_closures(session: Session) -> list[Closure]:
    rows = session.scalars(select(ClosureDay).order_by(ClosureDay.day))
    return [Closure(r.day, r.nation, r.label) for r in rows]


def current(ctx: "Context") -> CalendarSettings:
    with ctx.db.transaction(readonly=True) as session:
        return settings(session)


def working_calendar(ctx: "Context", nation: Nation | str | None = None) -> WorkingCalendar:
    """``load`` in its own transaction."""
    with ctx.db.transaction(readonly=True) as session:
        return load(session, nation)


def closure_days(ctx: "Context") -> list[Closure]:
    with ctx.db.transaction(readonly=True) as session:
        return list_closures(session)


def change(ctx: "Context", actor: str, nation: Nation | str | None = None, day_start: str | None = None,
           day_end: str | None = None, weekdays: list[int] | None = None) -> CalendarSettings:
    """``configure`` in its own transaction."""
    with ctx.db.transaction() as session:
        return configure(session, actor, ctx.clock.now(), nation, day_start, day_end, weekdays)


def close(ctx: "Context", days: list[date], label: str, actor: str, nation: Nation | str | None = None) -> list[Closure]:
    """Close the council on each of ``days``, all or none."""
    with ctx.db.transaction() as session:
        return [add_closure(session, day, label, actor, ctx.clock.now(), nation) for day in days]


def reopen(ctx: "Context", day: date, actor: str, nation: Nation | str | None = None) -> None:
    with ctx.db.transaction() as session:
        remove_closure(session, day, actor, ctx.clock.now(), nation)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"'{text}' is not a date; write it as YYYY-MM-DD") from None
