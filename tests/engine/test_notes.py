"""Notes on a case: added by anyone who may see the case, on the case or one of its tasks, listed
oldest first and recorded in the history."""
from __future__ import annotations

import pytest

from engine.casework import cases, notes
from engine.people import users
from engine.errors import CaseNotFound, TaskNotFound, UserError
from engine.types import Role
from tests.engine.helpers import complete, deploy_library, task_for

RECORD = {"bin_type": "refuse", "scheduled_collection_date": "2025-03-10", "bin_out_by_7am": "yes",
          "bin_location": "rear_lane", "crew_report": "none"}


@pytest.fixture
def case(ctx):
    deploy_library(ctx)
    with ctx.db.transaction() as s:
        now = ctx.clock.now()
        users.add_user(s, "officer@example.gov.uk", "Olu Officer", [Role.BACK_OFFICE], now, ["Waste Services"])
        users.add_user(s, "advisor@example.gov.uk", "Alex Advisor", [Role.FRONT_OFFICE], now, ["Customer Hub"])
        users.add_user(s, "eh@example.gov.uk", "Eve", [Role.BACK_OFFICE], now, ["Environmental Health"])
    view = cases.start_case(ctx, "missed_bin_collection", {"postcode": "AB1 2CD"})
    return complete(ctx, view, "record_missed_collection", RECORD)


def test_staff_add_notes_to_a_case_and_its_tasks_and_see_them_in_order(ctx, case):
    task = task_for(case, "arrange_recollection")
    first = notes.add_note(ctx, case.reference, "  Resident rang back  ", "advisor@example.gov.uk")
    second = notes.add_note(ctx, case.reference, "Crew booked for Tuesday", "officer@example.gov.uk",
                            task_id=task.id)
    assert first.text == "Resident rang back" and first.task_id is None
    listed = notes.list_notes(ctx, case.reference)
    assert [(n.author, n.text, n.task_name) for n in listed] == [
        ("advisor@example.gov.uk", "Resident rang back", None),
        ("officer@example.gov.uk", "Crew booked for Tuesday", "Arrange re-collection and record result")]
    assert listed[1].id == second.id
    added = [e for e in cases.show_case(ctx, case.reference).history if e.kind == "note_added"]
    assert [e.detail["text"] for e in added] == ["Resident rang back", "Crew booked for Tuesday"]
    assert added[1].task_id == task.id


def test_a_note_must_have_text_belong_to_the_case_and_come_from_someone_who_may_see_it(ctx, case):
    with pytest.raises(UserError, match="Enter the note"):
        notes.add_note(ctx, case.reference, "  ", "advisor@example.gov.uk")
    with pytest.raises(UserError, match="5000 characters or fewer"):
        notes.add_note(ctx, case.reference, "x" * 5001, "advisor@example.gov.uk")
    with pytest.raises(CaseNotFound, match=f"There is no case {case.reference}$"):  # not theirs: as if none
        notes.add_note(ctx, case.reference, "Hello", "eh@example.gov.uk")
    with pytest.raises(TaskNotFound):
        notes.add_note(ctx, case.reference, "Hello", "officer@example.gov.uk", task_id=999_999)
    with pytest.raises(CaseNotFound):
        notes.add_note(ctx, "CF-999999", "Hello", "officer@example.gov.uk")
    assert notes.list_notes(ctx, case.reference) == []
