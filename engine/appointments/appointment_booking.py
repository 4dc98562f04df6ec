"""Booking, rebooking and cancelling a case's appointment.

Decision (docs/appointments.md): booking is a **user task** whose form has a field with
``"format": "appointment"`` and ``"appointment_type": "<key>"``. The task page offers the next free
slots as radios; completing the task books the slot picked in the same transaction as the task
(``book_answers``, called by ``engine.casework.cases.complete_task``), so the map never sees a task done
without its appointment. The case's timeline records the booking, every rebooking and the cancellation.

No slot is booked twice: the booking locks the desk row (``FOR UPDATE``; SQLite's write lock does the
same), checks for an overlapping live appointment, and the table's unique (desk, start, live) refuses
whatever slips past. The loser of a race gets ``SlotTaken`` naming the next free slot.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..casework import messages, writer
from ..casework.writer import CaseWriter
from ..context import Context
from ..deadlines import calendar_settings
from ..errors import Conflict, NotFound, UserError
from ..persistence.tables import Appointment, AppointmentDesk, AppointmentLocation, AppointmentType, Case
from ..types import APPOINTMENT_CANCELLED, AppointmentStatus, EventKind
from . import appointment_calendar as slots
from . import appointment_reminders

FORMAT = "appointment"  # a form field's JSON Schema "format" that books a slot


class SlotTaken(Conflict):
    """Someone booked the slot a moment ago; ``next_slot`` is the next free one (None: no more)."""

    def __init__(self, message: str, next_slot: slots.Slot | None) -> None:
        super().__init__(message)
        self.next_slot = next_slot

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "next_slot": self.next_slot.to_dict() if self.next_slot else None}


@dataclass(frozen=True)
class AppointmentView:
    reference: str
    type: str
    type_name: str
    location: str
    location_name: str
    desk: str | None
    starts_at: datetime
    ends_at: datetime
    status: str
    case: str | None
    name: str
    walk_in: bool
    what_to_bring: str
    arrived_at: datetime | None
    called_at: datetime | None
    finished_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()}


def view(session: Session, row: Appointment) -> AppointmentView:
    kind = session.get_one(AppointmentType, row.type_id)
    place = session.get_one(AppointmentLocation, row.location_id)
    desk = session.get(AppointmentDesk, row.desk_id) if row.desk_id is not None else None
    case = session.get(Case, row.case_id) if row.case_id is not None else None
    return AppointmentView(row.reference or "", kind.key, kind.name, place.key, place.name, desk.name if desk else None,
                           row.starts_at, row.ends_at, row.status, case.reference if case else None, row.name,
                           row.walk_in, kind.what_to_bring, row.arrived_at, row.called_at, row.finished_at)


def _checked_slot(session: Session, now: datetime, kind: AppointmentType,
                  slot_id: str) -> tuple[AppointmentDesk, datetime]:
    """The desk (locked: bookings of one desk queue here) and start of a slot the desk really offers."""
    desk_id, start = slots.parse_slot(slot_id)
    desk = session.scalar(select(AppointmentDesk).where(AppointmentDesk.id == desk_id).with_for_update()
                          .execution_options(populate_existing=True))
    if desk is None or (desk.types and kind.key not in desk.types):
        raise UserError(f"'{slot_id}' is not a slot for {kind.name}")
    calendar = calendar_settings.load(session)
    day = calendar.local(start).date()
    if start < now or not any(s.starts_at == start for s in slots.day_slots(calendar, desk, "", day, kind.minutes)):
        raise UserError(f"'{slot_id}' is not a free slot for {kind.name}; pick one of the slots offered")
    return desk, start


def _taken(session: Session, now: datetime, kind: AppointmentType, start: datetime) -> SlotTaken:
    following = slots.free_slots(session, now, kind, limit=1, after=start)
    zone = calendar_settings.load(session).zone
    said = f"; the next free slot is {slots.when(following[0].starts_at, zone)}" if following else ""
    return SlotTaken(f"That slot has just been booked by someone else{said}", following[0] if following else None)


def _hold(session: Session, row: Appointment, kind: AppointmentType, desk: AppointmentDesk, start: datetime,
          now: datetime) -> None:
    """Put the appointment in the slot, or SlotTaken (nothing changed)."""
    end = start + timedelta(minutes=kind.minutes)
    if slots.busy(session, desk.id, start, end, ignore=row.id):
        raise _taken(session, now, kind, start)
    row.desk_id, row.location_id, row.starts_at, row.ends_at = desk.id, desk.location_id, start, end
    session.add(row)
    try:
        with session.begin_nested():  # the unique slot constraint: a backstop for what the lock did not see
            session.flush()
    except IntegrityError:
        raise _taken(session, now, kind, start) from None


def book(w: CaseWriter, type_key: str, slot_id: str) -> Appointment:
    """Book the case's resident (the case's customer details) into ``slot_id`` (``Slot.id``)."""
    session, data = w.session, w.case.data or {}
    kind = slots.get_type(session, type_key)
    desk, start = _checked_slot(session, w.now, kind, slot_id)
    row = Appointment(type_id=kind.id, case_id=w.case.id, status=AppointmentStatus.BOOKED, live=True, walk_in=False,
                      name=str(data.get("customer_name") or ""), email=data.get("customer_email") or None,
                      phone=data.get("customer_phone") or None, booked_by=w.actor, booked_at=w.now,
                      token=secrets.token_urlsafe(16))
    _hold(session, row, kind, desk, start, w.now)
    row.reference = f"AP-{row.id:06d}"
    place = session.get_one(AppointmentLocation, desk.location_id)
    w.record(EventKind.APPOINTMENT_BOOKED, appointment=row.reference, type=kind.key, location=place.key,
             starts_at=start.isoformat())
    appointment_reminders.queue(w.ctx, session, row, kind, place, w.case, w.now)
    return row


def book_answers(w: CaseWriter, schema: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, Any]:
    """Book the slot picked in each appointment field of a task's form; the answer becomes the
    appointment (reference, start, place) so the map can quote it."""
    booked = dict(data)
    for name, prop in ((schema or {}).get("properties") or {}).items():
        if isinstance(prop, dict) and prop.get("format") == FORMAT and data.get(name):
            row = book(w, str(prop.get("appointment_type", "")), str(data[name]))
            booked[name] = view(w.session, row).to_dict()
    return booked


def appointment_type_of(prop: dict[str, Any]) -> str | None:
    """The appointment type a form field books, or None for any other field."""
    return str(prop.get("appointment_type")) if prop.get("format") == FORMAT else None


@contextmanager
def open_appointment(ctx: Context, reference: str, actor: str | None, person: bool = True
                     ) -> Iterator[tuple[CaseWriter | None, Session, Appointment]]:
    """The appointment, locked after its case (through the case writer; None for a walk-in)."""
    with ctx.db.transaction(readonly=True) as session:
        case_id = session.scalar(select(Appointment.case_id).where(Appointment.reference == reference))
        if case_id is None and session.scalar(select(Appointment.id).where(Appointment.reference == reference)) is None:
            raise NotFound(f"There is no appointment {reference}")
    if case_id is None:
        with ctx.db.transaction() as session:
            yield None, session, _locked(session, reference)
        return
    with writer.open_case(ctx, case_id=case_id, actor=actor, person=person) as w:
        yield w, w.session, _locked(w.session, reference)


def _locked(session: Session, reference: str) -> Appointment:
    return session.scalars(select(Appointment).where(Appointment.reference == reference).with_for_update()
                           .execution_options(populate_existing=True)).one()


def _require_booked(row: Appointment) -> None:
    if row.status != AppointmentStatus.BOOKED:
        raise Conflict(f"Appointment {row.reference} is {row.status.replace('_', ' ')}, so it cannot be changed")


def book_for_case(ctx: Context, case_reference: str, type_key: str, slot_id: str, actor: str | None) -> AppointmentView:
    """Book outside a task (the case page, the API): the same booking, audited on the case."""
    with writer.open_case(ctx, reference=case_reference, actor=actor) as w:
        return view(w.session, book(w, type_key, slot_id))


def rebook(ctx: Context, reference: str, slot_id: str, actor: str | None) -> AppointmentView:
    """Move a booked appointment to another free slot of its type (reminders follow it)."""
    with open_appointment(ctx, reference, actor) as (w, session, row):
        _require_booked(row)
        assert w is not None  # walk-ins are never booked ahead
        kind = session.get_one(AppointmentType, row.type_id)
        before = row.starts_at
        desk, start = _checked_slot(session, w.now, kind, slot_id)
        _hold(session, row, kind, desk, start, w.now)
        place = session.get_one(AppointmentLocation, desk.location_id)
        w.record(EventKind.APPOINTMENT_REBOOKED, appointment=reference, was=before.isoformat(),
                 starts_at=start.isoformat(), location=place.key)
        appointment_reminders.drop_pending(session, row)
        appointment_reminders.queue(w.ctx, session, row, kind, place, w.case, w.now)
        return view(session, row)


def cancel(ctx: Context, reference: str, actor: str | None, reason: str = "") -> AppointmentView:
    """Free the slot; the case hears ``appointment_cancelled`` (kept, if its map is not waiting)."""
    with open_appointment(ctx, reference, actor) as (w, session, row):
        _require_booked(row)
        assert w is not None  # walk-ins are never booked ahead
        row.status, row.live, row.closed_at = AppointmentStatus.CANCELLED, None, w.now
        w.session.flush()
        appointment_reminders.drop_pending(w.session, row)
        w.record(EventKind.APPOINTMENT_CANCELLED, appointment=reference, reason=reason)
        messages.receive(w, APPOINTMENT_CANCELLED, {"appointment": reference, "reason": reason})
        return view(w.session, row)


def release_for_cancelled_case(w: CaseWriter, reason: str) -> None:
    """The case is being cancelled: its booked appointments are cancelled with it (their slots freed,
    reminders not sent), each on the case's timeline. No message: the case waits for nothing now."""
    for row in w.session.scalars(select(Appointment).where(Appointment.case_id == w.case.id,
                                                           Appointment.status == AppointmentStatus.BOOKED)):
        row.status, row.live, row.closed_at = AppointmentStatus.CANCELLED, None, w.now
        appointment_reminders.drop_pending(w.session, row)
        w.record(EventKind.APPOINTMENT_CANCELLED, appointment=row.reference, reason=reason or "the case was cancelled")


def case_appointments(ctx: Context, case_reference: str) -> list[AppointmentView]:
    with ctx.db.transaction(readonly=True) as session:
        rows = session.scalars(select(Appointment).join(Case, Case.id == Appointment.case_id)
                               .where(Case.reference == case_reference).order_by(Appointment.starts_at))
        return [view(session, r) for r in rows]


def get_appointment(ctx: Context, reference: str) -> AppointmentView:
    with ctx.db.transaction(readonly=True) as session:
        row = session.scalar(select(Appointment).where(Appointment.reference == reference))
        if row is None:
            raise NotFound(f"There is no appointment {reference}")
        return view(session, row)


def with_calendar_tokens(ctx: Context, case_reference: str) -> list[tuple[AppointmentView, str, str]]:
    """The case's booked appointments with their place's address and the token of their calendar file
    (``appointment_reminders.calendar_file``): for the resident's own confirmation page only."""
    with ctx.db.transaction(readonly=True) as session:
        rows = session.execute(select(Appointment, AppointmentLocation.address)
                               .join(Case, Case.id == Appointment.case_id)
                               .join(AppointmentLocation, AppointmentLocation.id == Appointment.location_id)
                               .where(Case.reference == case_reference, Appointment.status == AppointmentStatus.BOOKED)
                               .order_by(Appointment.starts_at))
        return [(view(session, row), address, row.token) for row, address in rows]
