"""Appointments: what can be booked where and when, booking from a case, the day at a hub, reminders and the figures.

This ``__init__`` is the wing's face: the names the web app, the API, the CLI, adapters and other
wings use, loaded from their modules when first asked for (``engine/faces.py``). Anything else in
the wing is its own business."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..faces import face

if TYPE_CHECKING:
    from .appointment_arrivals import act, locations, today, walk_in
    from .appointment_booking import (
        SlotTaken, book_for_case, cancel, case_appointments, get_appointment, rebook, with_calendar_tokens,
    )
    from .appointment_calendar import (
        MAX_DAYS_AHEAD, availability, list_locations, list_types, load_calendar, set_desk, set_location, set_type,
        slots_between, when,
    )
    from .appointment_reminders import calendar_file
    from .appointment_stats import stats

__all__ = [
    "act", "availability", "book_for_case", "calendar_file", "cancel", "case_appointments", "get_appointment",
    "list_locations", "list_types", "load_calendar", "locations", "MAX_DAYS_AHEAD", "rebook", "set_desk",
    "set_location", "set_type", "slots_between", "SlotTaken", "stats", "today", "walk_in", "when",
    "with_calendar_tokens",
]

if not TYPE_CHECKING:  # mypy reads the imports above; at run time a name is read when first asked for
    __getattr__ = face(__name__, {
        "act": "appointment_arrivals", "availability": "appointment_calendar", "book_for_case": "appointment_booking",
        "calendar_file": "appointment_reminders", "cancel": "appointment_booking",
        "case_appointments": "appointment_booking", "get_appointment": "appointment_booking",
        "list_locations": "appointment_calendar", "list_types": "appointment_calendar",
        "load_calendar": "appointment_calendar", "locations": "appointment_arrivals",
        "MAX_DAYS_AHEAD": "appointment_calendar", "rebook": "appointment_booking", "set_desk": "appointment_calendar",
        "set_location": "appointment_calendar", "set_type": "appointment_calendar",
        "slots_between": "appointment_calendar", "SlotTaken": "appointment_booking", "stats": "appointment_stats",
        "today": "appointment_arrivals", "walk_in": "appointment_arrivals", "when": "appointment_calendar",
        "with_calendar_tokens": "appointment_booking",
    })
