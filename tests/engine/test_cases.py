"""Cases and tasks through the engine's use cases: start, claim, complete, version pinning,
concurrency, failures and long hand-off loops."""
from __future__ import annotations

import threading

import pytest

from engine.bpmn import registry
from engine.casework import cases
from engine.people import routing, users
from engine.errors import (CaseNotOpen, ConcurrentUpdate, Forbidden, FormInvalid, TaskAlreadyCompleted,
                           TaskClaimedByOther, TaskNotFound, UserError)
from engine.types import Role
from tests.engine.helpers import complete, deploy_library, deploy_text, task_for

RECORD = {"bin_type": "refuse", "scheduled_collection_date": "2025-03-10", "bin_out_by_7am": "yes",
          "bin_location": "rear_lane", "crew_report": "none"}
MORE_INFO = {"recollection_result": "more_information_needed", "information_needed": "Which gate?"}
ANSWER = {"contact_method": "phone", "contact_outcome": "provided", "information_provided": "Green gate"}
COLLECTED = {"recollection_result": "collected", "recollection_date": "2025-03-12"}

SIMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:collaboration id="c"><bpmn:participant id="p" processRef="simple" /></bpmn:collaboration>
  <bpmn:process id="simple" name="Simple" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l1" name="Revenues"><bpmn:flowNodeRef>start</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>review</bpmn:flowNodeRef><bpmn:flowNodeRef>script</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="REVIEW_NAME"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="script" name="Decide"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>SCRIPT</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="script" />
    <bpmn:sequenceFlow id="f3" sourceRef="script" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def simple(name: str = "Review", script: str = "outcome = 'done'") -> str:
    return SIMPLE.replace("REVIEW_NAME", name).replace("SCRIPT", script)


def _start_missed_bin(ctx):
    deploy_library(ctx)
    return cases.start_case(ctx, "missed_bin_collection", {"postcode": "AB1 2CD"}, channel="web")


def test_case_gets_a_human_reference_and_its_first_task_goes_to_the_lane_team(ctx):
    view = _start_missed_bin(ctx)
    assert view.reference == "CF-000001" and view.status == "open" and view.channel == "web"
    assert task_for(view, "record_missed_collection").team == "Customer Hub"
    view = complete(ctx, view, "record_missed_collection", RECORD)
    assert task_for(view, "arrange_recollection").team == "Waste Services"


def test_every_action_is_in_the_history_with_who_and_what_changed(ctx):
    with ctx.db.transaction() as s:
        users.add_user(s, "advisor@example.gov.uk", "Sam", [Role.FRONT_OFFICE], ctx.clock.now(), ["Customer Hub"])
    view = _start_missed_bin(ctx)
    complete(ctx, view, "record_missed_collection", RECORD, actor="advisor@example.gov.uk")
    history = cases.show_case(ctx, view.reference).history
    done = [e for e in history if e.kind == "task_completed"][0]
    assert done.actor == "advisor@example.gov.uk"
    assert done.detail["data"] == RECORD
    assert done.detail["changes"]["bin_type"] == "refuse"
    assert history[0].kind == "case_started" and history[0].detail["channel"] == "web"


def test_two_people_completing_the_same_task_at_once_exactly_one_succeeds(ctx):
    with ctx.db.transaction() as s:
        for who in ("a", "b"):
            users.add_user(s, f"{who}@example.gov.uk", who, [Role.FRONT_OFFICE], ctx.clock.now(), ["Customer Hub"])
    view = _start_missed_bin(ctx)
    task_id = task_for(view, "record_missed_collection").id
    barrier, outcomes = threading.Barrier(2), {}

    def attempt(who: str) -> None:
        barrier.wait()
        try:
            cases.complete_task(ctx, task_id, RECORD, actor=f"{who}@example.gov.uk")
            outcomes[who] = "ok"
        except (TaskAlreadyCompleted, ConcurrentUpdate) as err:
            outcomes[who] = err.message

    threads = [threading.Thread(target=attempt, args=(w,)) for w in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()).count("ok") == 1, outcomes
    loser = next(v for v in outcomes.values() if v != "ok")
    winner = next(k for k, v in outcomes.items() if v == "ok")
    assert f"already completed by {winner}@example.gov.uk" in loser
    detail = cases.show_case(ctx, view.reference)
    assert [e.kind for e in detail.history].count("task_completed") == 1
    assert [t.bpmn_id for t in detail.case.tasks] == ["arrange_recollection"]


def test_completing_with_invalid_data_keeps_the_task_open_and_reports_each_field(ctx):
    view = _start_missed_bin(ctx)
    with pytest.raises(FormInvalid) as err:
        complete(ctx, view, "record_missed_collection", {"bin_type": "purple"})
    assert err.value.errors["bin_type"].startswith("Select")
    assert err.value.errors["scheduled_collection_date"] == "Enter the scheduled collection date"
    assert cases.show_case(ctx, view.reference).case.tasks[0].bpmn_id == "record_missed_collection"


def test_claim_assign_and_unclaim(ctx):
    with ctx.db.transaction() as s:
        users.add_user(s, "a@example.gov.uk", "A", [Role.BACK_OFFICE], ctx.clock.now(), ["Customer Hub"])
        users.add_user(s, "b@example.gov.uk", "B", [Role.BACK_OFFICE], ctx.clock.now(), ["Customer Hub"])
        users.add_user(s, "l@example.gov.uk", "L", [Role.TEAM_LEAD], ctx.clock.now(), ["Customer Hub"])
        users.add_user(s, "w@example.gov.uk", "W", [Role.BACK_OFFICE], ctx.clock.now(), ["Waste Services"])
    view = _start_missed_bin(ctx)
    task = task_for(view, "record_missed_collection")
    assert cases.claim_task(ctx, task.id, "a@example.gov.uk").assignee == "a@example.gov.uk"
    with pytest.raises(TaskClaimedByOther):
        cases.claim_task(ctx, task.id, "b@example.gov.uk")
    # Only a team lead gives a task to someone else (the web inbox and the API share this rule).
    with pytest.raises(Forbidden, match="Only a team lead"):
        cases.assign_task(ctx, task.id, "b@example.gov.uk", actor="a@example.gov.uk")
    assert cases.assign_task(ctx, task.id, "b@example.gov.uk", actor="l@example.gov.uk").assignee == \
        "b@example.gov.uk"
    assert cases.unclaim_task(ctx, task.id, actor="b@example.gov.uk").assignee is None
    # No account, or not in the team: the same refusal, so it never tells who has an account.
    with pytest.raises(Forbidden, match="ghost@example.gov.uk is not a member of Customer Hub"):
        cases.assign_task(ctx, task.id, "ghost@example.gov.uk")
    with pytest.raises(Forbidden, match="w@example.gov.uk is not a member of Customer Hub"):
        cases.assign_task(ctx, task.id, "w@example.gov.uk", actor="l@example.gov.uk")
    # Someone who may not see the case is told the task does not exist.
    with pytest.raises(TaskNotFound, match=f"There is no task {task.id}$"):
        cases.claim_task(ctx, task.id, "w@example.gov.uk")
    kinds = [e.kind for e in cases.show_case(ctx, view.reference).history]
    assert kinds.count("task_claimed") == 1 and "task_assigned" in kinds and "task_unclaimed" in kinds


def test_running_case_stays_on_the_version_it_started_on(ctx):
    assert deploy_text(ctx, "simple.bpmn", simple("Review v1")).deployed[0].version == 1
    old = cases.start_case(ctx, "simple")
    second = deploy_text(ctx, "simple.bpmn", simple("Review v2")).deployed[0]
    assert (second.version, second.changed) == (2, True)
    assert deploy_text(ctx, "simple.bpmn", simple("Review v2")).deployed[0].changed is False
    new = cases.start_case(ctx, "simple")
    assert (old.version, old.tasks[0].name) == (1, "Review v1")
    assert (new.version, new.tasks[0].name) == (2, "Review v2")
    assert cases.complete_task(ctx, old.tasks[0].id, {}).status == "completed"
    with ctx.db.transaction() as s:
        assert registry.get_version(s, "simple").version == 2


def test_a_script_that_breaks_the_sandbox_fails_the_step_and_the_case_can_be_retried(ctx):
    deploy_text(ctx, "simple.bpmn", simple(script="outcome = missing_variable + 1"))
    view = cases.start_case(ctx, "simple")
    failed = cases.complete_task(ctx, view.tasks[0].id, {})
    assert failed.status == "failed"
    assert "script" in failed.error and "missing_variable" in failed.error
    assert cases.show_case(ctx, view.reference).history[-1].kind == "step_failed"
    again = cases.retry_case(ctx, view.reference)
    assert again.status == "failed"  # still broken, but nothing lost and no crash
    with pytest.raises(CaseNotOpen):
        cases.retry_case(ctx, cases.start_case(ctx, "simple").reference)


def test_runaway_script_is_stopped_by_the_time_limit(ctx):
    ctx.runtime.script_engine.environment.time_limit_s = 0.3
    deploy_text(ctx, "simple.bpmn", simple(script="while True: pass"))
    view = cases.start_case(ctx, "simple")
    failed = cases.complete_task(ctx, view.tasks[0].id, {})
    assert failed.status == "failed" and "was stopped" in failed.error


def test_cancel_case_closes_its_tasks(ctx):
    view = _start_missed_bin(ctx)
    cancelled = cases.cancel_case(ctx, view.reference, reason="duplicate report")
    assert cancelled.status == "cancelled" and cases.list_tasks(ctx, case=view.reference) == []
    with pytest.raises(CaseNotOpen):
        cases.cancel_case(ctx, view.reference)


def test_channel_must_be_one_we_know(ctx):
    deploy_library(ctx)
    with pytest.raises(UserError, match="not a channel"):
        cases.start_case(ctx, "missed_bin_collection", channel="pigeon")


def test_renamed_team_and_remapped_lane_route_new_tasks(ctx):
    deploy_library(ctx)
    with ctx.db.transaction() as s:
        routing.ensure_team(s, "Contact Centre", ctx.clock.now())
        routing.map_lane(s, "Customer Hub", "Contact Centre")
    view = cases.start_case(ctx, "missed_bin_collection")
    assert view.tasks[0].team == "Contact Centre"
    with ctx.db.transaction() as s:
        routing.rename_team(s, "Contact Centre", "Customer Contact Centre")
    assert cases.list_tasks(ctx, team="Customer Contact Centre")[0].id == view.tasks[0].id


@pytest.mark.slow
def test_hand_back_loop_with_boundary_timer_survives_250_round_trips(ctx):
    view = _start_missed_bin(ctx)
    view = complete(ctx, view, "record_missed_collection", RECORD)
    for _ in range(250):
        view = complete(ctx, view, "arrange_recollection", MORE_INFO)
        assert view.status == "open"
        view = complete(ctx, view, "get_more_information", ANSWER)
    view = complete(ctx, view, "arrange_recollection", COLLECTED)
    assert view.status == "completed"
    assert cases.show_case(ctx, view.reference).data["outcome"] == "recollected"


ENDLESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="spin" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="count" name="Count"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>back</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>n = n + 1 if "n" in dir() else 1</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="more" default="back"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>back</bpmn:outgoing>
      <bpmn:outgoing>out</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>out</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="count" />
    <bpmn:sequenceFlow id="f2" sourceRef="count" targetRef="more" />
    <bpmn:sequenceFlow id="back" sourceRef="more" targetRef="count" />
    <bpmn:sequenceFlow id="out" sourceRef="more" targetRef="end"><bpmn:conditionExpression>False</bpmn:conditionExpression></bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_map_that_loops_forever_without_waiting_fails_its_case_instead_of_hanging(ctx):
    deploy_text(ctx, "spin.bpmn", ENDLESS.replace('n = n + 1 if "n" in dir() else 1', "counter = 1"))
    view = cases.start_case(ctx, "spin")
    assert view.status == "failed" and "loops forever" in view.error
