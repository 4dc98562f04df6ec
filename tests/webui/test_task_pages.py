"""Task pages: an advisor works a case through its forms with the call script above them, checks
the answers with the resident, and is taken to the next task or the outcome; back-office staff
complete their tasks directly; a Camunda formField task works the same way."""
from __future__ import annotations

import re

import pytest

from engine.bpmn import registry
from engine.casework import cases
from engine.types import Role
from tests.browser.maps import CAMUNDA_NOISE
from tests.browser.pagecheck import assert_good_page
from tests.conftest import FORMS, PROCESSES
from tests.engine.helpers import deploy_text
from tests.webui.conftest import csrf_token

MISSED_BIN = {"bin_type": "recycling", "scheduled_collection_date-day": "10",
              "scheduled_collection_date-month": "3", "scheduled_collection_date-year": "2025",
              "bin_out_by_7am": "not_sure", "bin_location": "kerbside", "crew_report": "not_presented"}
RESIDENT = {"customer_name": "Pat Smith", "address": "1 High Street"}


@pytest.fixture
def case(ctx):
    registry.deploy(ctx, registry.read_paths([PROCESSES / "missed_bin_collection.bpmn", FORMS]))
    return cases.start_case(ctx, "missed_bin_collection", dict(RESIDENT))


@pytest.fixture
def advisor(signed_in):
    return signed_in(Role.FRONT_OFFICE, teams=("Customer Hub",))


def post(client, url: str, page: str, data: dict, **extra):
    return client.post(url, data={"csrf_token": csrf_token(page), **data, **extra})


def text(response) -> str:
    return response.get_data(as_text=True)


def token(page: str) -> str:
    return re.search(r'name="answers" value="([^"]+)"', page).group(1)


def test_task_page_shows_reference_call_script_and_form(advisor, case):
    page = text(advisor.get(f"/tasks/{case.tasks[0].id}"))
    assert_good_page(page)
    assert case.reference in page and "<h1 class=\"govuk-heading-l\">Record missed collection</h1>" in page
    assert "Missed bin: Pat Smith, 1 High Street" in page  # instructions with the case data
    assert 'id="scheduled_collection_date-day"' in page and 'name="crew_report"' in page
    assert "<title>Record missed collection – " in page


def test_invalid_answers_show_the_error_summary_and_keep_what_was_typed(advisor, case):
    url = f"/tasks/{case.tasks[0].id}"
    response = post(advisor, url, text(advisor.get(url)), {**MISSED_BIN, "bin_type": "",
                                                              "scheduled_collection_date-month": "13"})
    page = text(response)
    assert response.status_code == 400
    assert_good_page(page)
    assert "<title>Error: Record missed collection" in page and "There is a problem" in page
    assert '<a href="#bin_type">Select which bin was missed</a>' in page
    assert ('<a href="#scheduled_collection_date-day">Scheduled collection date must be a real date, '
            'for example 27 3 2025</a>') in page
    assert 'name="scheduled_collection_date-month" type="text" value="13"' in page
    assert re.search(r'value="not_presented"\s+checked', page)


def test_advisor_checks_answers_changes_one_and_is_taken_to_the_next_task(advisor, case, ctx):
    url = f"/tasks/{case.tasks[0].id}"
    check = post(advisor, url, text(advisor.get(url)), MISSED_BIN)
    page = text(check)
    assert check.status_code == 200 and "Check your answers" in page
    assert_good_page(page)
    assert "Dry recycling" in page and "10 March 2025" in page and "Bin not presented" in page
    assert 'formaction="/tasks/%d/change#bin_type"' % case.tasks[0].id in page

    change = post(advisor, f"{url}/change", page, {}, answers=token(page))
    assert re.search(r'value="recycling"\s+checked', text(change)) and 'value="10"' in text(change)

    done = post(advisor, f"{url}/check", page, {}, answers=token(page))
    following = cases.show_case(ctx, case.reference).case.tasks[0]
    assert done.status_code == 302 and done.headers["Location"] == f"/tasks/{following.id}"
    next_page = text(advisor.get(done.headers["Location"]))
    assert "Explain crew report to resident" in next_page and "not presented" in next_page
    assert "Case so far" in next_page and "Dry recycling" in next_page  # summary of the first task


def test_first_contact_resolution_ends_on_the_outcome_page(advisor, case, ctx):
    cases.complete_task(ctx, case.tasks[0].id, {"bin_type": "recycling", "scheduled_collection_date": "2025-03-10",
                                                "bin_out_by_7am": "yes", "bin_location": "kerbside",
                                                "crew_report": "not_presented"})
    task = cases.show_case(ctx, case.reference).case.tasks[0]
    url = f"/tasks/{task.id}"
    check = post(advisor, url, text(advisor.get(url)), {"advice_given": "presentation_time",
                                                        "resident_response": "accepts"})
    done = post(advisor, f"{url}/check", text(check), {}, answers=token(text(check)))
    assert done.headers["Location"] == f"/cases/{case.reference}/outcome"
    outcome = text(advisor.get(done.headers["Location"]))
    assert "Resolved at first contact" in outcome and case.reference in outcome and "resolved first contact" in outcome


def test_a_genuine_miss_is_handed_off_to_waste_services(advisor, case):
    url = f"/tasks/{case.tasks[0].id}"
    check = post(advisor, url, text(advisor.get(url)), {**MISSED_BIN, "crew_report": "none"})
    done = post(advisor, f"{url}/check", text(check), {}, answers=token(text(check)))
    assert "Handed off to Waste Services" in text(advisor.get(done.headers["Location"]))


def test_back_office_completes_directly_without_a_check_page(signed_in, case, ctx):
    cases.complete_task(ctx, case.tasks[0].id, {"bin_type": "refuse", "scheduled_collection_date": "2025-03-10",
                                                "bin_out_by_7am": "yes", "bin_location": "kerbside",
                                                "crew_report": "none"})
    task = cases.show_case(ctx, case.reference).case.tasks[0]
    crew = signed_in(Role.BACK_OFFICE, teams=("Waste Services",))
    page = text(crew.get(f"/tasks/{task.id}"))
    assert "Complete task" in page and "Case so far" in page
    done = post(crew, f"/tasks/{task.id}", page, {"recollection_result": "collected",
                                                   "recollection_date-day": "11", "recollection_date-month": "3",
                                                   "recollection_date-year": "2025"})
    # Issue 12, item 6: back to their own work (here: My tasks, as they came from nowhere), not the outcome page.
    assert done.status_code == 302 and done.headers["Location"] == "/inbox"
    assert cases.show_case(ctx, case.reference).data["recollection_date"] == "2025-03-11"


def test_another_teams_task_is_not_found(signed_in, case):
    # A task in a case the person may not see is answered as one that does not exist (no references leak).
    assert signed_in(Role.BACK_OFFICE, teams=("Highways",)).get(f"/tasks/{case.tasks[0].id}").status_code == 404


def test_a_task_completed_meanwhile_says_so_and_keeps_the_answers(advisor, case, ctx):
    url = f"/tasks/{case.tasks[0].id}"
    check = text(post(advisor, url, text(advisor.get(url)), MISSED_BIN))
    cases.complete_task(ctx, case.tasks[0].id, {"bin_type": "refuse", "scheduled_collection_date": "2025-03-10",
                                                "bin_out_by_7am": "yes", "bin_location": "kerbside",
                                                "crew_report": "none"})
    late = post(advisor, f"{url}/check", check, {}, answers=token(check))
    assert late.status_code == 409 and "already completed" in text(late)
    assert re.search(r'value="recycling"\s+checked', text(late))
    assert "no longer open" in text(advisor.get(url))


def test_answers_that_were_tampered_with_are_refused(advisor, case):
    url = f"/tasks/{case.tasks[0].id}"
    check = text(post(advisor, url, text(advisor.get(url)), MISSED_BIN))
    assert post(advisor, f"{url}/check", check, {}, answers=token(check) + "x").status_code == 400


def test_a_camunda_form_field_task_renders_and_validates(signed_in, ctx):
    deploy_text(ctx, "noise.bpmn", CAMUNDA_NOISE)
    task = cases.start_case(ctx, "noise_complaint").tasks[0]
    officer = signed_in(Role.BACK_OFFICE, teams=("Environmental Health",))
    page = text(officer.get(f"/tasks/{task.id}"))
    assert_good_page(page)
    assert 'name="noise_source" type="radio" value="dog"' in page and 'id="started_on-day"' in page
    assert 'name="nights" type="text"' in page and 'inputmode="numeric"' in page
    assert 'name="ongoing" type="radio" value="true"' in page and 'data-maxlength="300"' in page
    assert "Ask when the noise happens and how often." in page  # bpmn:documentation as instructions
    wrong = post(officer, f"/tasks/{task.id}", page, {"nights": "0", "started_on-day": "31",
                                                      "started_on-month": "2", "started_on-year": "2026"})
    assert wrong.status_code == 400
    for message in ("Select source of the noise", "Nights affected must be 1 or more",
                    "Date it started must be a real date"):
        assert message in text(wrong)
    done = post(officer, f"/tasks/{task.id}", page, {"noise_source": "dog", "nights": "3", "ongoing": "true"})
    assert done.status_code == 302
    data = cases.show_case(ctx, task.case).data
    assert (data["noise_source"], data["nights"], data["ongoing"]) == ("dog", 3, True)


def test_unknown_task_and_case_are_not_found(advisor):
    assert advisor.get("/tasks/999999").status_code == 404
    assert advisor.get("/cases/CF-999999/outcome").status_code == 404
