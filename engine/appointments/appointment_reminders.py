"""Reminders of appointments: a GOV.UK Notify email (or text, when there is only a phone number) when
the appointment is booked and, when the type asks for one, another at 10:00 the day(s) before, with
the reference, the place, what to bring and a link to an ``.ics`` calendar file (``calendar_file``,
built with ``icalendar``).

Each reminder is an outbox call of kind ``appointment_reminder`` written in the booking's transaction,
due when it should go; its idempotency key names the appointment, the reminder and the slot
(``AP-000001:day_before:2027-03-09T10:20Z``), and the Notify adapter looks the key up before sending,
so each is sent once. Rebooking or cancelling drops the reminders not yet sent.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any

from icalendar import Calendar, Event as CalendarEvent
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..context import Context
from ..deadlines import calendar_settings
from ..errors import NotFound
from ..outbox import calls
from ..outbox.update_calls import MessageCalls
from ..persistence.tables import Appointment, AppointmentLocation, AppointmentType, Case, OutboxCall
from ..types import CallKind, CallStatus, EventKind
from .appointment_calendar import when

NOTIFY = "notify"  # the adapter the reminders go through
BOOKED, DAY_BEFORE = "appointment_booked", "appointment_reminder"  # Notify template names
REMINDER_TIME = time(10, 0)  # local time of the day-before reminder


def queue(ctx: Context, session: Session, row: Appointment, kind: AppointmentType, place: AppointmentLocation,
          case: Case, now: datetime) -> int:
    """Queue the booking confirmation now and the day-before reminder (if still ahead); how many."""
    if row.email:
        operation, recipient, suffix = f"{NOTIFY}/send_email", {"email_address": row.email}, ""
    elif row.phone:
        operation, recipient, suffix = f"{NOTIFY}/send_sms", {"phone_number": row.phone}, "_sms"
    else:
        return 0
    if ctx.operations is not None and operation not in ctx.operations:
        return 0  # no Notify configured: the booking is confirmed on screen only
    calendar = calendar_settings.load(session)
    slot = row.starts_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
    link = f"{ctx.settings.public_url.rstrip('/')}/appointments/{row.reference}/{row.token}.ics"
    # Each value is also a parameter of its own: the council's Notify templates map placeholders to
    # parameters (adapters/notify.py), as for a service task's call.
    personalisation = {"name": row.name or "there", "appointment": row.reference, "reference": case.reference,
                       "case_reference": case.reference, "when": when(row.starts_at, calendar.zone),
                       "place": f"{place.name}, {place.address}".strip(", "),
                       "what_to_bring": kind.what_to_bring or "-", "calendar_link": link}
    due = [(BOOKED, now)]
    if kind.reminder_days_before:
        day = calendar.local(row.starts_at).date() - timedelta(days=kind.reminder_days_before)
        at = datetime.combine(day, REMINDER_TIME, tzinfo=calendar.zone).astimezone(timezone.utc)
        if at > now:
            due.append((DAY_BEFORE, at))
    for template, at in due:
        session.add(calls.new_call(case, CallKind.APPOINTMENT_REMINDER, operation,
                                   {**recipient, **personalisation, "template": template + suffix,
                                    "personalisation": personalisation},
                                   f"{row.reference}:{template}:{slot}", at, spiff_id="", bpmn_id=template))
    return len(due)


def drop_pending(session: Session, row: Appointment) -> None:
    """Forget the reminders of this appointment not yet sent (it moved, or was cancelled)."""
    session.execute(delete(OutboxCall).where(OutboxCall.kind == CallKind.APPOINTMENT_REMINDER,
                                             OutboxCall.status == CallStatus.PENDING,
                                             OutboxCall.idempotency_key.like(f"{row.reference}:%")))


class AppointmentReminders(MessageCalls):
    """The outbox handler: a sent reminder is noted on the case's timeline; a failed one follows the
    adapter's retry policy and then becomes an incident."""

    def event(self, row: OutboxCall, result: dict[str, Any]) -> tuple[EventKind, dict[str, Any]]:
        return EventKind.APPOINTMENT_REMINDED, {"reminder": row.bpmn_id, "key": row.idempotency_key,
                                                "notification_id": result.get("notification_id")}


HANDLER = AppointmentReminders()


def calendar_file(ctx: Context, reference: str, token: str) -> bytes:
    """The appointment as an iCalendar (.ics) file; NotFound unless ``token`` is the appointment's."""
    with ctx.db.transaction(readonly=True) as session:
        row = session.scalar(select(Appointment).where(Appointment.reference == reference))
        if row is None or not token or row.token != token:
            raise NotFound(f"There is no appointment {reference}")
        kind = session.get_one(AppointmentType, row.type_id)
        place = session.get_one(AppointmentLocation, row.location_id)
        cal = Calendar()
        cal.add("prodid", "-//councilflow//appointments//EN")
        cal.add("version", "2.0")
        event = CalendarEvent()
        event.add("uid", f"{row.reference}-{row.token[:8]}@councilflow")
        event.add("dtstamp", row.booked_at)
        event.add("dtstart", row.starts_at)
        event.add("dtend", row.ends_at)
        event.add("summary", f"{kind.name} ({row.reference})")
        event.add("location", f"{place.name}, {place.address}".strip(", "))
        event.add("description", f"Please bring: {kind.what_to_bring}" if kind.what_to_bring else kind.name)
        if row.status == "cancelled":
            event.add("status", "CANCELLED")
        cal.add_component(event)
        return bytes(cal.to_ical())
