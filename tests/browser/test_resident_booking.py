"""A resident books a Blue Badge document check online in real Chromium, on a phone and a desktop: the
free times under each day's name, the check page, the confirmation with when, where, what to bring and
the calendar link, in English and in Welsh. Every page passes the page checks and axe at 1280 and 390 px
without sideways scrolling."""
from __future__ import annotations

from typing import Any

import pytest

from engine.appointments import appointment_calendar
from engine.bpmn import registry
from engine.residents import publishing
from tests.conftest import FORMS, PROCESSES

from .server import _Chromium
from .test_directory_journey import checked_at_every_width

MAP = "blue_badge_document_check"
ADMIN = "admin@example.gov.uk"


@pytest.fixture
def resident(server) -> Any:
    ctx = server.ctx
    registry.deploy(ctx, registry.read_paths([PROCESSES / f"{MAP}.bpmn", *FORMS.glob("blue-badge-document-check-*")]))
    appointment_calendar.set_type(ctx, "blue-badge-check", "Blue Badge document check", 10, "admin", "Photo ID")
    appointment_calendar.set_location(ctx, "hub", "Town Hall Hub", "admin", "Market Square")
    appointment_calendar.set_desk(ctx, "hub", "Desk 1", "mon-sun 00:00-23:50", "admin")  # as the arrivals test
    publishing.publish(ctx, MAP, channels=["web"], title="Book a Blue Badge document check", actor=ADMIN)
    context = _Chromium.get().new_context(viewport={"width": 1280, "height": 900})  # nobody signed in
    try:
        yield context.new_page()
    finally:
        context.close()
        publishing.unpublish(ctx, MAP, "web", ADMIN)


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_resident_picks_a_time_and_gets_the_appointment_details(server, resident, language):
    page = resident
    page.goto(f"{server.url}/report/{MAP}/form?lang={language}")
    assert page.locator(".cf-slots .govuk-radios__divider").count() >= 1  # the times under their day
    checked_at_every_width(page, f"resident-booking-form-{language}")
    page.locator("input[name=appointment]").first.check()
    page.fill("#contact_name", "Pat Smith")
    page.fill("#contact_address", "1 High Street, Anytown")
    page.fill("#contact_postcode", "AN1 2BC")
    page.locator("form button.govuk-button").first.click()
    page.wait_for_load_state()
    checked_at_every_width(page, f"resident-booking-check-{language}")
    page.locator("form button.govuk-button").last.click()
    page.wait_for_load_state()
    checked_at_every_width(page, f"resident-booking-sent-{language}")
    text = page.inner_text("main")
    assert ("Your appointment" if language == "en" else "Eich apwyntiad") in text
    assert "Town Hall Hub, Market Square" in text and "Photo ID" in text
    link = page.locator("a[href$='.ics']")
    assert page.request.get(server.url + link.get_attribute("href")).status == 200
