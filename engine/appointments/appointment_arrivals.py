"""The day at a hub: today's appointments, checking residents in, calling them, finishing, walk-ins,
and the worker's no-show sweep.

Arrival, call and finish times are stamped on the appointment, so waiting time (arrival to call) and
length (call to finish) are measured (engine.appointments.appointment_stats). The case hears
``appointment_attended`` when its resident checks in, and ``appointment_no_show`` when the worker
finds nobody checked in within the type's grace period; the status change and the message are written
in one transaction with the case locked, so each is sent exactly once.
"""
from __future__ import annotations

import logging
import secrets
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from ..casework import messages, writer
from ..context import Context
from ..deadlines import calendar_settings
from ..errors import Conflict
from ..persistence.tables import Appointment, AppointmentLocation, AppointmentType
from ..types import APPOINTMENT_ATTENDED, APPOINTMENT_NO_SHOW, AppointmentStatus, EventKind
from . import appointment_calendar as slots
from .appointment_booking import AppointmentView, open_appointment, view

logger = logging.getLogger(__name__)
WORKER_ACTOR = "worker"
_NEXT = {  # what each button does: the status it needs, the status it leaves, the time it stamps, the event
    "check_in": (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, "arrived_at", EventKind.APPOINTMENT_ARRIVED),
    "call": (AppointmentStatus.ARRIVED, AppointmentStatus.IN_PROGRESS, "called_at", EventKind.APPOINTMENT_CALLED),
    "finish": (AppointmentStatus.IN_PROGRESS, AppointmentStatus.FINISHED, "finished_at",
               EventKind.APPOINTMENT_FINISHED),
}
ACTIONS = tuple(_NEXT)


def today(ctx: Context, location: str | None = None, day: date | None = None) -> list[AppointmentView]:
    """The day's appointments (today's, local time) by start, walk-ins among them; cancelled ones left out."""
    with ctx.db.transaction(readonly=True) as session:
        calendar = calendar_settings.load(session)
        local_day = day or calendar.local(ctx.clock.now()).date()
        start = datetime.combine(local_day, datetime.min.time(), tzinfo=calendar.zone).astimezone(timezone.utc)
        end = datetime.combine(local_day + timedelta(days=1), datetime.min.time(),
                               tzinfo=calendar.zone).astimezone(timezone.utc)
        query = select(Appointment).where(Appointment.starts_at >= start, Appointment.starts_at < end,
                                          Appointment.status != AppointmentStatus.CANCELLED)
        if location:
            query = query.where(Appointment.location_id == slots.get_location(session, location).id)
        return [view(session, r) for r in session.scalars(query.order_by(Appointment.starts_at, Appointment.id))]


def act(ctx: Context, reference: str, action: str, actor: str | None) -> AppointmentView:
    """``check_in``, ``call`` or ``finish`` an appointment, stamping the time; check-in tells the case."""
    if action not in _NEXT:
        raise Conflict(f"'{action}' is not something to do with an appointment; use one of {', '.join(ACTIONS)}")
    needs, becomes, stamp, event = _NEXT[action]
    with open_appointment(ctx, reference, actor) as (w, session, row):
        if row.status != needs:
            doing = "checked in" if action == "check_in" else f"{action}ed"
            raise Conflict(f"Appointment {reference} is {row.status.replace('_', ' ')}, so it cannot be {doing}")
        now = ctx.clock.now()
        row.status = becomes
        setattr(row, stamp, now)
        if w is not None:
            w.record(event, appointment=reference)
            if action == "check_in":
                messages.receive(w, APPOINTMENT_ATTENDED, {"appointment": reference, "arrived_at": now.isoformat()})
        return view(session, row)


def walk_in(ctx: Context, type_key: str, location: str, name: str, actor: str | None) -> AppointmentView:
    """Add someone who walked in to today's queue, checked in now (no slot is held)."""
    with ctx.db.transaction() as session:
        kind, place, now = slots.get_type(session, type_key), slots.get_location(session, location), ctx.clock.now()
        row = Appointment(type_id=kind.id, location_id=place.id, desk_id=None, case_id=None, starts_at=now,
                          ends_at=now + timedelta(minutes=kind.minutes), live=True, status=AppointmentStatus.ARRIVED,
                          walk_in=True, name=name.strip() or "Walk-in", booked_by=actor or "system", booked_at=now,
                          arrived_at=now, token=secrets.token_urlsafe(16))
        session.add(row)
        session.flush()
        row.reference = f"AP-{row.id:06d}"
        return view(session, row)


def _mark_no_show(ctx: Context, appointment_id: int) -> int:
    with ctx.db.transaction(readonly=True) as session:
        case_id = session.scalar(select(Appointment.case_id).where(Appointment.id == appointment_id))
    if case_id is None:  # booked without a case: marked, nobody to tell
        with ctx.db.transaction() as session:
            row = session.get_one(Appointment, appointment_id, with_for_update=True)
            if row.status != AppointmentStatus.BOOKED:
                return 0
            row.status, row.closed_at = AppointmentStatus.NO_SHOW, ctx.clock.now()
            return 1
    with writer.try_open_case(ctx, case_id, WORKER_ACTOR) as w:
        if w is None:
            return 0  # someone holds the case: the next sweep takes it
        row = w.session.get_one(Appointment, appointment_id, with_for_update=True, populate_existing=True)
        if row.status != AppointmentStatus.BOOKED:  # checked in or cancelled since we looked
            return 0
        row.status, row.closed_at = AppointmentStatus.NO_SHOW, w.now
        w.record(EventKind.APPOINTMENT_NO_SHOW, appointment=row.reference)
        messages.receive(w, APPOINTMENT_NO_SHOW, {"appointment": row.reference, "starts_at": row.starts_at.isoformat()})
        logger.info("appointment %s is a no-show", row.reference, extra={"appointment": row.reference})
        return 1


def mark_no_shows(ctx: Context, limit: int = 200) -> int:
    """Mark booked appointments whose grace period has passed with nobody checked in; how many."""
    now = ctx.clock.now()
    due = (select(Appointment.id).join(AppointmentType, AppointmentType.id == Appointment.type_id)
           .where(Appointment.status == AppointmentStatus.BOOKED, Appointment.starts_at < now)
           .order_by(Appointment.starts_at))
    with ctx.db.transaction(readonly=True) as session:
        rows = session.execute(due.add_columns(Appointment.starts_at, AppointmentType.grace_minutes).limit(limit)).all()
    late = [r[0] for r in rows if r[1] + timedelta(minutes=r[2]) < now]
    return sum(_mark_no_show(ctx, appointment_id) for appointment_id in late)


def locations(ctx: Context) -> list[tuple[str, str]]:
    with ctx.db.transaction(readonly=True) as session:
        places = session.scalars(select(AppointmentLocation).order_by(AppointmentLocation.name))
        return [(p.key, p.name) for p in places]
