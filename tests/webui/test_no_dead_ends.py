"""Issue 12, item 6, no dead ends: an officer who completes a task goes back to the staff page they came
from (their inbox, or the case page) with a banner naming the task, never to the front office's outcome
page nor to another site; the outcome page's panel reads "Reference CF-…" (not markup shown as text);
"Anything else for this customer?" is offered only to those who may start services."""
from __future__ import annotations

import pytest
from lxml import html

from engine.bpmn import registry
from engine.casework import cases, customers
from engine.types import Role
from tests.browser.pagecheck import assert_good_page
from tests.conftest import FORMS, PROCESSES
from tests.webui.conftest import csrf_token

RECORD = {"bin_type": "refuse", "scheduled_collection_date": "2025-03-10", "bin_out_by_7am": "yes",
          "bin_location": "rear_lane", "crew_report": "none"}
RECOLLECTED = {"recollection_result": "collected", "recollection_date-day": "11", "recollection_date-month": "3",
               "recollection_date-year": "2025"}
TASK = "Arrange re-collection and record result"
TEAM_INBOX = "/inbox/teams/Waste%20Services"


def text(response) -> str:
    return response.get_data(as_text=True)


def visible(page: str) -> str:
    """The page's words as a reader sees them (markup gone, white space collapsed)."""
    return " ".join(html.fromstring(page).body.text_content().split())


@pytest.fixture
def waste_case(ctx):
    """A missed-bin case handed off to Waste Services: its re-collection task is open there."""
    registry.deploy(ctx, registry.read_paths([PROCESSES / "missed_bin_collection.bpmn", FORMS]))
    pat = customers.create_customer(ctx, {"name": "Pat Smith", "postcode": "AN1 2BC"})
    view = cases.start_case(ctx, "missed_bin_collection", {"customer_name": "Pat Smith"}, "phone", pat.id)
    return cases.complete_task(ctx, view.tasks[0].id, RECORD)


@pytest.fixture
def officer(signed_in):
    return signed_in(Role.BACK_OFFICE, teams=("Waste Services",))


def complete(client, task_id: int, referer: str | None = None, **form: str):
    """Open the task (from ``referer``, a page of this site as a browser would say) and complete it with
    the hidden fields its form carries."""
    page = text(client.get(f"/tasks/{task_id}", headers={"Referer": referer} if referer else {}))
    hidden = {i.name: i.value for i in html.fromstring(page).xpath(
        f'//form[@action="/tasks/{task_id}"]//input[@type="hidden"]')}
    return client.post(f"/tasks/{task_id}", data={**hidden, **RECOLLECTED, **form})


def success_banners(page: str) -> list[str]:
    return [" ".join(b.text_content().split())
            for b in html.fromstring(page).find_class("govuk-notification-banner--success")]


def test_officer_returns_to_the_team_inbox_they_came_from_with_a_banner_naming_the_task(officer, waste_case):
    task_id = waste_case.tasks[0].id
    done = complete(officer, task_id, f"http://localhost{TEAM_INBOX}")
    assert done.status_code == 302 and done.headers["Location"] == TEAM_INBOX
    inbox = text(officer.get(TEAM_INBOX))
    assert_good_page(inbox)
    assert success_banners(inbox) == [f"Success You have completed “{TASK}” on {waste_case.reference}"]
    assert f'href="/tasks/{task_id}"' not in inbox  # done, so gone from the queue
    assert success_banners(text(officer.get(TEAM_INBOX))) == []  # said once


def test_officer_who_came_from_the_case_page_returns_to_it(officer, waste_case):
    case_page = f"/cases/{waste_case.reference}"
    done = complete(officer, waste_case.tasks[0].id, f"http://localhost{case_page}")
    assert done.headers["Location"] == case_page
    assert success_banners(text(officer.get(case_page))) == \
        [f"Success You have completed “{TASK}” on {waste_case.reference}"]


def test_claiming_on_the_task_page_keeps_where_the_officer_came_from(officer, waste_case):
    task_id = waste_case.tasks[0].id
    page = text(officer.get(f"/tasks/{task_id}", headers={"Referer": f"http://localhost{TEAM_INBOX}"}))
    claim = {i.name: i.value for i in html.fromstring(page).xpath(
        f'//form[@action="/inbox/tasks/{task_id}/claim"]//input[@type="hidden"]')}
    claimed = officer.post(f"/inbox/tasks/{task_id}/claim", data=claim)
    assert claimed.status_code == 302
    again = text(officer.get(claimed.headers["Location"]))  # the task page again, as the browser follows
    hidden = {i.name: i.value for i in html.fromstring(again).xpath(
        f'//form[@action="/tasks/{task_id}"]//input[@type="hidden"]')}
    done = officer.post(f"/tasks/{task_id}", data={**hidden, **RECOLLECTED})
    assert done.headers["Location"] == TEAM_INBOX


def test_a_failed_completion_keeps_where_the_officer_came_from(officer, waste_case):
    task_id = waste_case.tasks[0].id
    wrong = complete(officer, task_id, f"http://localhost{TEAM_INBOX}", recollection_result="")
    assert wrong.status_code == 400
    again = html.fromstring(text(wrong)).xpath(f'//form[@action="/tasks/{task_id}"]//input[@name="next"]')
    assert [i.value for i in again] == [TEAM_INBOX]
    done = officer.post(f"/tasks/{task_id}", data={"csrf_token": csrf_token(text(wrong)), "next": TEAM_INBOX,
                                                   **RECOLLECTED})
    assert done.headers["Location"] == TEAM_INBOX


@pytest.mark.parametrize("elsewhere", [
    "https://evil.example/inbox", "//evil.example/inbox", "/\\evil.example/inbox", "/\tevil.example",
    "javascript:alert(1)", "/tasks/1", "/cases/CF-000001/outcome", "/sign-out", "/admin/people"])
def test_officer_is_never_sent_to_another_site_or_a_dead_end(officer, waste_case, elsewhere):
    done = complete(officer, waste_case.tasks[0].id, next=elsewhere)
    assert done.status_code == 302 and done.headers["Location"] == "/inbox"
    assert success_banners(text(officer.get("/inbox"))) == \
        [f"Success You have completed “{TASK}” on {waste_case.reference}"]


def test_a_link_from_another_site_is_not_where_the_officer_came_from(officer, waste_case):
    done = complete(officer, waste_case.tasks[0].id, f"https://evil.example{TEAM_INBOX}")
    assert done.headers["Location"] == "/inbox"


def test_the_outcome_panel_reads_reference_and_never_shows_markup(signed_in, waste_case):
    advisor = signed_in(Role.FRONT_OFFICE, teams=("Customer Hub",))
    page = text(advisor.get(f"/cases/{waste_case.reference}/outcome"))
    assert_good_page(page)
    body = html.fromstring(page).find_class("govuk-panel__body")[0]
    assert " ".join(t.strip() for t in body.itertext() if t.strip()) == f"Reference {waste_case.reference}"
    assert [s.text for s in body.iter("strong")] == [waste_case.reference]
    seen = visible(page)
    assert "Handed off to Waste Services" in seen
    assert "<br>" not in seen and "<strong>" not in seen and "&lt;" not in seen


def test_anything_else_is_offered_only_to_those_who_may_start_services(signed_in, officer, waste_case):
    outcome = f"/cases/{waste_case.reference}/outcome"
    advisor = signed_in(Role.FRONT_OFFICE, teams=("Customer Hub",))
    assert "Anything else for this customer?" in visible(text(advisor.get(outcome)))
    seen = visible(text(officer.get(outcome)))
    assert "Handed off to Waste Services" in seen
    assert "Anything else for this customer?" not in seen and "Start another service" not in seen
    assert "Back to my tasks" in seen
