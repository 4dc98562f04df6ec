"""What can be booked, where and when: appointment types (with their length), locations, and desks
with weekly working patterns; and the free slots they give.

Slots are laid out in local wall-clock time (the council's zone, Europe/London) inside each desk's
windows for the weekday, then turned into UTC instants, so a 10:00 slot is 10:00 on both sides of a
clock change. The council's working calendar closes days for every desk: a bank holiday of its nation
and a closure day have no slots at all; which weekdays a desk opens is its own pattern's business (a
library hub may open on Saturdays though the council's working week is Monday to Friday).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..context import Context
from ..deadlines import calendar_settings
from ..deadlines.calendar import WorkingCalendar, bank_holidays, parse_clock_time
from ..errors import NotFound, UserError
from ..persistence.tables import Appointment, AppointmentDesk, AppointmentLocation, AppointmentType, Event
from ..types import EventKind

MAX_DAYS_AHEAD = 92  # how far ahead free slots are looked for


@dataclass(frozen=True)
class Slot:
    desk_id: int
    desk: str
    location: str
    starts_at: datetime
    ends_at: datetime

    @property
    def id(self) -> str:
        """What a form or a command names the slot by: ``<desk id>@<UTC start>``."""
        return f"{self.desk_id}@{self.starts_at.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%MZ')}"

    def to_dict(self) -> dict[str, Any]:
        return {"slot": self.id, "desk": self.desk, "location": self.location,
                "starts_at": self.starts_at.isoformat(), "ends_at": self.ends_at.isoformat()}


def when(instant: datetime, zone: Any) -> str:
    """An instant as residents read it, in local time: "Tuesday 9 March 2027 at 10:20"."""
    local = instant.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


def parse_slot(text: str) -> tuple[int, datetime]:
    desk, _, start = str(text).partition("@")
    try:
        return int(desk), datetime.strptime(start, "%Y-%m-%dT%H:%MZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise UserError(f"'{text}' is not a slot; pick one of the free slots offered") from None


def parse_pattern(text: str) -> dict[str, list[list[str]]]:
    """``"mon-fri 09:00-12:30,13:30-16:00; tue,thu 17:00-19:00"`` -> the stored weekly pattern."""
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    pattern: dict[str, list[list[str]]] = {}
    for part in filter(None, (p.strip() for p in text.lower().split(";"))):
        which, _, windows = part.partition(" ")
        span: list[int] = []
        for named in which.split(","):
            first, _, last = named.partition("-")
            if first not in days or (last and last not in days):
                raise UserError(f"'{named}' is not a day or a range of days like mon-fri")
            span += range(days.index(first), days.index(last or first) + 1)
        for window in filter(None, (w.strip() for w in windows.split(","))):
            opens, _, closes = window.partition("-")
            if parse_clock_time(opens.strip()) >= parse_clock_time(closes.strip()):
                raise UserError(f"The window {window} must open before it closes")
            for day in span:
                pattern.setdefault(str(day), []).append([opens.strip(), closes.strip()])
    if not pattern:
        raise UserError("A desk's pattern needs at least one day with a window, e.g. mon-fri 09:00-16:00")
    return pattern


def day_slots(calendar: WorkingCalendar, desk: AppointmentDesk, location: str, day: date,
              minutes: int) -> Iterator[Slot]:
    """The slots of ``minutes`` the desk's pattern gives on ``day`` (none on a day the council is closed)."""
    if day in calendar.closures or day in bank_holidays(calendar.nation):
        return  # the desk's own pattern says which weekdays it opens (a library hub on Saturdays)
    length = timedelta(minutes=minutes)
    for opens, closes in desk.pattern.get(str(day.weekday()), []):
        start = datetime.combine(day, parse_clock_time(opens))
        end = datetime.combine(day, parse_clock_time(closes))
        while start + length <= end:  # wall-clock steps; each converted with that moment's offset
            yield Slot(desk.id, desk.name, location, start.replace(tzinfo=calendar.zone).astimezone(timezone.utc),
                       (start + length).replace(tzinfo=calendar.zone).astimezone(timezone.utc))
            start += length


def get_type(session: Session, key: str) -> AppointmentType:
    found = session.scalar(select(AppointmentType).where(AppointmentType.key == key))
    if found is None:
        raise NotFound(f"There is no appointment type '{key}'")
    return found


def get_location(session: Session, key: str) -> AppointmentLocation:
    found = session.scalar(select(AppointmentLocation).where(AppointmentLocation.key == key))
    if found is None:
        raise NotFound(f"There is no appointment location '{key}'")
    return found


def desks_for(session: Session, kind: AppointmentType,
              location: str | None = None) -> list[tuple[AppointmentDesk, str]]:
    query = select(AppointmentDesk, AppointmentLocation).join(AppointmentLocation).order_by(AppointmentDesk.id)
    if location:
        query = query.where(AppointmentLocation.key == location)
    return [(d, loc.name) for d, loc in session.execute(query) if not d.types or kind.key in d.types]


def busy(session: Session, desk_id: int, start: datetime, end: datetime, ignore: int | None = None) -> bool:
    """Whether a live appointment on the desk overlaps [start, end)."""
    query = select(Appointment.id).where(Appointment.desk_id == desk_id, Appointment.live.is_(True),
                                         Appointment.starts_at < end, Appointment.ends_at > start)
    if ignore is not None:
        query = query.where(Appointment.id != ignore)
    return session.scalar(query.limit(1)) is not None


def free_slots(session: Session, now: datetime, kind: AppointmentType, location: str | None = None,
               limit: int = 5, after: datetime | None = None, day: date | None = None,
               per_place: bool = False) -> list[Slot]:
    """The next ``limit`` free slots for the type (from ``after`` or now; only on ``day`` if given),
    earliest first across desks. ``per_place``: one slot per place and time (the first free desk's), as a
    person choosing a time is offered them: two desks free at 09:30 are one choice, not two alike."""
    calendar = calendar_settings.load(session)
    desks = desks_for(session, kind, location)
    if not desks:
        return []
    since = max(now, after or now)
    first = day or calendar.local(since).date()
    last = day or first + timedelta(days=MAX_DAYS_AHEAD)
    found: list[Slot] = []
    current = first
    while current <= last and len(found) < limit:
        candidates = sorted((s for desk, name in desks for s in day_slots(calendar, desk, name, current, kind.minutes)
                             if s.starts_at >= since), key=lambda s: (s.starts_at, s.desk_id))
        if candidates:
            rows = session.execute(select(Appointment.desk_id, Appointment.starts_at, Appointment.ends_at).where(
                Appointment.desk_id.in_([d.id for d, _ in desks]), Appointment.live.is_(True),
                Appointment.starts_at < candidates[-1].ends_at, Appointment.ends_at > candidates[0].starts_at)).all()
            for slot in candidates:
                if per_place and any(f.starts_at == slot.starts_at and f.location == slot.location for f in found):
                    continue
                if not any(d == slot.desk_id and s < slot.ends_at and e > slot.starts_at for d, s, e in rows):
                    found.append(slot)
                    if len(found) == limit:
                        break
        current += timedelta(days=1)
    return found


def capacity(session: Session, kind: AppointmentType, first: date, last: date, location: str | None = None) -> int:
    """How many slots of the type the desks offer from ``first`` to ``last`` (booked or not)."""
    calendar, desks = calendar_settings.load(session), desks_for(session, kind, location)
    total, day = 0, first
    while day <= last:
        total += sum(1 for desk, name in desks for _ in day_slots(calendar, desk, name, day, kind.minutes))
        day += timedelta(days=1)
    return total


def _audit(session: Session, actor: str, now: datetime, **detail: Any) -> None:
    session.add(Event(case_id=None, actor=actor, at=now, kind=EventKind.APPOINTMENTS_CHANGED, detail=detail))


# Use cases (each its own transaction) ----------------------------------------------------------------

def set_type(ctx: Context, key: str, name: str, minutes: int, actor: str, what_to_bring: str = "",
             grace_minutes: int = 15, reminder_days_before: int = 1) -> dict[str, Any]:
    if not key.strip() or not name.strip():
        raise UserError("An appointment type needs a key and a name")
    if not 5 <= minutes <= 480:
        raise UserError("An appointment lasts from 5 to 480 minutes")
    if grace_minutes < 0 or reminder_days_before < 0:
        raise UserError("The grace period and the reminder days cannot be negative")
    with ctx.db.transaction() as session:
        row = session.scalar(select(AppointmentType).where(AppointmentType.key == key.strip())) or AppointmentType(
            key=key.strip())
        row.name, row.minutes, row.what_to_bring = name.strip(), minutes, what_to_bring.strip()
        row.grace_minutes, row.reminder_days_before = grace_minutes, reminder_days_before
        session.add(row)
        _audit(session, actor, ctx.clock.now(), type=key, minutes=minutes)
        return type_dict(row)


def type_dict(row: AppointmentType) -> dict[str, Any]:
    return {"key": row.key, "name": row.name, "minutes": row.minutes, "what_to_bring": row.what_to_bring,
            "grace_minutes": row.grace_minutes, "reminder_days_before": row.reminder_days_before}


def list_types(ctx: Context) -> list[dict[str, Any]]:
    with ctx.db.transaction(readonly=True) as session:
        return [type_dict(t) for t in session.scalars(select(AppointmentType).order_by(AppointmentType.name))]


def set_location(ctx: Context, key: str, name: str, actor: str, address: str = "") -> dict[str, Any]:
    if not key.strip() or not name.strip():
        raise UserError("A location needs a key and a name")
    with ctx.db.transaction() as session:
        row = session.scalar(select(AppointmentLocation).where(AppointmentLocation.key == key.strip())) or \
            AppointmentLocation(key=key.strip())
        row.name, row.address = name.strip(), address.strip()
        session.add(row)
        _audit(session, actor, ctx.clock.now(), location=key)
        return {"key": row.key, "name": row.name, "address": row.address, "desks": []}


def set_desk(ctx: Context, location: str, name: str, pattern: str, actor: str,
             types: list[str] | None = None) -> dict[str, Any]:
    """Add or change a desk at ``location`` with its weekly ``pattern`` (see ``parse_pattern``)."""
    weekly = parse_pattern(pattern)
    with ctx.db.transaction() as session:
        place = get_location(session, location)
        for key in types or []:
            get_type(session, key)
        row = session.scalar(select(AppointmentDesk).where(AppointmentDesk.location_id == place.id,
                                                           AppointmentDesk.name == name.strip()))
        row = row or AppointmentDesk(location_id=place.id, name=name.strip())
        row.pattern, row.types = weekly, list(types or [])
        session.add(row)
        _audit(session, actor, ctx.clock.now(), location=location, desk=name, pattern=weekly)
        return {"name": row.name, "pattern": weekly, "types": row.types}


def list_locations(ctx: Context) -> list[dict[str, Any]]:
    with ctx.db.transaction(readonly=True) as session:
        places = list(session.scalars(select(AppointmentLocation).order_by(AppointmentLocation.name)))
        desks = list(session.scalars(select(AppointmentDesk).order_by(AppointmentDesk.name)))
        return [{"key": p.key, "name": p.name, "address": p.address,
                 "desks": [{"name": d.name, "pattern": d.pattern, "types": d.types}
                           for d in desks if d.location_id == p.id]} for p in places]


def availability(ctx: Context, type_key: str, location: str | None = None, day: date | None = None,
                 limit: int = 10, per_place: bool = False) -> list[Slot]:
    """The next free slots for the type (at ``location``; on ``day`` only if given; ``per_place``: one per
    place and time, for a person choosing when to come)."""
    with ctx.db.transaction(readonly=True) as session:
        return free_slots(session, ctx.clock.now(), get_type(session, type_key), location, limit, day=day,
                          per_place=per_place)


def slots_between(ctx: Context, type_key: str, first: date, last: date, location: str | None = None,
                  limit: int = 50) -> list[Slot]:
    """The first ``limit`` free slots for the type on local days ``first`` to ``last`` (both included)."""
    if last < first:
        raise UserError("'to' must not be before 'from'")
    with ctx.db.transaction(readonly=True) as session:
        calendar = calendar_settings.load(session)
        start = datetime.combine(first, datetime.min.time(), tzinfo=calendar.zone).astimezone(timezone.utc)
        found = free_slots(session, ctx.clock.now(), get_type(session, type_key), location, limit, after=start)
        return [s for s in found if calendar.local(s.starts_at).date() <= last]


def load_calendar(ctx: Context, spec: dict[str, Any], actor: str) -> dict[str, int]:
    """Set the types, locations and desks a calendar file describes (``examples/demo_appointments.json``):
    ``{"types": [{"key", "name", "minutes", ...}], "locations": [{"key", "name", "address",
    "desks": [{"name", "pattern", "types"}]}]}``. Loading it again changes nothing."""
    if not isinstance(spec, dict):
        raise UserError("An appointments calendar is a JSON object with 'types' and 'locations'")
    types, places, desks = spec.get("types", []), spec.get("locations", []), 0
    for kind in types:
        set_type(ctx, kind["key"], kind["name"], int(kind["minutes"]), actor, kind.get("what_to_bring", ""),
                 int(kind.get("grace_minutes", 15)), int(kind.get("reminder_days_before", 1)))
    for place in places:
        set_location(ctx, place["key"], place["name"], actor, place.get("address", ""))
        for desk in place.get("desks", []):
            set_desk(ctx, place["key"], desk["name"], desk["pattern"], actor, desk.get("types", []))
            desks += 1
    return {"types": len(types), "locations": len(places), "desks": desks}
