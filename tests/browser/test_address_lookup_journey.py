"""The address lookup in real Chromium: an advisor records a pothole, types the postcode, presses
"Find address", picks the address from the gazetteer's list, checks the answers, and the case keeps
the address with its UPRN and coordinates. Then the same with JavaScript switched off: the lookup is
a server round trip, so nothing changes. Every page is well-formed and axe-clean."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from engine.bpmn import registry
from engine.casework import cases
from engine.places import gazetteer
from tests.conftest import FORMS, PROCESSES
from tests.engine.test_gazetteer import ROOT

from .journey import check, shoot
from .server import CHROMIUM, EMAIL, PASSWORD, Server, _Chromium, chromium, running_server


@pytest.fixture
def council(tmp_path, sqlite_template, server) -> Iterator[Server]:
    """A server of its own (the pothole map and the demo gazetteer would change other journeys' pages)."""
    with running_server(tmp_path, sqlite_template) as running:
        registry.deploy(running.ctx, registry.read_paths([PROCESSES / "pothole_report.bpmn", FORMS]))
        gazetteer.import_file(running.ctx, ROOT / "examples" / "demo_gazetteer.csv")
        yield running


def _record_pothole(page: Any, council: Server, checked: bool) -> str:
    """Starts a pothole case, fills its first form with the address picked from the gazetteer, and
    confirms; returns the case reference."""
    view = cases.start_case(council.ctx, "pothole_report", {"customer_name": "Pat Smith"})
    page.goto(f"{council.url}/tasks/{view.tasks[0].id}")
    page.fill("#defect_location", "Outside number 14, by the drain")
    page.check("label:has-text('Road')")
    page.check("label:has-text('The council')")
    page.check("#immediate_danger-2")  # No
    page.fill("#defect_address-postcode", "an1 2bc")
    page.click("button:has-text('Find address')")
    page.wait_for_load_state()
    if checked:
        check(page)
        shoot(page, "address-lookup-found.png")
    assert page.locator("#defect_location").input_value() == "Outside number 14, by the drain"
    assert page.locator("#defect_address-uprn option").first.inner_text() == "20 addresses found"
    page.select_option("#defect_address-uprn", label="14 Mill Lane, Anytown")
    page.click("button:has-text('Continue')")
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    if checked:
        check(page)
    assert "Check your answers" in page.content() and "14 Mill Lane, Anytown" in page.content()
    page.click("button:has-text('Confirm and continue')")
    page.wait_for_load_state()
    return view.reference


def test_advisor_picks_the_pothole_address_from_the_gazetteer(council):
    [fourteen] = [a for a in gazetteer.lookup(council.ctx, "AN1 2BC") if a.address == "14 Mill Lane, Anytown"]
    with chromium(council) as context:
        page = context.new_page()
        view = cases.start_case(council.ctx, "pothole_report", {"customer_name": "Pat Smith"})
        page.goto(f"{council.url}/tasks/{view.tasks[0].id}")
        check(page)
        shoot(page, "address-lookup.png")
        page.click("button:has-text('Enter the address manually')")
        check(page)
        assert page.locator("#defect_address-address").is_visible()
        reference = _record_pothole(page, council, checked=True)
    assert cases.show_case(council.ctx, reference).data["defect_address"] == fourteen.to_dict()


def test_the_lookup_works_with_javascript_switched_off(council):
    if not CHROMIUM.exists():
        pytest.skip("no Chromium")
    context = _Chromium.get().new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{council.url}/sign-in")
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.click("button:has-text('Sign in')")
        page.wait_for_url(f"{council.url}/")
        reference = _record_pothole(page, council, checked=False)
    finally:
        context.close()
    saved = cases.show_case(council.ctx, reference).data["defect_address"]
    assert (saved["address"], saved["postcode"]) == ("14 Mill Lane, Anytown", "AN1 2BC") and saved["uprn"] > 0


def test_advisor_adds_a_customer_at_an_address_found_by_postcode(council):
    from engine.casework import customers
    from engine.casework.customers import CustomerQuery
    with chromium(council) as context:
        page = context.new_page()
        page.goto(f"{council.url}/customers/new")
        check(page)
        page.fill("#name", "Robin Lookup")
        page.fill("#postcode", "an3 7ab")
        page.click("button:has-text('Find address')")
        page.wait_for_load_state()
        check(page)
        shoot(page, "customer-address-lookup.png")
        page.select_option("#address-uprn", label="7 Station Road, Anytown")
        page.click("button:has-text('Add customer')")
        page.wait_for_load_state()
        check(page)
        assert "Robin Lookup added as a customer" in page.content()
    [robin] = customers.find_customers(council.ctx, CustomerQuery(name="Robin Lookup"))
    assert (robin.address, robin.postcode) == ("7 Station Road, Anytown", "AN3 7AB") and robin.uprn is not None
