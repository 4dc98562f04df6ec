"""SpiffArena's form widgets in real Chromium: a back-office officer records a home repairs grant whose
form has a typeahead (suppliers from the service's typeahead store), a date range, a numeric range,
a formatted amount and a single checkbox; a wrong range is shown in a GOV.UK error summary, the
answers are checked and stored as SpiffArena stores them. Every page is well-formed and axe-clean."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from engine.bpmn import registry
from engine.casework import cases

from .journey import check, shoot
from .server import CHROMIUM, EMAIL, PASSWORD, Server, _Chromium, chromium, running_server

MAP = Path(__file__).resolve().parents[1] / "spiff_widgets"


@pytest.fixture
def council(tmp_path, sqlite_template, server) -> Iterator[Server]:
    with running_server(tmp_path, sqlite_template) as running:
        registry.deploy(running.ctx, registry.read_paths([MAP]))
        yield running


def _fill_dates(page, prefix: str, day: str, month: str, year: str) -> None:
    for part, value in (("day", day), ("month", month), ("year", year)):
        page.fill(f"#{prefix}-{part}", value)


def test_officer_records_a_grant_with_spiffarenas_widgets(council):
    view = cases.start_case(council.ctx, "repairs_grant", {})
    [task] = [t for t in view.tasks if t.status == "open"]
    with chromium(council) as context:
        page = context.new_page()
        page.goto(f"{council.url}/tasks/{task.id}")
        check(page)
        assert page.locator("#supplier-suggestions option").count() == 3  # made with the page: the first few
        page.fill("#supplier", "acme")  # /static/typeahead.js asks for those starting "acme"
        expect(page.locator("#supplier-suggestions option")).to_have_count(2)
        assert page.locator("#supplier-suggestions option").first.get_attribute("value") == "Acme Plumbing (Anytown)"
        page.fill("#supplier", "Acme Plumbing (Anytown)")
        _fill_dates(page, "works_period-start", "1", "3", "2026")
        _fill_dates(page, "works_period-end", "31", "3", "2026")
        page.fill("#budget-min", "9,000")
        page.fill("#budget-max", "4,500.50")
        page.fill("#amount", "£1,234.50")
        page.check("#inspected")
        shoot(page, "spiff-widgets-form.png")
        page.click("button:has-text('Continue')")
        page.wait_for_load_state()
        check(page)
        summary = page.locator(".govuk-error-summary")
        assert "The lowest quoted cost must be the same as or less than the highest" in summary.inner_text()
        assert page.locator("#supplier").input_value() == "Acme Plumbing (Anytown)"
        shoot(page, "spiff-widgets-errors.png")
        page.fill("#budget-min", "1,200")
        page.click("button:has-text('Continue')")
        page.wait_for_url(re.compile(r"/tasks/\d+$"))
        check(page)
        text = page.content()
        assert "Check your answers" in text and "1 March 2026 to 31 March 2026" in text and "£1,234.50" in text
        shoot(page, "spiff-widgets-check.png")
        page.click("button:has-text('Confirm and continue')")
        page.wait_for_load_state()
    data = cases.show_case(council.ctx, view.reference).data
    assert {k: data[k] for k in ("supplier", "works_period", "budget", "amount", "inspected")} == {
        "supplier": '{"name":"Acme Plumbing","town":"Anytown","id":7}', "works_period": "2026-03-01:::2026-03-31",
        "budget": {"min": 1200, "max": 4500.5}, "amount": 1234.5, "inspected": True}


def test_the_typeahead_works_with_javascript_switched_off(council):
    """The suggestions made with the page are a native list; what is typed is checked by the server."""
    if not CHROMIUM.exists():
        pytest.skip("no Chromium")
    view = cases.start_case(council.ctx, "repairs_grant", {})
    [task] = [t for t in view.tasks if t.status == "open"]
    context = _Chromium.get().new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{council.url}/sign-in")
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Sign in')")
        page.wait_for_url(f"{council.url}/")
        page.goto(f"{council.url}/tasks/{task.id}")
        page.fill("#supplier", "Brook")  # not an item: refused, with the items starting "Brook" offered
        _fill_dates(page, "works_period-start", "1", "3", "2026")
        _fill_dates(page, "works_period-end", "1", "3", "2026")
        page.fill("#budget-min", "100")
        page.fill("#budget-max", "200")
        page.fill("#amount", "150")
        page.click("button:has-text('Continue')")
        page.wait_for_load_state()
        assert "Select supplier from the list" in page.locator(".govuk-error-summary").inner_text()
        assert page.locator("#supplier-suggestions option").first.get_attribute("value") == "Brook Electrical (Anytown)"
        page.fill("#supplier", "brook electrical")  # the search term, as listed, in any case
        page.click("button:has-text('Continue')")
        page.wait_for_url(re.compile(r"/tasks/\d+$"))
        assert "Check your answers" in page.content() and "Brook Electrical (Anytown)" in page.content()
    finally:
        context.close()
