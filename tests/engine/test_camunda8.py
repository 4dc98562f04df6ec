"""Camunda 8 maps, as the current Camunda Modeler draws them: FEEL conditions, job-worker service
tasks, candidate groups and call activities in zeebe's words, deployed and run to the end; FEEL we
cannot run is refused at check time saying so, at the element."""
from __future__ import annotations


import pytest

from engine.bpmn import registry
from engine.casework import cases
from engine.context import Context
from engine.outbox.external_tasks import TopicRequest, complete, fetch_and_lock
from engine.bpmn.feel import FeelUnsupported, to_python
from engine.types import CaseStatus, Dialect

MAP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="http://bpmn.io/schema/bpmn"
  exporter="Camunda Modeler" exporterVersion="5.31.0" modeler:executionPlatform="Camunda Cloud"
  modeler:executionPlatformVersion="8.6.0">
  <bpmn:process id="blue_badge" name="Blue badge application" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="check_benefits" name="Check qualifying benefits">
      <bpmn:extensionElements><zeebe:taskDefinition type="benefits-check" retries="3" /></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:exclusiveGateway id="qualifies" name="Qualifies?" default="f_assess">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f_issue</bpmn:outgoing><bpmn:outgoing>f_assess</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="issue" name="Issue the badge">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="Blue Badges" /></bpmn:extensionElements>
      <bpmn:incoming>f_issue</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="assess" name="Assess mobility">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="Occupational Therapy" />
      </bpmn:extensionElements>
      <bpmn:incoming>f_assess</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:callActivity id="letter" name="Send the decision letter">
      <bpmn:extensionElements><zeebe:calledElement processId="decision_letter" propagateAllChildVariables="false" />
      </bpmn:extensionElements>
      <bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
    </bpmn:callActivity>
    <bpmn:endEvent id="end"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check_benefits" />
    <bpmn:sequenceFlow id="f2" sourceRef="check_benefits" targetRef="qualifies" />
    <bpmn:sequenceFlow id="f_issue" sourceRef="qualifies" targetRef="issue">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=pip_points &gt;= 8 and not(already_holder)</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_assess" sourceRef="qualifies" targetRef="assess" />
    <bpmn:sequenceFlow id="f3" sourceRef="issue" targetRef="letter" />
    <bpmn:sequenceFlow id="f4" sourceRef="assess" targetRef="letter" />
    <bpmn:sequenceFlow id="f5" sourceRef="letter" targetRef="end" />
  </bpmn:process>
  <bpmn:process id="decision_letter" name="Decision letter" isExecutable="true">
    <bpmn:startEvent id="letter_start"><bpmn:outgoing>l1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:endEvent id="letter_end"><bpmn:incoming>l1</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="l1" sourceRef="letter_start" targetRef="letter_end" />
  </bpmn:process>
</bpmn:definitions>"""



def _run(ctx: Context, data: dict, answer: dict) -> tuple[str, str]:
    """Start a case, let a job worker answer its service task, and say which task and team follow."""
    case = cases.start_case(ctx, "blue_badge", data)
    [job] = fetch_and_lock(ctx, "dwp-connector", 1, [TopicRequest("benefits-check", 60_000)])
    complete(ctx, job.id, "dwp-connector", answer, "connector@example.gov.uk")
    [task] = cases.show_case(ctx, case.reference).case.tasks
    cases.complete_task(ctx, task.id, {})
    assert cases.show_case(ctx, case.reference).case.status == CaseStatus.COMPLETED
    return task.bpmn_id, task.team


def test_a_camunda_8_map_deploys_and_runs_with_its_job_worker_and_feel_conditions(council):
    assert {c.dialect for c in registry.check(council, {"blue_badge.bpmn": MAP.encode()}).candidates} == {Dialect.ZEEBE}
    deployment = registry.deploy(council, {"blue_badge.bpmn": MAP.encode()})
    assert any("external task on the topic 'benefits-check'" in w.message for w in deployment.warnings)
    assert _run(council, {"already_holder": False}, {"pip_points": 10}) == ("issue", "Blue Badges")
    assert _run(council, {"already_holder": True}, {"pip_points": 10}) == ("assess", "Occupational Therapy")


def test_feel_the_engine_cannot_run_is_refused_at_check_time_at_its_element(council):
    unsupported = MAP.replace("=pip_points &gt;= 8 and not(already_holder)",
                              "=some b in benefits satisfies b = &quot;PIP&quot;")
    bundle = registry.check(council, {"blue_badge.bpmn": unsupported.encode()})
    [error] = bundle.errors
    assert error.element == "f_issue" and error.line
    assert error.message.startswith("FEEL expression '=some b in benefits satisfies b = \"PIP\"' is not supported: ")
    assert "invalid syntax" not in error.message


@pytest.mark.parametrize("feel,python", [
    ("= amount > 1000", "amount > 1000"),
    ("=decision = \"approved\" or urgent", "decision == \"approved\" or urgent"),
    ("=applicant.age >= 18", "applicant[\"age\"] >= 18"),
    ("=not(x = null)", "not (x == None)"),
    ("=string(count) + \" items\"", "str(count) + \" items\""),
])
def test_the_feel_subset_becomes_the_same_python(feel, python):
    assert to_python(feel) == python


@pytest.mark.parametrize("hostile", [
    "=x.__class__", "={a: 1}", "=[1,2][1]", "=date and time(\"2026-01-01\")", "=@\"P1D\"", "=x in 1..5",
    "=for i in xs return i", "=if a then b else c", "=import(\"os\")", "=\"unterminated",
])
def test_feel_outside_the_subset_is_refused_in_words(hostile):
    with pytest.raises(FeelUnsupported, match=r"^FEEL expression '.*' is not supported: "):
        to_python(hostile)
