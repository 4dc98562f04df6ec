"""Appointment figures for a date range (local days, inclusive), for ``councilflow appointments stats``
and the appointments page: demand by type and location, booked against available slots, waiting time
(check-in to call) and length (call to finish) as average, median (p50) and 90th percentile, and the no-show rate.

Definitions: *booked* counts appointments booked ahead in the range whatever became of them except
cancellation; *walk_ins* those added at the desk; *available* the slots the desks' patterns offered
(bank holidays and closure days have none); *no_show_rate* = no-shows / (no-shows + booked residents
who came; walk-ins cannot miss), None with neither.
"""
from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select

from ..context import Context
from ..deadlines import calendar_settings
from ..errors import UserError
from ..persistence.tables import Appointment, AppointmentLocation, AppointmentType
from ..types import AppointmentStatus
from . import appointment_calendar as slots

CAME = (AppointmentStatus.ARRIVED, AppointmentStatus.IN_PROGRESS, AppointmentStatus.FINISHED)


def _minutes(pairs: list[tuple[datetime | None, datetime | None]]) -> dict[str, Any]:
    values = sorted((b - a).total_seconds() / 60 for a, b in pairs if a is not None and b is not None)
    if not values:
        return {"count": 0, "average": None, "p50": None, "p90": None}

    def rank(share: float) -> float:  # nearest rank
        return round(values[max(0, math.ceil(share * len(values)) - 1)], 1)
    return {"count": len(values), "average": round(sum(values) / len(values), 1), "p50": rank(0.5), "p90": rank(0.9)}


def _rate(no_shows: int, came: int) -> float | None:
    return round(no_shows / (no_shows + came), 3) if no_shows + came else None


def stats(ctx: Context, first: date, last: date) -> dict[str, Any]:
    if last < first:
        raise UserError("--to must not be before --from")
    if (last - first).days > 366:
        raise UserError("Ask for at most a year of appointment figures at a time")
    with ctx.db.transaction(readonly=True) as session:
        zone = calendar_settings.load(session).zone
        start = datetime.combine(first, datetime.min.time(), tzinfo=zone).astimezone(timezone.utc)
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone).astimezone(timezone.utc)
        rows = list(session.scalars(select(Appointment).where(Appointment.starts_at >= start,
                                                              Appointment.starts_at < end)))
        types = {t.id: t for t in session.scalars(select(AppointmentType).order_by(AppointmentType.key))}
        places = {p.id: p for p in session.scalars(select(AppointmentLocation).order_by(AppointmentLocation.key))}
        live = [r for r in rows if r.status != AppointmentStatus.CANCELLED]
        status = Counter(r.status for r in live if not r.walk_in)
        came, no_shows = sum(status[s] for s in CAME), status[AppointmentStatus.NO_SHOW]

        def group(of: list[Appointment]) -> dict[str, Any]:
            counts = Counter(r.status for r in of if not r.walk_in)
            return {"booked": sum(1 for r in of if not r.walk_in), "walk_ins": sum(1 for r in of if r.walk_in),
                    "no_shows": counts[AppointmentStatus.NO_SHOW],
                    "no_show_rate": _rate(counts[AppointmentStatus.NO_SHOW], sum(counts[s] for s in CAME)),
                    "length_minutes": _minutes([(r.called_at, r.finished_at) for r in of])}

        by_type = [{"type": t.key, "name": t.name, "minutes": t.minutes,
                    "available": slots.capacity(session, t, first, last),
                    **group([r for r in live if r.type_id == t.id])} for t in types.values()]
        by_location = [{"location": p.key, "name": p.name, **group([r for r in live if r.location_id == p.id])}
                       for p in places.values()]
        booked = sum(1 for r in live if not r.walk_in)
        available = sum(t["available"] for t in by_type)
        return {"from": first.isoformat(), "to": last.isoformat(), "booked": booked,
                "walk_ins": sum(1 for r in live if r.walk_in), "available": available,
                "booked_share": round(booked / available, 3) if available else None,
                "cancelled": len(rows) - len(live), "attended": came, "no_shows": no_shows,
                "no_show_rate": _rate(no_shows, came),
                "waiting_minutes": _minutes([(r.arrived_at, r.called_at) for r in live]),
                "length_minutes": _minutes([(r.called_at, r.finished_at) for r in live]),
                "by_type": by_type, "by_location": by_location}
