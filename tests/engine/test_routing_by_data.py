"""A task may be routed by the case's data: the SpiffArena property ``teamVariable`` or Camunda's
``candidateGroups="${name}"`` names the case variable holding the team. The task goes to that team
if it exists, else to its lane's (or candidate group's) team: data never invents a team."""
from __future__ import annotations

from datetime import datetime, timezone

from engine.casework import cases
from engine.people import routing
from tests.engine.helpers import deploy_text

SPIFF = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">
  <bpmn:process id="routed" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="hub" name="Customer Hub">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>work</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="work" name="Do the work"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="teamVariable" value="owner"/></spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""

CAMUNDA = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="routed_camunda" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="work" name="Do the work" camunda:candidateGroups="${owner}">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def _team_named(ctx, name):
    with ctx.db.transaction() as session:
        routing.ensure_team(session, name, datetime(2026, 1, 5, tzinfo=timezone.utc))


def test_a_task_goes_to_the_team_its_case_data_names(ctx):
    _team_named(ctx, "Street Scene")
    deploy_text(ctx, "routed.bpmn", SPIFF)
    [task] = cases.start_case(ctx, "routed", {"owner": "Street Scene"}).tasks
    assert task.team == "Street Scene"


def test_a_team_the_data_invents_is_not_created_the_lane_gets_the_task(ctx):
    deploy_text(ctx, "routed.bpmn", SPIFF)
    [task] = cases.start_case(ctx, "routed", {"owner": "Made Up Team"}).tasks
    assert task.team == "Customer Hub"
    [task] = cases.start_case(ctx, "routed", {"owner": {"not": "a name"}}).tasks
    assert task.team == "Customer Hub"
    assert "Made Up Team" not in [t.name for t in routing.team_summaries(ctx)]


def test_camunda_candidate_group_expressions_name_the_variable_too(ctx):
    _team_named(ctx, "Licensing")
    deploy_text(ctx, "routed_camunda.bpmn", CAMUNDA)
    [task] = cases.start_case(ctx, "routed_camunda", {"owner": "Licensing"}).tasks
    assert task.team == "Licensing"
    assert "${owner}" not in [t.name for t in routing.team_summaries(ctx)]
