"""A resident in real Chromium, not signed in, on a phone-sized screen and a desktop: reports a missed
bin from the online services list, sees their mistakes, checks their answers, gets a reference,
tracks it, and sees it closed once Waste Services has been back. Every page passes the page checks
and axe at 1280 and 390 px without sideways scrolling; no page shows internal notes or officer names."""
from __future__ import annotations

import re
from typing import Any

import pytest

from engine.casework import cases, notes
from engine.people import users
from engine.residents import publishing
from engine.types import Role
from tests.engine.helpers import complete

from .server import PASSWORD, _Chromium
from .test_directory_journey import checked_at_every_width

OFFICER = "wendy.waste@example.gov.uk"
GENUINE_MISS = {"bin_type": "refuse", "scheduled_collection_date": "2026-12-01", "bin_out_by_7am": "yes",
                "bin_location": "kerbside", "crew_report": "none"}


def fill_in_a_missed_bin(page: Any, name: str, address: str) -> None:
    """The missed-bin form's answers and the resident's details (whatever the page's language)."""
    page.check("input[name=bin_type][value=refuse]")
    page.fill("#scheduled_collection_date-day", "1")
    page.fill("#scheduled_collection_date-month", "12")
    page.fill("#scheduled_collection_date-year", "2026")
    page.check("input[name=bin_out_by_7am][value=yes]")
    page.check("input[name=bin_location][value=kerbside]")
    page.fill("#contact_name", name)
    page.fill("#contact_address", address)
    page.fill("#contact_postcode", "AN1 2BC")


@pytest.fixture
def resident(server) -> Any:
    publishing.publish(server.ctx, "missed_bin_collection", channels=["web"], title="Report a missed bin collection",
                       description="Tell us about a bin we did not empty.", lgsl=524, actor="admin@example.gov.uk")
    context = _Chromium.get().new_context(viewport={"width": 1280, "height": 900})  # nobody signed in
    try:
        yield context.new_page()
    finally:
        context.close()
        publishing.unpublish(server.ctx, "missed_bin_collection", "web", "admin@example.gov.uk")


def test_a_resident_reports_a_missed_bin_tracks_it_and_sees_it_closed(server, resident):
    page = resident
    page.goto(f"{server.url}/report")
    checked_at_every_width(page, "resident-services")
    page.click("main a:has-text('Report a missed bin collection')")
    checked_at_every_width(page, "resident-start")
    page.click("text=Start now")
    page.wait_for_url(re.compile(r".*/report/missed_bin_collection/form$"))
    checked_at_every_width(page, "resident-form")
    page.click("button:has-text('Continue')")  # nothing filled in
    page.wait_for_load_state()
    assert "There is a problem" in page.locator("main").inner_text()
    checked_at_every_width(page, "resident-form-errors")
    fill_in_a_missed_bin(page, "Robin Resident", "2 Mill Lane, Anytown")
    page.click("button:has-text('Continue')")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Check your answers before sending"
    checked_at_every_width(page, "resident-check")
    page.click("button:has-text('Accept and send')")
    page.wait_for_url(re.compile(r".*/report/missed_bin_collection/sent/.*"))
    checked_at_every_width(page, "resident-sent")
    reference = re.search(r"CF-\d{6}", page.locator(".govuk-panel").inner_text()).group(0)

    # Staff see it arrive on channel web; the Hub finds a genuine miss, Waste Services goes back for it.
    assert cases.show_case(server.ctx, reference).case.channel == "web"
    with server.ctx.db.transaction() as session:
        users.add_user(session, OFFICER, "Wendy Waste", [Role.FRONT_OFFICE, Role.BACK_OFFICE], server.ctx.clock.now(),
                       ["Customer Hub", "Waste Services"], PASSWORD)
    notes.add_note(server.ctx, reference, "Internal: crew supervisor to be spoken to", OFFICER)
    view = complete(server.ctx, cases.show_case(server.ctx, reference).case, "record_missed_collection",
                    GENUINE_MISS, OFFICER)

    page.click("main a:has-text('Track your case')")
    page.wait_for_url(f"{server.url}/track")
    checked_at_every_width(page, "resident-track")
    page.fill("#reference", reference)
    page.fill("#secret", "AN9 9ZZ")  # not the postcode they gave
    page.click("button:has-text('Find my case')")
    page.wait_for_load_state()
    assert "We could not find a case with those details" in page.locator("main").inner_text()
    checked_at_every_width(page, "resident-track-not-found")
    page.fill("#secret", "an1 2bc")
    page.click("button:has-text('Find my case')")
    page.wait_for_load_state()
    assert "With Waste Services: a crew will come back for your bin" in page.locator("main").inner_text()
    checked_at_every_width(page, "resident-status-open")

    complete(server.ctx, view, "arrange_recollection", {"recollection_result": "collected",
                                                        "recollection_date": "2026-12-03"}, OFFICER)
    page.goto(f"{server.url}/track")
    page.fill("#reference", reference)
    page.fill("#secret", "AN1 2BC")
    page.click("button:has-text('Find my case')")
    page.wait_for_load_state()
    text = page.locator("body").inner_text()
    assert "Closed: your bin has been collected" in text
    checked_at_every_width(page, "resident-status-closed")
    for internal in ("Wendy", "wendy.waste", "Internal: crew supervisor", "Customer Hub", "Robin Resident",
                     "Arrange re-collection"):
        assert internal not in page.content(), internal


def test_a_resident_reports_and_tracks_in_welsh(server, resident):
    """The same journey in Welsh, chosen with the toggle: every page in Welsh (lang="cy"), passing the
    page checks and axe at 1280 and 390 px."""
    page = resident
    publishing.publish(server.ctx, "missed_bin_collection", channels=["web"], actor="admin@example.gov.uk",
                       translations={"cy": {"title": "Rhoi gwybod am fin a fethwyd",
                                            "description": "Dywedwch wrthym am fin na wnaethom ei wagio."}})
    page.goto(f"{server.url}/report")
    page.click("a[hreflang=cy]:has-text('Cymraeg')")
    page.wait_for_url(re.compile(r".*/report\?lang=cy$"))
    assert page.locator("html").get_attribute("lang") == "cy"
    checked_at_every_width(page, "resident-services-cy")
    page.click("main a:has-text('Rhoi gwybod am fin a fethwyd')")
    page.click("text=Dechrau nawr")
    page.wait_for_url(re.compile(r".*/report/missed_bin_collection/form$"))
    page.click("button:has-text('Parhau')")  # nothing filled in
    page.wait_for_load_state()
    assert "Mae problem wedi codi" in page.locator("main").inner_text()
    checked_at_every_width(page, "resident-form-errors-cy")
    fill_in_a_missed_bin(page, "Siân Jones", "1 Stryd Fawr, Anytown")
    page.click("button:has-text('Parhau')")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Gwiriwch eich atebion cyn anfon"
    checked_at_every_width(page, "resident-check-cy")
    page.click("button:has-text('Derbyn ac anfon')")
    page.wait_for_url(re.compile(r".*/report/missed_bin_collection/sent/.*"))
    reference = re.search(r"CF-\d{6}", page.locator(".govuk-panel").inner_text()).group(0)
    checked_at_every_width(page, "resident-sent-cy")
    page.click("main a:has-text('Dilyn eich achos')")
    page.fill("#reference", reference)
    page.fill("#secret", "AN1 2BC")
    page.click("button:has-text('Dod o hyd i fy achos')")
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Rydym yn gwirio eich adroddiad" in main and "Wedi dod i law" in main
    assert page.locator("html").get_attribute("lang") == "cy"
    checked_at_every_width(page, "resident-status-cy")

    # Waste Services goes back for the bin; the resident sees it closed, in Welsh.
    officer = "gwen.gwastraff@example.gov.uk"
    with server.ctx.db.transaction() as session:
        users.add_user(session, officer, "Gwen Gwastraff", [Role.FRONT_OFFICE, Role.BACK_OFFICE],
                       server.ctx.clock.now(), ["Customer Hub", "Waste Services"], PASSWORD)
    view = complete(server.ctx, cases.show_case(server.ctx, reference).case, "record_missed_collection",
                    GENUINE_MISS, officer)
    complete(server.ctx, view, "arrange_recollection", {"recollection_result": "collected",
                                                        "recollection_date": "2026-12-03"}, officer)
    page.goto(f"{server.url}/track")
    page.fill("#reference", reference)
    page.fill("#secret", "an1 2bc")
    page.click("button:has-text('Dod o hyd i fy achos')")
    page.wait_for_load_state()
    assert "Wedi cau: mae eich bin wedi cael ei gasglu" in page.locator("main").inner_text()
    checked_at_every_width(page, "resident-status-closed-cy")
    assert "Gwen" not in page.content() and "Waste Services" not in page.content()
