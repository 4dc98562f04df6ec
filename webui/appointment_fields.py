"""Appointment fields on task pages: a form field with ``"format": "appointment"`` offers the next
free slots of its appointment type as radios; completing the task books the one picked
(engine.appointments.appointment_booking). The slots are looked up each time the page is drawn, so after "that slot
has just been booked" the page offers what is free now."""
from __future__ import annotations

from engine import appointments, deadlines

from .current import context
from .forms import Form
from .forms.model import Option, flatten

OFFERED = 8  # slots offered on a task page


def offer_slots(form: Form) -> Form:
    """Fill each appointment field's options with the next free slots, in local time."""
    for f in flatten(form.fields):
        if f.booking:
            zone = deadlines.working_calendar(context()).zone
            slots = appointments.availability(context(), f.booking, limit=OFFERED, per_place=True)
            f.options = [Option(s.id, appointments.when(s.starts_at, zone), s.id,
                                f"{s.location}, {s.desk}") for s in slots]
    return form
