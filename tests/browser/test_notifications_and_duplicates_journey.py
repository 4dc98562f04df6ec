"""In real Chromium: an officer a lead gave a task to sees the unread count in the menu of every page,
opens the notification (it takes them to the task, and the count goes), and an advisor adding a
caller who is already recorded is shown them, uses them, or adds a new customer anyway. Every page
visited is well-formed and axe-clean.

The menu with its count is saved as a screenshot in SCREENSHOTS_DIR (else the test's own folder)."""
from __future__ import annotations

import re
import uuid
from pathlib import Path

from engine.casework import cases, customers
from engine.casework.customers import CustomerQuery
from engine.types import Role

from .journey import SCREENSHOTS, check
from .server import add_staff, chromium

GENUINE_MISS = {"bin_type": "refuse", "scheduled_collection_date": "2026-11-16", "bin_out_by_7am": "yes",
                "bin_location": "kerbside", "crew_report": "none"}


def test_an_officer_sees_the_unread_count_and_opens_the_task_they_were_given(server, tmp_path):
    tag = uuid.uuid4().hex[:6]
    officer = add_staff(server.ctx, f"given-{tag}@example.gov.uk", "Olu Given", [Role.BACK_OFFICE],
                        ("Waste Services",))
    lead = add_staff(server.ctx, f"lead-{tag}@example.gov.uk", "Lee Lead", [Role.TEAM_LEAD], ("Waste Services",))
    started = cases.start_case(server.ctx, "missed_bin_collection", {})
    waste = cases.complete_task(server.ctx, started.tasks[0].id, GENUINE_MISS).tasks[0]
    cases.assign_task(server.ctx, waste.id, officer, actor=lead)
    with chromium(server, officer) as context:
        page = context.new_page()
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(f"{server.url}/inbox")
        check(page)
        item = page.locator("nav .govuk-service-navigation__link[href='/notifications']")
        count = item.locator(".cf-count")
        assert count.is_visible() and count.inner_text().split()[0] == "1"
        box = count.bounding_box()
        assert box is not None and box["width"] > 8 and box["height"] > 8  # drawn, not hidden
        assert re.sub(r"\s+", " ", item.inner_text()).strip() == "Notifications 1 unread"
        shot = Path(SCREENSHOTS or tmp_path) / "menu-with-unread-notifications.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.locator(".govuk-service-navigation").screenshot(path=str(shot))
        assert shot.stat().st_size > 1000

        item.click()
        page.wait_for_url(re.compile(r"/notifications$"))
        check(page)
        assert "1 unread notification" in page.locator("main").inner_text()
        page.click("main a:has-text('Lee Lead assigned you')")
        page.wait_for_url(re.compile(rf"/tasks/{waste.id}$"))
        check(page)
        assert page.locator(".cf-count").count() == 0  # opened is read: no count left in the menu
        assert page.locator("nav .govuk-service-navigation__link[href='/notifications']").inner_text().strip() == \
            "Notifications"


def test_an_advisor_is_shown_a_caller_already_recorded_and_chooses(server):
    tag = uuid.uuid4().hex[:6]
    advisor = add_staff(server.ctx, f"adder-{tag}@example.gov.uk", "Ash Adder", [Role.FRONT_OFFICE],
                        ("Customer Hub",))
    phone = f"07700 9{int(tag, 16) % 100000:05d}"
    known = customers.create_customer(server.ctx, {"name": f"Robin Known {tag}", "phone": phone})
    with chromium(server, advisor) as context:
        page = context.new_page()

        def add(name: str) -> None:
            page.goto(f"{server.url}/customers/new")
            page.fill("#name", name)
            page.fill("#phone", phone.replace(" ", ""))
            page.click("button:has-text('Add customer')")

        add(f"R Known {tag}")
        page.wait_for_load_state()
        check(page)
        assert page.locator(".govuk-warning-text").inner_text().strip().endswith("This customer may already be recorded")
        card = page.locator(".govuk-summary-card", has_text=f"Robin Known {tag}")
        assert "phone" in card.inner_text()
        card.locator("a:has-text('Use this customer')").click()
        page.wait_for_url(re.compile(rf"/customers/{known.id}$"))
        check(page)

        add(f"R Known {tag}")
        page.click("button:has-text('Add anyway')")
        page.wait_for_url(re.compile(r"/customers/\d+$"))
        check(page)
        assert f"R Known {tag} added as a customer" in page.content()
        added = customers.find_customers(server.ctx, CustomerQuery(phone=phone))
        assert sorted(c.name for c in added) == [f"R Known {tag}", f"Robin Known {tag}"]
