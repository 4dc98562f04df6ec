"""The back office's journeys in real Chromium: a Waste Services officer finds a missed-bin case in
the team inbox, claims it, completes it, is back in that inbox with a banner naming the task, and sees
it in the case's timeline; an officer hands a case back to the Customer Hub with a question, an advisor
answers it, and the officer finishes the task with the answer in front of them. Every page visited is
well-formed and axe-clean."""
from __future__ import annotations

import re
import uuid

from engine.casework import cases, handback
from engine.context import Context
from engine.types import Role

from .journey import check, shoot
from .server import add_staff, chromium

GENUINE_MISS = {"bin_type": "refuse", "scheduled_collection_date": "2025-03-10", "bin_out_by_7am": "yes",
                "bin_location": "kerbside", "crew_report": "none"}
TASK = "Arrange re-collection and record result"


def _waste_task(ctx: Context) -> tuple[str, int]:
    """A missed-bin case, its Customer Hub task done, waiting for Waste Services."""
    view = cases.start_case(ctx, "missed_bin_collection", {"customer_name": f"Pat {uuid.uuid4().hex[:6]}",
                                                          "address": "3 Mill Lane"}, channel="phone")
    view = cases.complete_task(ctx, view.tasks[0].id, GENUINE_MISS)
    [task] = [t for t in view.tasks if t.bpmn_id == "arrange_recollection"]
    return view.reference, task.id


def _officer(server, name: str) -> str:
    return add_staff(server.ctx, f"waste-{uuid.uuid4().hex[:8]}@example.gov.uk", name, [Role.BACK_OFFICE],
                     ("Waste Services",))


def _record_collected(page) -> None:
    page.check("label:has-text('Bin collected')")
    page.fill("#recollection_date-day", "12")
    page.fill("#recollection_date-month", "3")
    page.fill("#recollection_date-year", "2025")
    page.click("main form button:has-text('Complete task')")


def test_officer_claims_a_missed_bin_case_from_the_team_inbox_and_completes_it(server):
    reference, task_id = _waste_task(server.ctx)
    officer = _officer(server, "Morgan Crew")
    with chromium(server, officer) as context:
        page = context.new_page()
        page.goto(f"{server.url}/inbox")
        check(page)
        assert "My tasks" in page.inner_text("h1") and f"/tasks/{task_id}" not in page.content()
        page.click("nav[aria-label=Inboxes] >> text=Waste Services")
        page.wait_for_url(re.compile(r"/inbox/teams/Waste%20Services$"))
        check(page)
        row = page.locator(f"tr:has(a[href='/tasks/{task_id}'])")
        assert reference in row.inner_text() and "Unassigned" in row.inner_text()
        row.locator("button:has-text('Claim')").click()
        page.wait_for_url(re.compile(r"/inbox/teams/Waste%20Services$"))
        check(page)
        assert f"You have claimed “{TASK}” on {reference}" in page.content()  # names the task, not its number
        assert "Morgan Crew" in page.locator(f"tr:has(a[href='/tasks/{task_id}'])").inner_text()  # by name

        page.click(f"a[href='/tasks/{task_id}']")
        page.wait_for_url(re.compile(rf"/tasks/{task_id}$"))
        check(page)
        assert "Assigned to Morgan Crew (you)" in page.content()
        _record_collected(page)
        # Issue 12, item 6: back to the inbox the task was opened from, with a banner naming it.
        page.wait_for_url(re.compile(r"/inbox/teams/Waste%20Services$"))
        check(page)
        banner = page.locator(".govuk-notification-banner--success")
        assert banner.inner_text().split("\n")[-1].strip() == f"You have completed “{TASK}” on {reference}"
        assert page.locator(f"a[href='/tasks/{task_id}']").count() == 0
        shoot(page, "inbox-after-completion.png")

        page.goto(f"{server.url}/inbox")
        check(page)
        assert f"/tasks/{task_id}" not in page.content()
        page.goto(f"{server.url}/cases/{reference}")
        check(page)
        timeline = page.inner_text("#timeline ~ table")
        assert f"Morgan Crew completed “{TASK}”" in timeline and f"Morgan Crew claimed “{TASK}”" in timeline
        assert "No tasks are waiting on this case" in page.content()


def test_officer_hands_a_case_back_and_the_advisor_answers(server):
    reference, task_id = _waste_task(server.ctx)
    officer = _officer(server, "Sam Crew")
    advisor = add_staff(server.ctx, f"hub-{uuid.uuid4().hex[:8]}@example.gov.uk", "Robin Hub",
                        [Role.FRONT_OFFICE], ("Customer Hub",))
    question = f"Which gate is the bin behind? ({uuid.uuid4().hex[:6]})"
    with chromium(server, officer) as context:
        page = context.new_page()
        page.goto(f"{server.url}/tasks/{task_id}")
        check(page)
        page.click("summary:has-text('Hand back to the front office')")
        page.fill("#question", question)
        page.click("form button:has-text('Hand back to the front office')")
        page.wait_for_url(re.compile(rf"/tasks/{task_id}$"))
        check(page)
        assert f"Waiting for Customer Hub to answer: {question}" in page.content()
        assert page.locator("#recollection_result").count() == 0  # no form while it waits

    [asked] = [q for q in handback.open_questions(server.ctx, advisor) if q.task_id == task_id]
    with chromium(server, advisor) as context:
        page = context.new_page()
        page.goto(f"{server.url}/inbox/questions")
        check(page)
        assert question in page.content()
        page.click(f"a[href='/inbox/questions/{asked.id}']")
        page.wait_for_url(re.compile(rf"/inbox/questions/{asked.id}$"))
        check(page)
        page.click("button:has-text('Send answer')")  # empty first: the error is shown
        check(page)
        assert "Enter your answer" in page.content()
        page.fill("#answer", "The green gate at the side of the house")
        page.click("button:has-text('Send answer')")
        page.wait_for_url(re.compile(r"/inbox/questions$"))
        check(page)
        assert f"Your answer was sent to Sam Crew; “{TASK}” on {reference} is back with them" in page.content()
        assert question not in page.content()

    with chromium(server, officer) as context:
        page = context.new_page()
        page.goto(f"{server.url}/tasks/{task_id}")
        check(page)
        assert "The green gate at the side of the house" in page.content() and "Waiting for" not in page.content()
        _record_collected(page)
        page.wait_for_url(re.compile(r"/inbox$"))  # opened from no page of ours: back to My tasks
        check(page)
        banner = page.inner_text(".govuk-notification-banner--success")
        assert f"You have completed “{TASK}” on {reference}" in banner
        page.goto(f"{server.url}/cases/{reference}")
        check(page)
        timeline = page.inner_text("#timeline ~ table")
        assert f"Sam Crew handed “{TASK}” back to Customer Hub: {question}" in timeline
        assert "Robin Hub answered for Customer Hub: The green gate at the side of the house" in timeline
