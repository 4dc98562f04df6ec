"""What diagrams show over a map: cases waiting at each task per version, a version's own BPMN file
and user tasks, the analysts' process list, and one case's finished and waiting elements."""
from __future__ import annotations

from typing import Any

import pytest

from engine.bpmn import diagrams, registry
from engine.casework import cases
from engine.outbox import outbox
from engine.errors import CaseNotFound, ProcessNotFound
from tests.engine.helpers import complete, deploy_text
from tests.engine.maps import end, flow, process, start, user_task

ANALYST = "ana@example.gov.uk"


def two_step(key: str, first: str = "Check the report") -> str:
    return process(key, "\n".join([
        start("f1"), user_task("check", first, "f1", "f2"), user_task("decide", "Decide", "f2", "f3"),
        end("end", "f3"), flow("f1", "start", "check"), flow("f2", "check", "decide"), flow("f3", "decide", "end")]))


SERVICE = ('<bpmn:serviceTask id="lookup" name="Look up account"><bpmn:extensionElements>'
           '<spiffworkflow:serviceTaskOperator id="revenues/lookup_account" resultVariable="account">'
           '<spiffworkflow:parameters><spiffworkflow:parameter id="ref" type="str" value="account_ref" />'
           '</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>'
           '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>')
WITH_CALL = process("account_check", "\n".join([
    start("f1"), SERVICE, user_task("review", "Review the account", "f2", "f3"), end("end", "f3"),
    flow("f1", "start", "lookup"), flow("f2", "lookup", "review"), flow("f3", "review", "end")]))
FAILING = process("fragile", "\n".join([
    start("f1"), user_task("ask", "Ask", "f1", "f2"),
    '<bpmn:scriptTask id="sum" name="Work it out"><bpmn:incoming>f2</bpmn:incoming>'
    '<bpmn:outgoing>f3</bpmn:outgoing><bpmn:script>total = 1 / 0</bpmn:script></bpmn:scriptTask>',
    end("end", "f3"), flow("f1", "start", "ask"), flow("f2", "ask", "sum"), flow("f3", "sum", "end")]))


class BackOffice:
    """Answers every call at once, like a revenues system that always finds the account."""

    def operations(self) -> set[str]:
        return {"revenues/lookup_account"}

    def call(self, qualified: str, params: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return {"account": params["ref"], "balance": 0}

    def policy(self, qualified: str) -> Any:
        raise AssertionError("the fake back office never fails")


def test_cases_waiting_are_counted_per_task_and_per_version(ctx):
    deploy_text(ctx, "triage.bpmn", two_step("triage"))
    first = cases.start_case(ctx, "triage")
    cases.start_case(ctx, "triage")
    complete(ctx, first, "check", {})
    deploy_text(ctx, "triage.bpmn", two_step("triage", "Check the report again"))
    cases.start_case(ctx, "triage")

    assert diagrams.waiting_counts(ctx, "triage") == {"check": 2, "decide": 1}
    assert diagrams.waiting_counts(ctx, "triage", 1) == {"check": 1, "decide": 1}
    assert diagrams.waiting_counts(ctx, "triage", 2) == {"check": 1}
    assert diagrams.waiting_counts(ctx, "nobody_deployed_this") == {}


def test_a_diagram_is_the_versions_own_map_with_its_tasks_in_map_order(ctx):
    deploy_text(ctx, "triage.bpmn", two_step("triage"))
    deploy_text(ctx, "triage.bpmn", two_step("triage", "Check the report again"))
    cases.start_case(ctx, "triage")

    latest = diagrams.diagram(ctx, "triage")
    assert (latest.key, latest.version, latest.file) == ("triage", 2, "triage.bpmn")
    assert "Check the report again" in latest.xml
    assert [(t.bpmn_id, t.name, t.waiting) for t in latest.tasks] == [
        ("check", "Check the report again", 1), ("decide", "Decide", 0)]
    assert latest.counts == {"check": 1}
    first = diagrams.diagram(ctx, "triage", 1)
    assert first.version == 1 and first.counts == {} and "Check the report again" not in first.xml
    assert diagrams.diagram_xml(ctx, "triage", 1) == first.xml


def test_the_main_file_is_found_by_process_id_among_called_maps(ctx):
    deploy_text(ctx, "a_child.bpmn", two_step("child"))
    caller = process("parent", "\n".join([
        start("f1"), '<bpmn:callActivity id="call" calledElement="child"><bpmn:incoming>f1</bpmn:incoming>'
                     '<bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>',
        end("end", "f2"), flow("f1", "start", "call"), flow("f2", "call", "end")]))
    deploy_text(ctx, "parent.bpmn", caller)
    shown = diagrams.diagram(ctx, "parent")
    assert shown.file == "parent.bpmn" and 'id="parent"' in shown.xml


def test_unknown_processes_and_versions_are_not_found(ctx):
    deploy_text(ctx, "triage.bpmn", two_step("triage"))
    with pytest.raises(ProcessNotFound):
        diagrams.diagram(ctx, "no_such_process")
    with pytest.raises(ProcessNotFound, match="version 7"):
        diagrams.diagram_xml(ctx, "triage", 7)


def test_process_list_shows_latest_deployment_and_open_cases(ctx):
    deploy_text(ctx, "triage.bpmn", two_step("triage"), actor="first@example.gov.uk")
    deploy_text(ctx, "triage.bpmn", two_step("triage", "Check again"), actor=ANALYST)
    deploy_text(ctx, "account.bpmn", two_step("account"))
    done = cases.start_case(ctx, "triage")
    done = complete(ctx, done, "check", {})
    complete(ctx, done, "decide", {})
    cases.start_case(ctx, "triage")

    rows = {row.key: row for row in diagrams.process_summaries(ctx)}
    assert set(rows) == {"triage", "account"}
    assert (rows["triage"].latest_version, rows["triage"].deployed_by, rows["triage"].open_cases) == (2, ANALYST, 1)
    assert rows["triage"].deployed_at is not None
    assert rows["account"].open_cases == 0


def test_a_case_shows_finished_and_waiting_user_tasks(ctx):
    deploy_text(ctx, "triage.bpmn", two_step("triage"))
    view = cases.start_case(ctx, "triage")
    assert diagrams.case_highlights(ctx, view.reference) == diagrams.Highlights([], ["check"])
    complete(ctx, view, "check", {})
    assert diagrams.case_highlights(ctx, view.reference) == diagrams.Highlights(["check"], ["decide"])


def test_a_back_office_call_is_active_until_answered_then_finished(ctx):
    registry.deploy(ctx, {"account.bpmn": WITH_CALL.encode()})
    view = cases.start_case(ctx, "account_check", {"account_ref": "A-1"})
    assert diagrams.case_highlights(ctx, view.reference) == diagrams.Highlights([], ["lookup"])
    assert outbox.run_due_calls(ctx, BackOffice()) == 1
    assert diagrams.case_highlights(ctx, view.reference) == diagrams.Highlights(["lookup"], ["review"])


def test_a_failed_case_shows_the_step_that_failed(ctx):
    deploy_text(ctx, "fragile.bpmn", FAILING)
    view = cases.start_case(ctx, "fragile")
    failed = complete(ctx, view, "ask", {})
    assert failed.status == "failed"
    assert diagrams.case_highlights(ctx, view.reference) == diagrams.Highlights(["ask"], ["sum"])


def test_an_unknown_case_is_not_found(ctx):
    with pytest.raises(CaseNotFound):
        diagrams.case_highlights(ctx, "CF-NOPE")
