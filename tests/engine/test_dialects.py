"""Both dialects route and validate alike: SpiffArena lanes and JSON-Schema forms, Camunda
candidate groups, assignees and generated forms (which SpiffWorkflow's CamundaParser ignores)."""
from __future__ import annotations

import json

import pytest

from engine.bpmn import registry
from engine.casework import cases
from engine.people import users
from engine.errors import DeploymentRejected, FormInvalid
from engine.types import Role
from tests.engine.helpers import deploy_text

CAMUNDA = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="noise_complaint" name="Noise complaint" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="log_noise" name="Log noise complaint" camunda:candidateGroups="Environmental Health,Customer Hub">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="noise_source" label="Source of the noise" type="enum">
          <camunda:value id="music" name="Loud music" /><camunda:value id="dog" name="Barking dog" />
          <camunda:validation><camunda:constraint name="required" /></camunda:validation>
        </camunda:formField>
        <camunda:formField id="nights" label="Nights affected" type="long">
          <camunda:validation><camunda:constraint name="required" /><camunda:constraint name="min" config="1" /></camunda:validation>
        </camunda:formField>
        <camunda:formField id="started_on" label="Date it started" type="date" />
        <camunda:formField id="ongoing" label="Still happening" type="boolean" />
      </camunda:formData></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="visit" name="Visit the property" camunda:assignee="officer@example.gov.uk">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="log_noise" />
    <bpmn:sequenceFlow id="f2" sourceRef="log_noise" targetRef="visit" />
    <bpmn:sequenceFlow id="f3" sourceRef="visit" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_camunda_file_is_detected_and_candidate_group_routes_the_task(ctx):
    bundle = registry.check(ctx, {"noise.bpmn": CAMUNDA.encode()})
    assert bundle.errors == [] and bundle.candidates[0].dialect == "camunda"
    deploy_text(ctx, "noise.bpmn", CAMUNDA)
    view = cases.start_case(ctx, "noise_complaint")
    assert view.tasks[0].team == "Environmental Health"


def test_camunda_form_fields_validate_like_json_schema_forms(ctx):
    deploy_text(ctx, "noise.bpmn", CAMUNDA)
    view = cases.start_case(ctx, "noise_complaint")
    with pytest.raises(FormInvalid) as err:
        cases.complete_task(ctx, view.tasks[0].id, {"nights": 0, "started_on": "31/02/2026"})
    assert err.value.errors == {"noise_source": "Select source of the noise",
                                "nights": "Nights affected must be 1 or more",
                                "started_on": "Date it started must be a real date"}
    done = cases.complete_task(ctx, view.tasks[0].id, {"noise_source": "dog", "nights": 3, "ongoing": True})
    assert done.tasks[0].bpmn_id == "visit"


def test_camunda_assignee_assigns_the_task_when_the_user_exists(ctx):
    with ctx.db.transaction() as s:
        users.add_user(s, "officer@example.gov.uk", "Olu", [Role.BACK_OFFICE], ctx.clock.now(), ["Customer Hub"])
    deploy_text(ctx, "noise.bpmn", CAMUNDA)
    view = cases.start_case(ctx, "noise_complaint")
    view = cases.complete_task(ctx, view.tasks[0].id, {"noise_source": "music", "nights": 1})
    assert view.tasks[0].assignee == "officer@example.gov.uk"


def _juel(condition: str) -> str:
    return CAMUNDA.replace('<bpmn:sequenceFlow id="f2" sourceRef="log_noise" targetRef="visit" />',
                           '<bpmn:sequenceFlow id="f2" sourceRef="log_noise" targetRef="visit">'
                           f'<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>')


def test_camunda_juel_condition_beyond_simple_comparisons_is_refused_with_a_python_suggestion(ctx):
    deploy_text(ctx, "noise.bpmn", _juel("${nights &gt; 2}"))  # a simple one runs as Python (with a warning)
    with pytest.raises(DeploymentRejected) as err:
        deploy_text(ctx, "noise.bpmn", _juel('${noise.level("night") &gt; 2}'))
    problem = err.value.problems[0]
    assert problem.element == "f2" and "JUEL" in problem.message


def test_generated_camunda_form_is_stored_with_the_version(ctx):
    deploy_text(ctx, "noise.bpmn", CAMUNDA)
    with ctx.db.transaction() as s:
        version = registry.get_version(s, "noise_complaint")
        schema = json.loads(version.files["log_noise.camunda-form.json"])
    assert schema["properties"]["noise_source"]["oneOf"][1] == {"const": "dog", "title": "Barking dog"}
    assert schema["required"] == ["noise_source", "nights"]
