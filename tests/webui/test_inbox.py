"""The back-office inbox: my tasks and team inboxes with counts, filters, sorting and pages; claim,
unclaim, and (team leads) assign and bulk assign; hand back to the front office and the answer; 403 for
other teams' inboxes, 404 for their tasks and cases."""
from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from engine.bpmn import registry
from engine.casework import cases, handback
from engine.types import Role
from tests.browser.pagecheck import assert_good_page
from tests.conftest import FORMS, PROCESSES
from tests.webui.conftest import csrf_token, sign_in

RECORD = {"bin_type": "refuse", "scheduled_collection_date": "2025-03-10", "bin_out_by_7am": "yes",
          "bin_location": "rear_lane", "crew_report": "none"}
COLLECTED = {"recollection_result": "collected", "recollection_date": "2025-03-12"}
OFFICER, COLLEAGUE, ADVISOR, OUTSIDER = ("officer@example.gov.uk", "colleague@example.gov.uk",
                                         "advisor@example.gov.uk", "outsider@example.gov.uk")
LEAD = "lead@example.gov.uk"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def people(app, make_user):
    make_user(OFFICER, Role.BACK_OFFICE, teams=("Waste Services",))
    make_user(COLLEAGUE, Role.BACK_OFFICE, teams=("Waste Services",))
    make_user(ADVISOR, Role.FRONT_OFFICE, teams=("Customer Hub",))
    make_user(OUTSIDER, Role.BACK_OFFICE, teams=("Environmental Health",))
    make_user(LEAD, Role.TEAM_LEAD, teams=("Waste Services",))

    def client(email: str):
        c = app.test_client()
        assert sign_in(c, email).status_code == 302
        return c
    return client


@pytest.fixture
def waste_tasks(ctx):
    """Three missed-bin cases, each with its re-collection task open in Waste Services."""
    registry.deploy(ctx, registry.read_paths([PROCESSES / "missed_bin_collection.bpmn", FORMS]))
    made = []
    for _ in range(3):
        view = cases.start_case(ctx, "missed_bin_collection", {"customer_name": "Pat Smith"}, channel="phone")
        view = cases.complete_task(ctx, view.tasks[0].id, RECORD)
        made.append((view.reference, view.tasks[0].id))
    return made


def post(client, url: str, page_url: str, **data):
    token = csrf_token(text(client.get(page_url)))
    return client.post(url, data={"csrf_token": token, **data})


def test_team_inbox_lists_tasks_with_counts_links_and_sla_and_claim_moves_one_to_my_tasks(people, waste_tasks):
    officer = people(OFFICER)
    page = text(officer.get("/inbox/teams/Waste Services"))
    assert_good_page(page)
    reference, task_id = waste_tasks[0]
    assert f'href="/cases/{reference}"' in page and f'href="/tasks/{task_id}"' in page
    assert "Waste Services</a>:\n      3 open, 3 unassigned, 0 mine" in page
    assert "Arrange re-collection and record result" in page and "Missed bin collection" in page
    assert "3 tasks in Waste Services" in page
    response = post(officer, f"/inbox/tasks/{task_id}/claim", "/inbox/teams/Waste Services",
                    next="/inbox/teams/Waste Services")
    assert response.status_code == 302 and unquote(response.headers["Location"]) == "/inbox/teams/Waste Services"
    page = text(officer.get("/inbox/teams/Waste Services"))
    # The banner names the task and its case, not its number.
    assert f"You have claimed “Arrange re-collection and record result” on {reference}" in page
    assert "3 open, 2 unassigned, 1 mine" in page
    mine = text(officer.get("/inbox"))
    assert_good_page(mine)
    assert f'href="/tasks/{task_id}"' in mine and "1 task assigned to you" in mine
    assert f'formaction="/inbox/tasks/{task_id}/unclaim"' in mine
    post(officer, f"/inbox/tasks/{task_id}/unclaim", "/inbox", next="/inbox")
    assert "No tasks match" in text(officer.get("/inbox"))


def test_filters_sort_and_pages_go_through_the_query_string(people, waste_tasks, ctx):
    officer = people(LEAD)  # a team lead: the rows have tick boxes (for assigning), which the checks count
    handback.hand_back(ctx, waste_tasks[1][1], "Which gate?", OFFICER)
    page = text(officer.get("/inbox/teams/Waste Services?status=handed_back"))
    assert "1 task in Waste Services" in page and "Handed back" in page
    assert text(officer.get("/inbox/teams/Waste Services?status=open")).count('name="task_ids"') == 2
    assert "0 tasks" in text(officer.get("/inbox/teams/Waste Services?process=noise_complaint")) or \
        "No tasks match" in text(officer.get("/inbox/teams/Waste Services?process=noise_complaint"))
    assert "No tasks match" in text(officer.get("/inbox/teams/Waste Services?task=Something else"))
    newest = text(officer.get("/inbox/teams/Waste Services?sort=newest"))
    oldest = text(officer.get("/inbox/teams/Waste Services?sort=oldest&status=active"))
    ids = [t for _, t in waste_tasks]
    order = lambda page: [int(i) for i in re.findall(r'name="task_ids" type="checkbox" value="(\d+)"', page)]  # noqa: E731
    assert order(oldest) == ids and order(newest) == list(reversed(ids))
    from webui import inbox
    inbox.PAGE_SIZE = 2
    try:
        first = text(officer.get("/inbox/teams/Waste Services?sort=oldest"))
        assert_good_page(first)
        assert order(first) == ids[:2] and 'rel="next"' in first and "page=2" in first
        assert order(text(officer.get("/inbox/teams/Waste Services?sort=oldest&page=2"))) == ids[2:]
    finally:
        inbox.PAGE_SIZE = 25


def test_bulk_assign_gives_the_ticked_tasks_to_a_colleague_and_lists_refusals(people, waste_tasks, ctx):
    officer = people(LEAD)
    ids = [t for _, t in waste_tasks]
    cases.complete_task(ctx, ids[2], COLLECTED, actor=OFFICER)
    page_url = "/inbox/teams/Waste Services"
    assert 'value="colleague@example.gov.uk"' in text(officer.get(page_url))
    token = csrf_token(text(officer.get(page_url)))
    response = officer.post("/inbox/assign", data={"csrf_token": token, "task_ids": [str(i) for i in ids],
                                                   "assignee": COLLEAGUE, "next": page_url})
    assert response.status_code == 302
    page = text(officer.get(page_url))
    assert "Assigned 2 tasks to colleague" in page and "to colleague@example.gov.uk" not in page  # by name
    assert f"Task {ids[2]} was not assigned: Task {ids[2]}" in page and "already completed" in page
    assert [t.assignee for t in cases.list_tasks(ctx, team="Waste Services")] == [COLLEAGUE, COLLEAGUE]
    response = officer.post("/inbox/assign", data={"csrf_token": token, "task_ids": [str(ids[0])],
                                                   "assignee": OUTSIDER, "next": page_url})
    assert "is not a member of Waste Services" in text(officer.get(page_url))


def test_only_team_leads_give_tasks_to_colleagues_as_in_the_api(people, waste_tasks, ctx):
    officer = people(OFFICER)
    ids = [t for _, t in waste_tasks]
    page_url = "/inbox/teams/Waste Services"
    page = text(officer.get(page_url))
    assert 'name="task_ids"' not in page and 'value="colleague@example.gov.uk"' not in page
    response = officer.post("/inbox/assign", data={"csrf_token": csrf_token(page), "task_ids": [str(ids[0])],
                                                   "assignee": COLLEAGUE, "next": page_url})
    assert response.status_code == 302
    assert "Only a team lead can give task" in text(officer.get(page_url))
    post(officer, f"/inbox/tasks/{ids[1]}/assign", f"/tasks/{ids[1]}", assignee=COLLEAGUE)
    assert [t.assignee for t in cases.list_tasks(ctx, team="Waste Services")] == [None, None, None]
    post(officer, f"/inbox/tasks/{ids[1]}/claim", page_url, next=page_url)
    assert cases.list_tasks(ctx, team="Waste Services")[1].assignee == OFFICER


def test_another_teams_inbox_is_forbidden_and_its_tasks_and_cases_are_not_found(people, waste_tasks):
    outsider = people(OUTSIDER)
    assert outsider.get("/inbox/teams/Waste Services").status_code == 403
    task_id = waste_tasks[0][1]
    # 404 as for a task or case that does not exist: no telling which references exist (security finding 12).
    assert outsider.get(f"/tasks/{task_id}").status_code == 404
    token = csrf_token(text(outsider.get("/inbox")))
    assert outsider.post(f"/inbox/tasks/{task_id}/claim", data={"csrf_token": token}).status_code == 404
    assert outsider.post(f"/tasks/{task_id}/hand-back",
                         data={"csrf_token": token, "question": "Why?"}).status_code == 404
    assert outsider.get(f"/cases/{waste_tasks[0][0]}").status_code == 404
    assert outsider.get("/inbox/teams/No such team").status_code == 404


def test_officer_hands_back_advisor_answers_and_the_answer_is_on_the_task_page(people, waste_tasks, ctx):
    officer, advisor = people(OFFICER), people(ADVISOR)
    reference, task_id = waste_tasks[0]
    page = text(officer.get(f"/tasks/{task_id}"))
    assert_good_page(page)
    assert "Hand back to the front office" in page and 'name="recollection_result"' in page
    blank = post(officer, f"/tasks/{task_id}/hand-back", f"/tasks/{task_id}", question="  ")
    assert blank.status_code == 400 and "Enter your question" in text(blank)
    assert_good_page(text(blank))
    response = post(officer, f"/tasks/{task_id}/hand-back", f"/tasks/{task_id}", question="Which gate is it behind?")
    assert response.headers["Location"] == f"/tasks/{task_id}"
    page = text(officer.get(f"/tasks/{task_id}"))
    assert_good_page(page)
    assert "Waiting for Customer Hub to answer: Which gate is it behind?" in page
    assert 'name="recollection_result"' not in page and "Handed back to Customer Hub" in page

    questions = text(advisor.get("/inbox/questions"))
    assert_good_page(questions)
    question_id = handback.open_questions(ctx, ADVISOR)[0].id
    assert f'href="/inbox/questions/{question_id}"' in questions and "Which gate is it behind?" in questions
    assert officer.get(f"/inbox/questions/{question_id}").status_code == 403
    form = text(advisor.get(f"/inbox/questions/{question_id}"))
    assert_good_page(form)
    blank = advisor.post(f"/inbox/questions/{question_id}", data={"csrf_token": csrf_token(form), "answer": ""})
    assert blank.status_code == 400 and "Enter your answer" in text(blank)
    sent = advisor.post(f"/inbox/questions/{question_id}",
                        data={"csrf_token": csrf_token(form), "answer": "The green gate"})
    assert sent.headers["Location"] == "/inbox/questions"
    after = text(advisor.get("/inbox/questions"))
    assert "Your answer was sent to officer; “Arrange re-collection and record result” on" in after
    assert "no questions waiting" in after

    page = text(officer.get(f"/tasks/{task_id}"))
    assert "The green gate" in page and 'name="recollection_result"' in page and "Waiting for" not in page


def test_assign_from_the_task_page_to_a_colleague(people, waste_tasks, ctx):
    task_id = waste_tasks[0][1]
    assert 'action="/inbox/tasks/%d/assign"' % task_id not in text(people(OFFICER).get(f"/tasks/{task_id}"))
    officer = people(LEAD)  # only team leads (and admins) give tasks to others
    page = text(officer.get(f"/tasks/{task_id}"))
    assert 'action="/inbox/tasks/%d/assign"' % task_id in page and "Claim this task" in page
    response = post(officer, f"/inbox/tasks/{task_id}/assign", f"/tasks/{task_id}", assignee=COLLEAGUE,
                    next=f"/tasks/{task_id}")
    assert response.headers["Location"] == f"/tasks/{task_id}"
    page = text(officer.get(f"/tasks/{task_id}"))
    assert f"“Arrange re-collection and record result” on {waste_tasks[0][0]} is assigned to colleague" in page
    assert "Assigned to colleague." in page  # by name, not email
    assert cases.list_tasks(ctx, team="Waste Services")[0].assignee == COLLEAGUE


def test_inbox_and_case_page_show_due_date_sla_tag_and_working_days_left(people, ctx):
    from engine.deadlines import sla
    from engine.types import SlaUnit
    registry.deploy(ctx, registry.read_paths([PROCESSES / "missed_bin_collection.bpmn", FORMS]))
    sla.set_policy(ctx, "missed_bin_collection", "arrange_recollection", sla.SlaTerms(SlaUnit.WORKING_DAYS, 5),
                   "admin@example.gov.uk")
    view = cases.start_case(ctx, "missed_bin_collection", {"customer_name": "Pat Smith"})
    view = cases.complete_task(ctx, view.tasks[0].id, RECORD)
    officer = people(OFFICER)
    row = re.search(rf'<tr class="govuk-table__row">(?:(?!</tr>).)*?/tasks/{view.tasks[0].id}"(?:(?!</tr>).)*</tr>',
                    text(officer.get("/inbox/teams/Waste Services")), re.S).group(0)
    assert "govuk-tag--green" in row and "On track" in row
    assert re.search(r"[4-6] working days left", row), row
    case_page = text(officer.get(f"/cases/{view.reference}"))
    assert "On track" in case_page and re.search(r"[4-6] working days left", case_page)
