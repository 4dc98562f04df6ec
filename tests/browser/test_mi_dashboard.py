"""A team lead opens the management-information dashboard in Chromium: every chart, table and
download link passes axe-core's WCAG 2.2 A/AA rules, as does the page with a wrong date; the live hub board
too, and it updates in place; and the bottleneck view draws each task's waits on the process diagram."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from engine.casework import cases, contacts
from tests.engine.test_mi_bottlenecks import RECORD
from engine.types import Role

from .journey import check, shoot
from .server import add_staff, chromium

LEAD = "mi-lead@example.gov.uk"


@pytest.fixture(scope="module")
def lead_browser(server):
    add_staff(server.ctx, LEAD, "Lee Lead", [Role.TEAM_LEAD, Role.FRONT_OFFICE], ("Customer Hub",))
    with chromium(server, LEAD) as context:
        yield context


def test_the_dashboard_is_accessible_with_figures_and_with_a_wrong_date(server, lead_browser):
    for channel in ("phone", "phone", "web"):
        view = cases.start_case(server.ctx, "missed_bin_collection", {"postcode": "AN1 2BC"}, channel=channel,
                                actor=LEAD)
    contacts.log_contact(server.ctx, view.reference, "phone", "chasing", "Any news?", LEAD)
    page = lead_browser.new_page()
    try:
        page.goto(f"{server.url}/")
        page.click("a[href='/mi']")
        check(page)
        # Every chart the dashboard always draws (the appointments chart joins them when the server has any).
        drawn = {label.split()[0].removesuffix("-title") for label in page.locator("svg[role=img]").evaluate_all(
            "svgs => svgs.map(s => s.getAttribute('aria-labelledby'))")}
        assert "Demand by weekday and hour" in page.content() and drawn >= {
            "chart-heat", "chart-daily", "chart-fcr", "chart-handoffs", "chart-bounces", "chart-sla", "chart-backlog"}
        page.click("summary:has-text('Show the figures as a table') >> nth=0")
        check(page)
        shoot(page, "mi-dashboard.png")
        page.fill("#from", "not a date")
        page.click("button:has-text('Show figures')")
        check(page)
        assert "There is a problem" in page.content()
    finally:
        page.close()


def test_the_live_hub_board_is_accessible_and_updates_in_place(server, lead_browser):
    page = lead_browser.new_page()
    try:
        page.goto(f"{server.url}/mi/live")
        check(page)
        before = int(page.locator("#live-contacts").inner_text())
        page.evaluate("window.notReloaded = true")
        cases.start_case(server.ctx, "missed_bin_collection", {"postcode": "AN1 2BC"}, channel="phone", actor=LEAD)
        page.click("#live-refresh")
        expect(page.locator("#live-contacts")).to_have_text(str(before + 1))
        assert page.evaluate("window.notReloaded === true")  # swapped in place, not a new page
        expect(page.locator("#live-status")).to_contain_text("Updated.")
        check(page)
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            shoot(page, f"mi-live-{width}.png")
    finally:
        page.close()


def test_the_bottleneck_view_draws_the_waits_on_the_diagram(server, lead_browser):
    started = cases.start_case(server.ctx, "missed_bin_collection", {"postcode": "AN1 2BC"}, channel="phone",
                               actor=LEAD)
    cases.complete_task(server.ctx, started.tasks[0].id, RECORD, actor=LEAD)  # a re-collection waits now
    page = lead_browser.new_page()
    try:
        page.goto(f"{server.url}/mi")
        page.click("a[href='/mi/bottlenecks']")
        page.click("a[href='/mi/bottlenecks/missed_bin_collection']")
        expect(page.locator(".cf-diagram--ready")).to_be_visible()
        cards = page.locator(".djs-overlay-cf-wait .cf-diagram__wait")
        expect(cards.first).to_be_visible()
        assert cards.count() == 2  # the record and the re-collection; the other tasks saw no work
        slowest = page.locator(".cf-diagram__wait--slowest")
        expect(slowest).to_have_count(1)
        expect(slowest.locator(".cf-diagram__slowest")).to_have_text("Slowest")  # in words, not colour alone
        slowest_id = page.locator(".djs-overlays:has(.cf-diagram__wait--slowest)").get_attribute("data-container-id")
        expect(page.locator(f"[data-element-id={slowest_id}].cf-slowest")).to_have_count(1)  # outlined too
        expect(page.locator(".djs-overlays[data-container-id=arrange_recollection] .cf-diagram__wait")).to_contain_text(
            "waiting")
        check(page)
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            shoot(page, f"mi-bottlenecks-{width}.png")
    finally:
        page.close()
