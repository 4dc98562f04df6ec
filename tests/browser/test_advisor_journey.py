"""The advisor's journey in real Chromium: a pure front-office advisor takes a call about a missed
bin, finds the service from the caller's word, adds the caller as a customer, starts the case by
phone, works the Customer Hub's task, hands the genuine miss to Waste Services, and moves on to
"anything else?" with the caller carried over. Every page visited is well-formed and axe-clean."""
from __future__ import annotations

import re
import uuid

from engine.casework import customers
from engine.casework.customers import CustomerQuery
from engine.types import Role

from .journey import check, shoot
from .server import add_staff, chromium


def test_advisor_starts_a_missed_bin_case_and_hands_it_to_waste_services(server):
    email = add_staff(server.ctx, f"hub-{uuid.uuid4().hex[:8]}@example.gov.uk", "Robin Hub",
                      [Role.FRONT_OFFICE], ("Customer Hub",))
    caller = f"Jordan Caller {uuid.uuid4().hex[:6]}"
    with chromium(server, email) as context:
        page = context.new_page()
        page.goto(f"{server.url}/")
        check(page)
        page.click("nav >> text=Services")
        check(page)
        assert "All services A to Z" in page.content()

        page.fill("#q", "bins")
        page.click("main form .govuk-button")
        check(page)
        page.click("main a:has-text('Missed bin collection')")
        page.wait_for_url(re.compile(r"/services/missed_bin_collection/start$"))
        check(page)

        page.click("text=Add a new customer")
        check(page)
        page.fill("#name", caller)
        page.fill("#address", "7 Station Road, Anytown")
        page.fill("#postcode", "an3 4de")
        page.fill("#phone", "07700 900456")
        page.click("main form button:has-text('Add customer')")
        check(page)
        assert f"{caller} added as a customer" in page.content()
        [customer] = customers.find_customers(server.ctx, CustomerQuery(name=caller))
        assert page.url.endswith(f"/services/missed_bin_collection/start?customer={customer.id}")

        page.get_by_label("Phone", exact=True).check()
        page.click("main form .govuk-button")
        page.wait_for_url(re.compile(r"/tasks/\d+$"))
        check(page)
        assert "Record missed collection" in page.content() and caller in page.content()
        page.check("label:has-text('Refuse (general waste)')")
        page.fill("#scheduled_collection_date-day", "10")
        page.fill("#scheduled_collection_date-month", "3")
        page.fill("#scheduled_collection_date-year", "2025")
        page.check("#bin_out_by_7am")  # Yes
        page.check("#bin_location")  # at the kerb
        page.check("label:has-text('Nothing recorded: treat as a genuine miss')")
        page.click("main form .govuk-button")
        check(page)
        assert "Check your answers" in page.content()
        page.click("text=Confirm and continue")
        page.wait_for_url(re.compile(r"/cases/CF-\d+/outcome$"))
        check(page)
        [case] = customers.customer_history(server.ctx, customer.id)
        assert case.channel == "phone" and case.teams_now == ["Waste Services"]
        panel = page.inner_text(".govuk-panel")
        assert "Handed off to Waste Services" in panel and case.reference in panel
        # What the advisor reads: the reference on its own line, never markup shown as text (issue 12, item 6).
        assert page.inner_text(".govuk-panel__body").split() == ["Reference", case.reference]
        assert "<br>" not in page.inner_text("main") and "<strong>" not in page.inner_text("main")
        shoot(page, "outcome.png")
        assert caller in page.content()

        page.click("text=Anything else for this customer?")
        page.wait_for_url(re.compile(rf"/services\?customer={customer.id}$"))
        check(page)
        assert f"Customer: {caller}" in page.inner_text(".govuk-summary-card")
        page.click("text=Earlier cases")
        page.wait_for_url(re.compile(rf"/customers/{customer.id}$"))
        check(page)
        row = page.inner_text(f"tr:has(a[href='/cases/{case.reference}'])")
        assert "Missed bin collection" in row and "Phone" in row and "With Waste Services" in row
