"""A case as staff read it, in real Chromium (issue 12, item 5): the answers under each form's title with
its questions and option titles, never the codes; what no form asked folded under "Technical details";
people by name, never their email; a claim banner that names the task; the inbox and the case page on a
390 px phone without sideways scrolling; and the case page on paper without navigation, search, buttons
or forms. Every page visited is well-formed and axe-clean.

Set SCREENSHOTS_DIR to a folder to keep screenshots at 1280 and 390 px and in print."""
from __future__ import annotations

import re
import uuid

from engine.casework import cases, customers, handback
from engine.types import Role

from .journey import check, shoot
from .server import add_staff, chromium

GENUINE_MISS = {"bin_type": "refuse", "scheduled_collection_date": "2026-11-16", "bin_out_by_7am": "yes",
                "bin_location": "kerbside", "crew_report": "none"}
TASK = "Arrange re-collection and record result"
PHONE, WIDE = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


def _case(server, advisor: str) -> tuple[str, int]:
    """A phoned-in missed bin for a recorded customer, its Customer Hub form done: waiting for Waste Services."""
    caller = customers.create_customer(server.ctx, {"name": f"Pat Reader {uuid.uuid4().hex[:6]}",
                                                    "phone": "07700 900321", "address": "14 Mill Lane, Anytown",
                                                    "postcode": "AN1 2BC"})
    view = cases.start_case(server.ctx, "missed_bin_collection", customer_id=caller.id, channel="phone",
                            actor=advisor)
    view = cases.complete_task(server.ctx, view.tasks[0].id, GENUINE_MISS, actor=advisor)
    [task] = [t for t in view.tasks if t.bpmn_id == "arrange_recollection"]
    return view.reference, task.id


def _main(page) -> str:
    """What a person sees in the page's main part (innerText leaves out what is not shown)."""
    return page.inner_text("main")


def test_case_page_reads_in_the_forms_words_with_names_and_technical_details_folded(server):
    advisor = add_staff(server.ctx, f"hub-{uuid.uuid4().hex[:8]}@example.gov.uk", "Jo Advisor",
                        [Role.FRONT_OFFICE], ("Customer Hub",))
    officer = add_staff(server.ctx, f"waste-{uuid.uuid4().hex[:8]}@example.gov.uk", "Robin Officer",
                        [Role.BACK_OFFICE], ("Waste Services",))
    reference, task_id = _case(server, advisor)
    with chromium(server, officer) as context:
        page = context.new_page()
        page.set_viewport_size(WIDE)
        page.goto(f"{server.url}/inbox/teams/Waste%20Services")
        page.locator(f"tr:has(a[href='/tasks/{task_id}'])").locator("button:has-text('Claim')").click()
        page.wait_for_url(re.compile(r"/inbox/teams/Waste%20Services$"))
        check(page)
        banner = page.inner_text(".govuk-notification-banner--success")
        assert f"You have claimed “{TASK}” on {reference}" in banner
        assert "Robin Officer" in page.inner_text(f"tr:has(a[href='/tasks/{task_id}'])")
        assert officer not in _main(page)
        shoot(page, "inbox-1280.png")

        page.goto(f"{server.url}/cases/{reference}")
        page.click("summary:has-text('Add a note')")
        page.fill("#note", "Crew booked for Thursday")
        page.click("button:has-text('Add note')")
        page.wait_for_url(re.compile(rf"/cases/{reference}#notes$"))
        check(page)
        shown = _main(page)
        # Each form's questions and option titles, under the form's title; the resident first.
        assert "Record missed collection\n" in shown and "Resident\n" in shown
        assert "Where was the bin left?\tAt the kerb or edge of the property" in shown
        assert "Which bin was missed?\tRefuse (general waste)" in shown
        assert "Scheduled collection date\t16 November 2026" in shown
        assert "kerbside" not in shown and "Bin location" not in shown and "2026-11-16" not in shown
        assert "Channel\tPhone\n" in shown and "by phone)" not in shown
        # What no form asked is folded away until asked for.
        details = page.locator("details:has(summary:has-text('Technical details'))")
        assert details.is_visible() and "Recollection status" not in shown and "Notify channel" not in shown
        details.locator("summary").click()
        assert "Recollection status\traised" in _main(page) and "Notify channel\tsms" in _main(page)
        # People by name: the creator, the assignee, the note's author, the timeline.
        assert "Created by\tJo Advisor" in shown and "Robin Officer, " in page.inner_text("#notes ~ ul")
        assert re.search(rf"{re.escape(TASK)}\s+Waste Services\s+Robin Officer", shown)
        assert f"Robin Officer claimed “{TASK}”" in page.inner_text("#timeline ~ table")
        assert "@example.gov.uk" not in _main(page)
        shoot(page, "case-1280.png")


def test_inbox_and_case_page_fit_a_phone_and_the_case_prints_without_controls(server):
    advisor = add_staff(server.ctx, f"hub-{uuid.uuid4().hex[:8]}@example.gov.uk", "Jo Advisor",
                        [Role.FRONT_OFFICE], ("Customer Hub",))
    officer = add_staff(server.ctx, f"waste-{uuid.uuid4().hex[:8]}@example.gov.uk", "Robin Officer",
                        [Role.BACK_OFFICE, Role.TEAM_LEAD], ("Waste Services",))
    reference, task_id = _case(server, advisor)
    cases.claim_task(server.ctx, task_id, officer)
    with chromium(server, officer) as context:
        page = context.new_page()
        page.set_viewport_size(PHONE)
        for url, name in (("/inbox/teams/Waste%20Services", "inbox-390.png"), ("/inbox", "my-tasks-390.png"),
                          (f"/cases/{reference}", "case-390.png")):
            page.goto(server.url + url)
            check(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
            shoot(page, name)
        # Stacked on a phone, each cell still says what it is (its label is drawn before it).
        cell = page.locator("main table tbody td[data-label='Assigned to']").first
        assert cell.inner_text() == "Robin Officer"
        assert cell.evaluate("c => getComputedStyle(c, '::before').content") == '"Assigned to: "'

        page.set_viewport_size(WIDE)
        page.goto(f"{server.url}/cases/{reference}")
        assert page.locator("header form[role=search]").is_visible()
        page.emulate_media(media="print")
        for hidden in ("header form[role=search]", ".cf-header__signout", ".govuk-service-navigation",
                       "summary:has-text('Add a note')", "summary:has-text('Log a contact')",
                       "button:has-text('Upload document')", "a:has-text('Show oldest first')"):
            assert page.locator(hidden).count() and not page.locator(hidden).first.is_visible(), hidden
        assert all(not b.is_visible() for b in page.locator("main .govuk-button").all())
        assert f"Case {reference}" in page.inner_text("h1") and "Where was the bin left?" in _main(page)
        # A path of this site means nothing on paper: the task link prints as its name alone.
        after = page.evaluate("getComputedStyle(document.querySelector(\"a[href='/tasks/%d']\"), '::after')"
                              ".content" % task_id)
        assert after in ("none", "normal")
        shoot(page, "case-print.png")


def test_the_advisors_customer_history_and_questions_fit_a_phone(server):
    advisor = add_staff(server.ctx, f"hub-{uuid.uuid4().hex[:8]}@example.gov.uk", "Jo Advisor",
                        [Role.FRONT_OFFICE], ("Customer Hub",))
    caller = customers.create_customer(server.ctx, {"name": f"Sam Narrow {uuid.uuid4().hex[:6]}",
                                                    "address": "14 Mill Lane, Anytown", "postcode": "AN1 2BC"})
    view = cases.start_case(server.ctx, "missed_bin_collection", customer_id=caller.id, actor=advisor)
    view = cases.complete_task(server.ctx, view.tasks[0].id, GENUINE_MISS, actor=advisor)
    [task] = [t for t in view.tasks if t.bpmn_id == "arrange_recollection"]
    officer = add_staff(server.ctx, f"waste-{uuid.uuid4().hex[:8]}@example.gov.uk", "Robin Officer",
                        [Role.BACK_OFFICE], ("Waste Services",))
    handback.hand_back(server.ctx, task.id, "Which gate is the bin behind, the one by the garages?", officer)
    with chromium(server, advisor) as context:
        page = context.new_page()
        page.set_viewport_size(PHONE)
        for url in (f"/customers/{caller.id}", "/inbox/questions"):
            page.goto(server.url + url)
            check(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
        cell = page.locator("main table tbody td[data-label='Question']").first
        assert cell.evaluate("c => getComputedStyle(c, '::before').content") == '"Question: "'
