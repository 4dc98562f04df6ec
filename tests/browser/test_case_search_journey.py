"""Finding a case in real Chromium: an advisor searches from the header by the caller's name, sees the
results, types the reference in full and lands on the case, then logs the caller's repeat contact,
which appears on the timeline. Every page visited is well-formed and axe-clean.

Set COUNCILFLOW_SHOTS to a folder to keep screenshots of the results and the case page."""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from engine.casework import cases, customers
from engine.types import Role

from .journey import check
from .server import add_staff, chromium


def _shot(page, name: str) -> None:
    folder = os.environ.get("COUNCILFLOW_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def test_advisor_finds_a_case_from_the_header_and_logs_a_repeat_contact(server):
    email = add_staff(server.ctx, f"finder-{uuid.uuid4().hex[:8]}@example.gov.uk", "Kim Finder",
                      [Role.FRONT_OFFICE], ("Customer Hub",))
    name = f"Morgan Caller {uuid.uuid4().hex[:6]}"
    caller = customers.create_customer(server.ctx, {"name": name, "phone": "07700 900777", "postcode": "AN9 9ZZ",
                                                    "address": "3 Orchard Way, Anytown"})
    older = cases.start_case(server.ctx, "missed_bin_collection", customer_id=caller.id, actor=email).reference
    newer = cases.start_case(server.ctx, "missed_bin_collection", customer_id=caller.id, actor=email).reference
    with chromium(server, email) as context:
        page = context.new_page()
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{server.url}/")
        page.fill("#header-search", name)
        page.press("#header-search", "Enter")
        page.wait_for_url(re.compile(r"/cases\?q="))
        check(page)
        rows = page.locator("main table tbody tr")
        assert rows.count() == 2 and "2 cases found" in page.content()
        assert [rows.nth(i).locator("a").inner_text() for i in range(2)] == [newer, older]
        assert "Missed bin collection" in rows.nth(0).inner_text() and "Customer Hub" in rows.nth(0).inner_text()
        _shot(page, "cases-results.png")

        page.fill("#header-search", older.lower().replace("-", ""))
        page.click("header form[role=search] button")
        page.wait_for_url(re.compile(rf"/cases/{older}$"))
        check(page)
        assert f"Case {older}" in page.locator("h1").inner_text()

        page.click("text=Log a contact from the customer")
        page.select_option("#contact-channel", "phone")
        page.check("label:has-text('Chasing progress')")
        page.fill("#contact-text", "Called to ask when the bin will be collected")
        page.click("button:has-text('Log contact')")
        page.wait_for_url(re.compile(rf"/cases/{older}#contacts$"))
        check(page)
        timeline = page.locator("#timeline ~ table").inner_text()
        assert "The customer got in touch by phone (chasing progress); Kim Finder took it: " \
               "Called to ask when the bin will be collected" in timeline
        _shot(page, "case-with-contact.png")

        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{server.url}/cases?q={name.replace(' ', '+')}")
        check(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        _shot(page, "cases-results-390.png")
