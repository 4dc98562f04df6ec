"""Notifications through the REST API, each from the real action: the officer's hand-back tells the
front office, its answer tells the officer, a lead's assignment tells the assignee; each person
lists their own, the unread only, and marks them read."""
from __future__ import annotations

import pytest

from engine.types import Role
from tests.webui.test_api import advisor, api_as, library  # noqa: F401  (fixtures)
from tests.webui.test_api_questions import GENUINE_MISS


def _unread(api) -> list[dict]:
    found = api.get("/notifications?unread=true")
    assert found.status_code == 200, found.json
    assert found.json["unread"] == found.json["total"] == len(found.json["items"])
    return found.json["items"]


@pytest.mark.usefixtures("library")
def test_hand_back_answer_and_assignment_each_tell_the_right_person(api_as, advisor):  # noqa: F811
    officer = api_as(Role.BACK_OFFICE, teams=("Waste Services",))
    lead = api_as(Role.TEAM_LEAD, teams=("Waste Services",))
    case = advisor.post("/cases", {"process": "missed_bin_collection"}).json
    handed = advisor.post(f"/tasks/{case['tasks'][0]['id']}/complete", {"data": GENUINE_MISS}).json
    task_id = next(t for t in handed["tasks"] if t["team"] == "Waste Services")["id"]

    assert lead.post(f"/tasks/{task_id}/assign", {"assignee": officer.email}).status_code == 200
    [assigned] = _unread(officer)
    assert assigned["task_id"] == task_id and assigned["case"] == case["reference"]
    assert "assigned you" in assigned["text"] and assigned["read"] is False
    assert _unread(lead) == []

    asked = officer.post(f"/tasks/{task_id}/hand-back", {"question": "Which gate is the bin behind?"}).json
    [question] = _unread(advisor)
    assert question["case"] == case["reference"] and "“Which gate is the bin behind?”" in question["text"]

    advisor.post(f"/questions/{asked['id']}/answer", {"answer": "The blue gate"})
    answered, _ = _unread(officer)  # newest first
    assert "answered your question" in answered["text"] and "“The blue gate”" in answered["text"]

    marked = officer.post("/notifications/read", {"ids": [answered["id"]]})
    assert marked.status_code == 200 and marked.json == {"marked": 1, "unread": 1}
    assert [n["id"] for n in _unread(officer)] == [assigned["id"]]
    everything = officer.get("/notifications").json
    assert [n["read"] for n in everything["items"]] == [True, False] and everything["unread"] == 1
    assert officer.post("/notifications/read").json == {"marked": 1, "unread": 0}
    assert advisor.post("/notifications/read", {"ids": [assigned["id"]]}).json["marked"] == 0  # not theirs
    assert _unread(advisor) != []


def test_wrong_notification_calls_are_json_errors(advisor):  # noqa: F811
    assert advisor.get("/notifications?unread=yes").status_code == 422
    assert advisor.post("/notifications/read", {"ids": ["one"]}).status_code == 422
