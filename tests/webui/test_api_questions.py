"""Hand-backs through the REST API: the officer asks, the front office lists and answers, the task
returns to the officer; both steps are in the case history, and wrong calls are JSON errors."""
from __future__ import annotations

import pytest

from engine.types import Role
from tests.cli.test_cli_lifecycle import MISSED_BIN
from tests.webui.test_api import advisor, api_as, library  # noqa: F401  (fixtures)

GENUINE_MISS = {**MISSED_BIN, "bin_out_by_7am": "yes", "crew_report": "none"}


@pytest.mark.usefixtures("library")
def test_officer_hands_back_and_the_front_office_answers_through_the_api(api_as, advisor):  # noqa: F811
    officer = api_as(Role.BACK_OFFICE, teams=("Waste Services",))
    case = advisor.post("/cases", {"process": "missed_bin_collection"}).json
    handed = advisor.post(f"/tasks/{case['tasks'][0]['id']}/complete", {"data": GENUINE_MISS}).json
    waste_task = next(t for t in handed["tasks"] if t["team"] == "Waste Services")
    assert officer.post(f"/tasks/{waste_task['id']}/claim").status_code == 200

    asked = officer.post(f"/tasks/{waste_task['id']}/hand-back", {"question": "Which gate is the bin behind?"})
    assert asked.status_code == 200, asked.json
    assert asked.json["team"] == "Customer Hub" and asked.json["task_status"] == "handed_back"
    blocked = officer.post(f"/tasks/{waste_task['id']}/complete", {"data": {}})
    assert blocked.status_code == 409 and "handed back" in blocked.json["message"]
    assert officer.get("/questions").json == []  # Waste Services was not asked

    waiting = advisor.get("/questions").json
    question = next(q for q in waiting if q["task_id"] == waste_task["id"])
    assert question["question"] == "Which gate is the bin behind?" and question["case"] == case["reference"]
    answered = advisor.post(f"/questions/{question['id']}/answer", {"answer": "The blue gate"})
    assert answered.status_code == 200 and answered.json["answered_by"] == advisor.email
    assert answered.json["task_status"] == "open"
    mine = officer.get("/tasks?assignee=me").json["items"]
    assert [t["id"] for t in mine] == [waste_task["id"]]
    kinds = [e["kind"] for e in officer.get(f"/cases/{case['reference']}/history").json["history"]]
    assert "task_handed_back" in kinds and "question_answered" in kinds


@pytest.mark.usefixtures("library")
def test_wrong_hand_back_calls_are_json_errors(api_as, advisor):  # noqa: F811
    case = advisor.post("/cases", {"process": "missed_bin_collection"}).json
    task_id = case["tasks"][0]["id"]
    blank = advisor.post(f"/tasks/{task_id}/hand-back", {"question": ""})
    assert blank.status_code == 422 and "question" in blank.json["errors"]
    assert advisor.post("/tasks/999999/hand-back", {"question": "Why?"}).status_code == 404
    assert advisor.post("/questions/999999/answer", {"answer": "Yes"}).status_code == 404
    outsider = api_as(Role.BACK_OFFICE, teams=("Waste Services",))
    assert outsider.post(f"/tasks/{task_id}/hand-back", {"question": "Why?"}).status_code == 404  # as if none
    assert api_as(Role.ANALYST).get("/questions").status_code == 403
