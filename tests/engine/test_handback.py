"""Back office hands a task back to the front office with a question; the front office answers and
the task returns to whoever had it. Also: bulk assignment, a timer or a cancellation withdrawing a
handed-back task, and a hand-back racing a completion."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from engine.casework import cases, handback
from engine.people import users
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.errors import Conflict, Forbidden, TaskClaimedByOther, TaskNotFound, UserError
from engine.persistence.db import Database
from engine.persistence.tables import Task
from engine.types import Role
from engine.background.worker import fire_due_timers
from tests.conftest import FORMS
from tests.engine.helpers import complete, deploy_library, deploy_text, task_for
from tests.engine.maps import boundary, end, flow, process, start, timer, user_task

RECORD = {"bin_type": "refuse", "scheduled_collection_date": "2025-03-10", "bin_out_by_7am": "yes",
          "bin_location": "rear_lane", "crew_report": "none"}
COLLECTED = {"recollection_result": "collected", "recollection_date": "2025-03-12"}
OFFICER, COLLEAGUE, ADVISOR, OUTSIDER = ("officer@example.gov.uk", "colleague@example.gov.uk",
                                         "advisor@example.gov.uk", "outsider@example.gov.uk")
MONDAY_9AM = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


LEAD = "lead@example.gov.uk"


def _people(ctx: Context) -> None:
    with ctx.db.transaction() as s:
        now = ctx.clock.now()
        users.add_user(s, OFFICER, "Olu Officer", [Role.BACK_OFFICE], now, ["Waste Services"])
        users.add_user(s, COLLEAGUE, "Cat Colleague", [Role.BACK_OFFICE], now, ["Waste Services"])
        users.add_user(s, ADVISOR, "Alex Advisor", [Role.FRONT_OFFICE], now, ["Customer Hub"])
        users.add_user(s, OUTSIDER, "Eve Elsewhere", [Role.BACK_OFFICE], now, ["Environmental Health"])
        users.add_user(s, LEAD, "Lee Lead", [Role.TEAM_LEAD], now, ["Waste Services"])


def _waste_task(ctx: Context) -> tuple[str, int]:
    """A missed-bin case whose re-collection task is open in Waste Services."""
    view = cases.start_case(ctx, "missed_bin_collection", {"postcode": "AB1 2CD"}, channel="phone")
    view = complete(ctx, view, "record_missed_collection", RECORD)
    return view.reference, task_for(view, "arrange_recollection").id


@pytest.fixture
def waste(ctx):
    deploy_library(ctx)
    _people(ctx)
    return _waste_task(ctx)


def _rows(ctx: Context, reference: str) -> list[tuple[str, str]]:
    detail = cases.show_case(ctx, reference)
    with ctx.db.transaction(readonly=True) as s:
        from engine.persistence.tables import Case
        case_id = s.scalar(select(Case.id).where(Case.reference == detail.case.reference))
        return [(t.bpmn_id, t.status) for t in s.scalars(select(Task).where(Task.case_id == case_id).order_by(Task.id))]


def test_back_office_can_return_case_to_front_office_and_get_it_back_answered(ctx, waste):
    reference, task_id = waste
    cases.claim_task(ctx, task_id, OFFICER)
    asked = handback.hand_back(ctx, task_id, "  Which gate is the bin behind?  ", OFFICER)
    assert (asked.team, asked.question, asked.task_status) == ("Customer Hub", "Which gate is the bin behind?",
                                                              "handed_back")
    view = cases.show_case(ctx, reference).case
    assert [(t.bpmn_id, t.status, t.assignee) for t in view.tasks] == [
        ("arrange_recollection", "handed_back", OFFICER)]
    assert [q.id for q in handback.open_questions(ctx, ADVISOR)] == [asked.id]
    assert handback.open_questions(ctx, OFFICER) == []  # not put to Waste Services

    with pytest.raises(Conflict, match="handed back to the front office with a question"):
        cases.complete_task(ctx, task_id, COLLECTED, actor=OFFICER)
    with pytest.raises(Forbidden, match="only its members can answer"):
        handback.answer_question(ctx, asked.id, "Green gate", OFFICER)

    answered = handback.answer_question(ctx, asked.id, "The green gate at the side", ADVISOR)
    assert (answered.answer, answered.answered_by, answered.task_status) == (
        "The green gate at the side", ADVISOR, "open")
    assert handback.open_questions(ctx, ADVISOR) == []
    with pytest.raises(Conflict, match="already answered by advisor@example.gov.uk"):
        handback.answer_question(ctx, asked.id, "Again", ADVISOR)
    assert [q.answer for q in handback.task_questions(ctx, task_id)] == ["The green gate at the side"]

    after = cases.complete_task(ctx, task_id, COLLECTED, actor=OFFICER)  # back with the same officer
    assert after.tasks == [] and after.status == "completed"
    assert _rows(ctx, reference).count(("arrange_recollection", "completed")) == 1
    history = cases.show_case(ctx, reference).history
    handed = next(e for e in history if e.kind == "task_handed_back")
    answer = next(e for e in history if e.kind == "question_answered")
    assert (handed.actor, handed.detail["question"], handed.detail["team"]) == (
        OFFICER, "Which gate is the bin behind?", "Customer Hub")
    assert (answer.actor, answer.detail["answer"]) == (ADVISOR, "The green gate at the side")


def test_a_question_must_be_asked_plainly_and_only_by_someone_who_may_work_the_task(ctx, waste):
    _, task_id = waste
    with pytest.raises(UserError, match="Enter your question"):
        handback.hand_back(ctx, task_id, "   ", OFFICER)
    with pytest.raises(UserError, match="2000 characters or fewer"):
        handback.hand_back(ctx, task_id, "x" * 2001, OFFICER)
    with pytest.raises(TaskNotFound, match=f"There is no task {task_id}$"):  # not their case: as if none
        handback.hand_back(ctx, task_id, "Why?", OUTSIDER)
    cases.claim_task(ctx, task_id, COLLEAGUE)
    with pytest.raises(TaskClaimedByOther, match="claimed by colleague@example.gov.uk"):
        handback.hand_back(ctx, task_id, "Why?", OFFICER)
    handback.hand_back(ctx, task_id, "Why?", COLLEAGUE)
    with pytest.raises(Conflict, match="handed back"):
        handback.hand_back(ctx, task_id, "Why again?", COLLEAGUE)
    with pytest.raises(Conflict, match="handed back"):
        cases.assign_task(ctx, task_id, OFFICER, actor=COLLEAGUE)


def test_a_front_office_task_cannot_be_handed_back_to_the_front_office(ctx, waste):
    view = cases.start_case(ctx, "missed_bin_collection", {"postcode": "AB1 2CD"})
    with pytest.raises(UserError, match="already Customer Hub's own task"):
        handback.hand_back(ctx, view.tasks[0].id, "Why?", ADVISOR)


@pytest.fixture
def timed(database_url):
    context = Context(Database(database_url), clock=FixedClock(MONDAY_9AM), settings=Settings(forms_dir=FORMS))
    yield context
    context.db.dispose()


def test_a_timer_withdrawing_a_handed_back_task_cancels_it_once_and_the_question_lapses(timed):
    deploy_library(timed)
    _people(timed)
    reference, task_id = _waste_task(timed)
    asked = handback.hand_back(timed, task_id, "Which gate?", OFFICER)
    timed.clock.advance(days=2, minutes=1)  # the re-collection's 2-day boundary timer interrupts it
    assert fire_due_timers(timed) == 1
    rows = _rows(timed, reference)
    assert rows.count(("arrange_recollection", "cancelled")) == 1
    assert [b for b, s in rows if s in ("open", "handed_back")] == ["chase_overdue_recollection"]
    assert handback.open_questions(timed, ADVISOR) == []
    with pytest.raises(Conflict, match="no longer waiting"):
        handback.answer_question(timed, asked.id, "Green gate", ADVISOR)


LANE = ('<bpmn:laneSet id="lanes"><bpmn:lane id="waste" name="Waste Services"><bpmn:flowNodeRef>assess</bpmn:flowNodeRef>'
        '<bpmn:flowNodeRef>chase</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>')
REMINDED = process("reminded", "\n".join([
    LANE, start("f1"), user_task("assess", "Assess", "f1", "f2"), end("done", "f2"),
    boundary("reminder", "assess", "f3", timer("timeDuration", '"P1D"'), interrupting=False),
    user_task("chase", "Chase", "f3", "f4"), end("chased", "f4"),
    flow("f1", "start", "assess"), flow("f2", "assess", "done"), flow("f3", "reminder", "chase"),
    flow("f4", "chase", "chased")]))


def test_a_handed_back_task_stays_one_row_while_the_case_moves_and_is_cancelled_with_the_case(timed):
    _people(timed)
    deploy_text(timed, "reminded.bpmn", REMINDED)
    view = cases.start_case(timed, "reminded")
    assess = task_for(view, "assess")
    assert assess.team == "Waste Services"
    handback.hand_back(timed, assess.id, "Which gate?", OFFICER)
    timed.clock.advance(days=1, minutes=1)  # a non-interrupting reminder: the case moves, assess stays
    assert fire_due_timers(timed) == 1
    assert _rows(timed, view.reference) == [("assess", "handed_back"), ("chase", "open")]
    cases.cancel_case(timed, view.reference, actor=ADVISOR, reason="Resident withdrew")
    assert _rows(timed, view.reference) == [("assess", "cancelled"), ("chase", "cancelled")]
    assert handback.open_questions(timed, ADVISOR) == []


def test_bulk_assign_assigns_each_task_it_may_and_reports_each_refusal(ctx, waste):
    first_ref, first = waste
    _, second = _waste_task(ctx)
    _, done = _waste_task(ctx)
    cases.complete_task(ctx, done, COLLECTED, actor=OFFICER)
    front = cases.start_case(ctx, "missed_bin_collection", {"postcode": "AB1 2CD"}).tasks[0].id
    result = cases.bulk_assign(ctx, [second, first, done, front, first], COLLEAGUE, actor=LEAD)
    assert sorted(t.id for t in result.assigned) == [first, second]
    assert all(t.assignee == COLLEAGUE for t in result.assigned)
    assert set(result.refused) == {done, front}
    assert "already completed by officer@example.gov.uk" in result.refused[done]
    assert result.refused[front] == f"There is no task {front}"  # a case the lead's teams do not work
    ghost = cases.bulk_assign(ctx, [first], "ghost@example.gov.uk", actor=LEAD)
    assert ghost.refused[first] == f"ghost@example.gov.uk is not a member of Waste Services, so task {first} " \
        "cannot be assigned to them"
    plain = cases.bulk_assign(ctx, [first], OFFICER, actor=COLLEAGUE)  # only team leads give work to others
    assert "Only a team lead" in plain.refused[first]
    with pytest.raises(UserError, match="Select at least one task"):
        cases.bulk_assign(ctx, [], COLLEAGUE, actor=OFFICER)


def test_assigning_to_someone_outside_the_tasks_team_is_refused_by_address(ctx, waste):
    _, task_id = waste
    with pytest.raises(Forbidden, match=r"outsider@example.gov.uk is not a member of Waste Services"):
        cases.assign_task(ctx, task_id, OUTSIDER, actor=LEAD)
    result = cases.bulk_assign(ctx, [task_id], OUTSIDER, actor=LEAD)
    assert result.assigned == [] and "is not a member of Waste Services" in result.refused[task_id]


def test_hand_back_and_completion_at_once_exactly_one_wins_and_nothing_is_lost(ctx, waste):
    reference, task_id = waste
    barrier, outcomes = threading.Barrier(2), {}

    def attempt(action: str) -> None:
        barrier.wait()
        try:
            if action == "hand back":
                handback.hand_back(ctx, task_id, "Which gate?", OFFICER)
            else:
                cases.complete_task(ctx, task_id, COLLECTED, actor=COLLEAGUE)
            outcomes[action] = "ok"
        except Conflict as err:
            outcomes[action] = err.message

    threads = [threading.Thread(target=attempt, args=(a,)) for a in ("hand back", "complete")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert list(outcomes.values()).count("ok") == 1, outcomes
    kinds = [e.kind for e in cases.show_case(ctx, reference).history if e.task_id == task_id]
    rows = [r for r in _rows(ctx, reference) if r[0] == "arrange_recollection"]
    if outcomes["hand back"] == "ok":
        assert "handed back" in outcomes["complete"]
        assert rows == [("arrange_recollection", "handed_back")] and "task_completed" not in kinds
        assert len(handback.open_questions(ctx, ADVISOR)) == 1
    else:
        assert "already completed by colleague@example.gov.uk" in outcomes["hand back"]
        assert rows == [("arrange_recollection", "completed")] and "task_handed_back" not in kinds
        assert handback.open_questions(ctx, ADVISOR) == []
    with ctx.db.transaction(readonly=True) as s:
        from engine.persistence.tables import Question
        assert s.scalar(select(func.count()).select_from(Question)) == (1 if outcomes["hand back"] == "ok" else 0)


def test_a_handed_back_tasks_sla_clock_keeps_running_while_the_case_moves(timed):
    from engine.deadlines import sla
    from engine.persistence.tables import SlaClock
    from engine.types import SlaUnit
    _people(timed)
    deploy_text(timed, "reminded.bpmn", REMINDED)
    sla.set_policy(timed, "reminded", "assess", sla.SlaTerms(SlaUnit.WORKING_DAYS, 5), "admin@example.gov.uk")
    view = cases.start_case(timed, "reminded")
    handback.hand_back(timed, task_for(view, "assess").id, "Which gate?", OFFICER)
    timed.clock.advance(days=1, minutes=1)
    assert fire_due_timers(timed) == 1  # the case is saved again while assess waits for its answer
    with timed.db.transaction(readonly=True) as s:
        clock = s.scalar(select(SlaClock).where(SlaClock.task_id == task_for(view, "assess").id))
        assert (clock.state, clock.stopped_at) == ("on_track", None)
