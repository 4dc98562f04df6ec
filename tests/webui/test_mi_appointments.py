"""Appointment figures on the management-information dashboard and in ``councilflow mi --json``: for
the range asked, slots offered against booked, no-shows and their rate, waiting and length as median
and 90th percentile, by type and location; every earlier key of the JSON is still there."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.appointments import appointment_arrivals, appointment_booking, appointment_calendar
from engine.bpmn import registry
from engine.casework import cases
from engine.clock import FixedClock
from engine.types import Role
from tests.conftest import FORMS, PROCESSES

MAP = "blue_badge_document_check"
TUESDAY = datetime(2027, 3, 30, 7, 0, tzinfo=timezone.utc)  # 08:00 BST
RANGE = "from=2027-03-29&to=2027-04-02"  # the week: Good Friday 2 April has no slots


@pytest.fixture
def day_at_the_hub(ctx):
    """Three 10-minute slots a weekday; on Tuesday one resident comes (waits 4 min, seen for 9), one misses."""
    ctx.clock = clock = FixedClock(TUESDAY)
    registry.deploy(ctx, registry.read_paths([PROCESSES / f"{MAP}.bpmn", *FORMS.glob("blue-badge-document-check-*")]))
    appointment_calendar.set_type(ctx, "blue-badge-check", "Blue Badge document check", 10, "admin", "Photo ID")
    appointment_calendar.set_location(ctx, "hub", "Town Hall Hub", "admin")
    appointment_calendar.set_desk(ctx, "hub", "Desk 1", "mon-fri 09:00-09:30", "admin")
    slots = appointment_calendar.availability(ctx, "blue-badge-check", limit=2)
    came, missed = (appointment_booking.book_for_case(
        ctx, cases.start_case(ctx, MAP, {"customer_name": name}, channel="phone").reference, "blue-badge-check",
        slot.id, None) for name, slot in zip(("Pat Smith", "Sam Jones"), slots))
    for minutes, action in ((-2, "check_in"), (2, "call"), (11, "finish")):
        clock.set(came.starts_at + timedelta(minutes=minutes))
        appointment_arrivals.act(ctx, came.reference, action, None)
    clock.set(missed.starts_at + timedelta(minutes=30))
    appointment_arrivals.mark_no_shows(ctx)
    return ctx


def test_the_dashboard_shows_the_weeks_appointments(day_at_the_hub, signed_in):
    page = signed_in(Role.TEAM_LEAD).get(f"/mi?{RANGE}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    section = html[html.index('id="chart-appointments-heading"'):]
    # Monday to Thursday, three slots a day (Good Friday has none).
    assert "2 appointments booked of 12 slots offered; no-show rate 50.0%." in section
    assert "4.0 min median, 4.0 min at the 90th percentile (1 measured)" in section
    assert "9.0 min median" in section and "1 (50.0%)" in section
    assert 'role="img" aria-labelledby="chart-appointments-title chart-appointments-desc"' in section
    assert "<caption class=\"govuk-table__caption govuk-table__caption--s\">Appointments by type and location" in section
    assert "At Town Hall Hub" in section


def test_councilflow_mi_json_has_the_appointments_beside_every_earlier_key(day_at_the_hub, cli):
    result = cli("mi", "--from", "2027-03-29", "--to", "2027-04-02", "--json")
    assert result.exit_code == 0, result.stdout
    found = result.json()
    assert {"contacts", "by_channel", "cases_started", "fcr_rate", "handoffs", "bounce_backs",
            "avoidable_contact_rate", "sla", "backlog", "by_service", "daily", "heat_map", "oldest_open"} <= set(found)
    a = found["appointments"]
    assert (a["booked"], a["available"], a["no_shows"], a["no_show_rate"]) == (2, 12, 1, 0.5)
    assert a["waiting_minutes"] == {"count": 1, "average": 4.0, "p50": 4.0, "p90": 4.0}
    assert a["length_minutes"]["p50"] == 9.0 and a["by_type"][0]["type"] == "blue-badge-check"
