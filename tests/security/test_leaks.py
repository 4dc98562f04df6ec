"""Finding 12, small leaks: back-office staff learnt which case references and task numbers exist
(403 for another team's, 404 for none), the inbox's ``assignee`` filter told which email addresses
have accounts, and the web inbox let plain back-office staff assign work that the API refused them.
Now another team's case or task is answered exactly as one that does not exist, an email address
without an account filters like one whose tasks you cannot see, and one engine rule says who may
assign (team leads and admins pass work to others; anyone in the team claims it for themselves)."""
from __future__ import annotations

import difflib
import re

import pytest
import requests

from engine.bpmn import registry
from engine.casework import cases
from engine.people import tokens
from engine.types import Role
from tests.conftest import FORMS, PROCESSES

from .conftest import csrf_token

MISSING_CASE, MISSING_TASK = "CF-999999", 999999


@pytest.fixture
def waste_case(live):
    """A missed bin case: its first task waits in the Customer Hub queue."""
    registry.deploy(live.ctx, registry.read_paths([PROCESSES / "missed_bin_collection.bpmn", FORMS]))
    return cases.start_case(live.ctx, "missed_bin_collection", {"customer_name": "Pat Smith"})


def _bearer(live, email: str) -> dict[str, str]:
    with live.ctx.db.transaction() as session:
        return {"Authorization": f"Bearer {tokens.create_token(session, email, live.ctx.clock.now())}"}


def _same(answer: requests.Response, missing: requests.Response, real: str, fake: str) -> None:
    """Two answers a caller cannot tell apart once the reference they asked about (and any per-answer
    nonce, and the sign-out form's CSRF token, which is stamped with the second it was made) is set aside."""
    def seen(text: str) -> str:
        return re.sub(r'nonce="[^"]*"|(name="csrf_token" value=)"[^"]*"', r"\1", text)
    got, expected = seen(answer.text.replace(real, fake)), seen(missing.text)
    assert (answer.status_code, got) == (missing.status_code, expected), (answer.url, "\n".join(
        difflib.unified_diff(expected.splitlines(), got.splitlines(), "missing", "another team's", lineterm="")))


def test_another_teams_case_and_task_look_like_ones_that_do_not_exist(live, waste_case):
    outsider = live.add_user("outsider@example.gov.uk", Role.BACK_OFFICE, teams=("Highways",))
    browser, bearer = live.sign_in(outsider)[0], _bearer(live, outsider)
    reference, task_id = waste_case.reference, waste_case.tasks[0].id
    for path in ("/cases/{}", "/cases/{}/documents", "/cases/{}/outcome"):
        _same(browser.get(live.url + path.format(reference), timeout=30),
              browser.get(live.url + path.format(MISSING_CASE), timeout=30), reference, MISSING_CASE)
    for path in ("", "/history", "/sla", "/documents"):
        _same(requests.get(f"{live.url}/api/v1/cases/{reference}{path}", headers=bearer, timeout=30),
              requests.get(f"{live.url}/api/v1/cases/{MISSING_CASE}{path}", headers=bearer, timeout=30),
              reference, MISSING_CASE)
    _same(browser.get(f"{live.url}/tasks/{task_id}", timeout=30),
          browser.get(f"{live.url}/tasks/{MISSING_TASK}", timeout=30), f"task {task_id}", f"task {MISSING_TASK}")
    for action, body in (("claim", None), ("complete", {"data": {}}), ("assign", {"assignee": outsider})):
        _same(requests.post(f"{live.url}/api/v1/tasks/{task_id}/{action}", json=body, headers=bearer, timeout=30),
              requests.post(f"{live.url}/api/v1/tasks/{MISSING_TASK}/{action}", json=body, headers=bearer,
                            timeout=30), f"task {task_id}", f"task {MISSING_TASK}")
    assert "Pat Smith" not in browser.get(f"{live.url}/cases/{reference}", timeout=30).text
    # Someone who may see the case still does.
    insider = live.sign_in(live.add_user("insider@example.gov.uk", Role.BACK_OFFICE, teams=("Customer Hub",)))[0]
    assert insider.get(f"{live.url}/cases/{reference}", timeout=30).status_code == 200


def test_the_assignee_filter_does_not_tell_which_emails_have_accounts(live, waste_case):
    officer = live.add_user("officer@example.gov.uk", Role.BACK_OFFICE, teams=("Customer Hub",))
    elsewhere = live.add_user("elsewhere@example.gov.uk", Role.BACK_OFFICE, teams=("Highways",))
    bearer = _bearer(live, officer)
    known = requests.get(f"{live.url}/api/v1/tasks", params={"assignee": elsewhere}, headers=bearer, timeout=30)
    unknown = requests.get(f"{live.url}/api/v1/tasks", params={"assignee": "nobody@example.gov.uk"},
                           headers=bearer, timeout=30)
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json()) == (
        200, {"items": [], "page": 1, "page_size": 50, "total": 0})
    # A team lead assigning to an address without an account hears what they would of anyone outside the team.
    lead = _bearer(live, live.add_user("lead@example.gov.uk", Role.TEAM_LEAD, teams=("Customer Hub",)))
    task = waste_case.tasks[0].id
    _same(requests.post(f"{live.url}/api/v1/tasks/{task}/assign", json={"assignee": elsewhere}, headers=lead,
                        timeout=30),
          requests.post(f"{live.url}/api/v1/tasks/{task}/assign", json={"assignee": "nobody@example.gov.uk"},
                        headers=lead, timeout=30), elsewhere, "nobody@example.gov.uk")


def _web_assign(live, browser: requests.Session, task_id: int, assignee: str) -> str:
    page = browser.get(f"{live.url}/tasks/{task_id}", timeout=30)
    browser.post(f"{live.url}/inbox/tasks/{task_id}/assign", timeout=30,
                 data={"assignee": assignee, "csrf_token": csrf_token(page.text), "next": f"/tasks/{task_id}"})
    return next(t.assignee for t in cases.list_tasks(live.ctx, team="Customer Hub") if t.id == task_id)


def test_the_web_inbox_and_the_api_apply_one_rule_for_assigning(live, waste_case):
    task_id = waste_case.tasks[0].id
    colleague = live.add_user("colleague@example.gov.uk", Role.BACK_OFFICE, teams=("Customer Hub",))
    officer = live.add_user("plain@example.gov.uk", Role.BACK_OFFICE, teams=("Customer Hub",))
    lead = live.add_user("lead2@example.gov.uk", Role.TEAM_LEAD, teams=("Customer Hub",))
    browser = live.sign_in(officer)[0]
    # A plain officer may not give an unclaimed task to a colleague: not on the page, not through the API.
    assert 'action="/inbox/tasks/%d/assign"' % task_id not in browser.get(f"{live.url}/tasks/{task_id}").text
    assert _web_assign(live, browser, task_id, colleague) is None
    api = requests.post(f"{live.url}/api/v1/tasks/{task_id}/assign", json={"assignee": colleague},
                        headers=_bearer(live, officer), timeout=30)
    assert api.status_code == 403 and "team lead" in api.json()["message"]
    # They may take it themselves, by either door ...
    assert requests.post(f"{live.url}/api/v1/tasks/{task_id}/assign", json={"assignee": officer},
                         headers=_bearer(live, officer), timeout=30).json()["assignee"] == officer
    # ... and a team lead passes it on by either door.
    lead_browser = live.sign_in(lead)[0]
    assert _web_assign(live, lead_browser, task_id, colleague) == colleague
    assert requests.post(f"{live.url}/api/v1/tasks/{task_id}/assign", json={"assignee": lead},
                         headers=_bearer(live, lead), timeout=30).json()["assignee"] == lead
