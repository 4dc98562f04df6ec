"""Appointment fields on the residents' pages: the next free slots of the field's appointment type as
GOV.UK radios under a heading for each day, in London time, the days and months in the page's language
(Babel's calendar words; the rest through the catalogue). Looked up each time the page is drawn, so a
resident who lost the last slot to someone else is offered what is free now."""
from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import format_date, gettext as _

from engine import appointments, deadlines

from .current import context
from .forms import Form
from .forms.model import Option, flatten

OFFERED = 12  # slots offered to a resident: a few days' worth at a quiet hub


def when(instant: Any, zone: Any) -> tuple[str, str]:
    """``("Tuesday 9 March 2027", "10:20")`` for an instant, in local time and the page's language."""
    local = instant.astimezone(zone)
    return str(format_date(local.date(), "EEEE d MMMM y")), f"{local:%H:%M}"


def offer(form: Form) -> Form:
    """Fill each appointment field's options with the next free slots, grouped by day."""
    for f in flatten(form.fields):
        if f.booking:
            zone = deadlines.working_calendar(context()).zone
            options = []
            for slot in appointments.availability(context(), f.booking, limit=OFFERED, per_place=True):
                day, time = when(slot.starts_at, zone)
                said = _("%(day)s at %(time)s", day=day, time=time)
                options.append(Option(slot.id, f"{said}, {slot.location}", slot.id, slot.location, group=day,
                                      short=time))
            f.options = options
    return form


def booking_fields(form: Form) -> list[str]:
    return [f.name for f in flatten(form.fields) if f.booking]


def booked(reference: str) -> list[dict[str, Any]]:
    """The case's booked appointments as the confirmation page says them: when, where, what to bring and
    the calendar file's address."""
    found = []
    zone = deadlines.working_calendar(context()).zone
    for view, address, token in appointments.with_calendar_tokens(context(), reference):
        day, time = when(view.starts_at, zone)
        found.append({"view": view, "day": day, "time": time,
                      "place": ", ".join(part for part in (view.location_name, address) if part),
                      "calendar": url_for("appointment_calendar.ics", reference=view.reference, token=token)})
    return found
