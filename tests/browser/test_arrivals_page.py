"""The hub's arrivals page on a tablet and a phone, in real Chromium: today's appointments, check in,
call, finish and a walk-in, every state passing axe-core's WCAG 2.2 A/AA rules and fitting the width."""
from __future__ import annotations

import pytest

from engine.appointments import appointment_booking, appointment_calendar
from engine.bpmn import registry
from engine.casework import cases
from engine.types import Role
from tests.conftest import FORMS, PROCESSES

from .journey import check, shoot
from .server import add_staff, chromium

MAP = "blue_badge_document_check"
WIDTHS = (768, 390)  # a tablet on the greeter's stand, portrait; a phone


@pytest.fixture(scope="module")
def hub(server):
    ctx = server.ctx
    registry.deploy(ctx, registry.read_paths([PROCESSES / f"{MAP}.bpmn", *FORMS.glob("blue-badge-document-check-*")]))
    appointment_calendar.set_type(ctx, "blue-badge-check", "Blue Badge document check", 10, "admin", "Photo ID")
    appointment_calendar.set_location(ctx, "hub", "Town Hall Hub", "admin", "Market Square")
    appointment_calendar.set_desk(ctx, "hub", "Desk 1", "mon-sun 00:00-23:50", "admin")
    return server


def _fits(page, width: int, name: str) -> None:
    check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} is wider than {width} px"
    shoot(page, f"arrivals-{name}-{width}.png")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_greeter_checks_a_resident_in_and_the_officer_calls_and_finishes_on_a_tablet(hub, page, width):
    case = cases.start_case(hub.ctx, MAP, {"customer_name": f"Pat Smith {width}"}, channel="face-to-face")
    [slot] = appointment_calendar.availability(hub.ctx, "blue-badge-check", limit=1)
    appointment_booking.book_for_case(hub.ctx, case.reference, "blue-badge-check", slot.id, None)
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(f"{hub.url}/arrivals")
    _fits(page, width, "today")
    row = page.locator("tr", has_text=f"Pat Smith {width}")
    if row.count():  # the next free slot is today unless the day is nearly over or a bank holiday
        for button, state in (("Check in", "Waiting"), ("Call", "With an officer"), ("Finish", "Finished")):
            row.get_by_role("button", name=f"{button} Pat Smith {width}").click()
            page.wait_for_load_state()
            row = page.locator("tr", has_text=f"Pat Smith {width}")
            assert state in row.inner_text()
            _fits(page, width, button.lower().replace(" ", "-"))
    page.fill("#name", f"Sam Jones {width}")
    page.click("button:has-text('Add to the queue')")
    page.wait_for_load_state()
    assert "Walk-in" in page.locator("tr", has_text=f"Sam Jones {width}").inner_text()
    _fits(page, width, "walk-in")


def test_the_figures_and_the_admin_appointments_pages_are_accessible(hub, page):
    page.goto(f"{hub.url}/appointments/figures")
    check(page)
    assert "Demand by appointment type" in page.content()
    shoot(page, "appointments-figures.png")
    case = cases.start_case(hub.ctx, MAP, {"customer_name": "Jo Booked"}, channel="phone")
    [slot, later] = appointment_calendar.availability(hub.ctx, "blue-badge-check", limit=2)
    booked = appointment_booking.book_for_case(hub.ctx, case.reference, "blue-badge-check", slot.id, None)
    page.goto(f"{hub.url}/appointments/{booked.reference}")
    check(page)
    page.check(f"input[name=slot][value='{later.id}']")
    page.click("button:has-text('Move appointment')")
    page.wait_for_load_state()
    check(page)
    shoot(page, "appointment-moved.png")
    page.goto(f"{hub.url}/cases/{case.reference}")
    check(page)
    assert booked.reference in page.locator("#appointments + ul").inner_text()
    admin = add_staff(hub.ctx, "appointments-admin@example.gov.uk", "Ada Admin", [Role.ADMIN])
    with chromium(hub, admin) as context:
        admin_page = context.new_page()
        admin_page.goto(f"{hub.url}/admin/appointments")
        check(admin_page)
        admin_page.click("button:has-text('Save desk')")
        admin_page.wait_for_load_state()
        assert admin_page.locator(".govuk-error-summary").count() == 1
        check(admin_page)
        shoot(admin_page, "admin-appointments-error.png")
