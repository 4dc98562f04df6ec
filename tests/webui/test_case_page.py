"""The case page: summary, a plain-English timeline of everything that happened, current data, open
tasks, notes (with the add-note form), documents and the diagram with completed and active tasks;
seen by the front office and by back-office teams with a task on the case; anyone else is told, as for a
reference that does not exist, 404."""
from __future__ import annotations

import html
import json
import re

import pytest

from engine.bpmn import registry
from engine.casework import cases, handback
from engine.types import Role
from engine.casework.views import EventView
from tests.browser.pagecheck import assert_good_page
from tests.conftest import FORMS, PROCESSES
from tests.webui.conftest import csrf_token, sign_in
from webui.casepage import describe

RECORD = {"bin_type": "refuse", "scheduled_collection_date": "2025-03-10", "bin_out_by_7am": "yes",
          "bin_location": "rear_lane", "crew_report": "none"}
OFFICER, ADVISOR, OUTSIDER = "officer@example.gov.uk", "advisor@example.gov.uk", "outsider@example.gov.uk"


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def case(ctx, app, make_user):
    registry.deploy(ctx, registry.read_paths([PROCESSES / "missed_bin_collection.bpmn", FORMS]))
    make_user(OFFICER, Role.BACK_OFFICE, teams=("Waste Services",))
    with ctx.db.transaction() as s:
        from engine.people import users
        users.add_user(s, ADVISOR, "Alex Advisor", [Role.FRONT_OFFICE], ctx.clock.now(), ["Customer Hub"],
                       "correct horse battery staple")
    make_user(OUTSIDER, Role.BACK_OFFICE, teams=("Environmental Health",))
    view = cases.start_case(ctx, "missed_bin_collection", {"customer_name": "Pat Smith"}, channel="phone",
                            actor=ADVISOR)
    view = cases.complete_task(ctx, view.tasks[0].id, RECORD, actor=ADVISOR)
    task_id = view.tasks[0].id
    cases.claim_task(ctx, task_id, OFFICER)
    question = handback.hand_back(ctx, task_id, "Which gate?", OFFICER)
    handback.answer_question(ctx, question.id, "The green one", ADVISOR)
    return view.reference, task_id


def client_for(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def test_case_page_tells_the_story_of_the_case_in_plain_english(app, case):
    reference, task_id = case
    page = text(client_for(app, OFFICER).get(f"/cases/{reference}"))
    assert_good_page(page)
    assert f"<h1 class=\"govuk-heading-l\">Case {reference}</h1>" in page
    assert "Missed bin collection (version 1)" in page and "Pat Smith" in page and "Alex Advisor" in page
    for sentence in ("Alex Advisor started the case by phone", "Alex Advisor completed “Record missed collection”",
                     "Task “Arrange re-collection and record result” created for Waste Services",
                     "officer claimed “Arrange re-collection and record result”",
                     "officer handed “Arrange re-collection and record result” back to Customer Hub: Which gate?",
                     "Alex Advisor answered for Customer Hub: The green one"):
        assert sentence in page, sentence
    newest = page.index("Alex Advisor answered for Customer Hub")
    assert newest < page.index("Alex Advisor started the case by phone")  # newest first by default
    oldest = text(client_for(app, OFFICER).get(f"/cases/{reference}?order=oldest"))
    assert oldest.index("started the case by phone") < oldest.index("answered for Customer Hub")
    # The form's question and option title, not the field's name and code.
    assert f'href="/tasks/{task_id}"' in page and "Where was the bin left?" in page and "Rear lane or alley" in page
    assert "Case reference" not in page  # internal data is not shown
    # What no form asked (set by the map's scripts) is folded under "Technical details", after the answers.
    folded = page[page.index("Technical details"):page.index('id="notes"')]
    assert "Recollection status" in folded and "Where was the bin left?" not in folded
    assert "Recollection status" not in page[:page.index("Technical details")]
    assert re.search(r"Channel\s*</dt>\s*<dd[^>]*>\s*Phone\s*</dd>", page) and "(by phone)" not in page
    highlighted = {name: json.loads(html.unescape(value))
                   for name, value in re.findall(r'data-(active|completed)="([^"]*)"', page)}
    assert highlighted["active"] == ["arrange_recollection"]
    assert "record_missed_collection" in highlighted["completed"]
    assert "/diagrams/missed_bin_collection/1" in page
    assert "Documents" in page and "No notes yet" in page


def test_notes_are_added_on_the_case_page_and_shown_there(app, case):
    reference, _ = case
    officer = client_for(app, OFFICER)
    token = csrf_token(text(officer.get(f"/cases/{reference}")))
    response = officer.post(f"/cases/{reference}/notes", data={"csrf_token": token, "text": "Crew booked"})
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{reference}#notes"
    page = text(officer.get(f"/cases/{reference}"))
    assert_good_page(page)
    assert "Note added" in page and "Crew booked" in page and "officer added a note: Crew booked" in page
    officer.post(f"/cases/{reference}/notes", data={"csrf_token": token, "text": "  "})
    assert "Enter the note" in text(officer.get(f"/cases/{reference}"))


def test_only_staff_whose_teams_work_the_case_or_the_front_office_see_it(app, case):
    reference, _ = case
    assert client_for(app, ADVISOR).get(f"/cases/{reference}").status_code == 200
    outsider = client_for(app, OUTSIDER)
    assert outsider.get(f"/cases/{reference}").status_code == 404
    token = csrf_token(text(outsider.get("/inbox")))
    assert outsider.post(f"/cases/{reference}/notes", data={"csrf_token": token, "text": "x"}).status_code == 404
    assert outsider.get("/cases/CF-999999").status_code == 404


def test_every_event_kind_reads_as_a_sentence_and_unknown_kinds_still_show():
    def said(kind: str, **detail) -> str:
        return describe(EventView("2026-03-02T09:00:00+00:00", "a@x.gov.uk", kind, None, detail), {"a@x.gov.uk": "Ann"})
    assert said("call_succeeded", operation="assets/create_request") == \
        "Sent to the assets system (assets/create_request)"
    assert said("case_cancelled", reason="Duplicate") == "Ann cancelled the case: Duplicate"
    assert said("case_completed", outcome="recollected") == "The case was completed (recollected)"
    assert said("something_new") == "Something new (Ann)"


def test_a_note_added_on_the_task_page_returns_there_and_belongs_to_the_task(app, case, ctx):
    reference, task_id = case
    officer = client_for(app, OFFICER)
    page = text(officer.get(f"/tasks/{task_id}"))
    response = officer.post(f"/cases/{reference}/notes", data={
        "csrf_token": csrf_token(page), "text": "Gate code 1234", "task_id": str(task_id), "next": f"/tasks/{task_id}"})
    assert response.headers["Location"] == f"/tasks/{task_id}#notes"
    page = text(officer.get(f"/tasks/{task_id}"))
    assert_good_page(page)
    assert "Gate code 1234" in page and "Note added" in page
    from engine.casework import notes
    assert [n.task_id for n in notes.list_notes(ctx, reference)] == [task_id]
