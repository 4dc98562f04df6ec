"""Decisions (DMN), called processes and service operations resolve from the same upload or from
what is already deployed; adapter errors are reported as they are."""
from __future__ import annotations

import pytest

from engine.bpmn import registry
from engine.casework import cases
from engine.context import Context, Settings
from engine.errors import DeploymentRejected
from engine.persistence.db import Database
from tests.engine.helpers import deploy_text

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">')


def process(key: str, middle: str) -> str:
    return (f'{HEAD}<bpmn:process id="{key}" isExecutable="true">'
            '<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
            f'{middle}'
            '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="step" />'
            '<bpmn:sequenceFlow id="f2" sourceRef="step" targetRef="end" />'
            '</bpmn:process></bpmn:definitions>')


DECISION = process("priority_check", '<bpmn:businessRuleTask id="step" name="Decide priority"><bpmn:extensionElements>'
                   '<spiffworkflow:calledDecisionId>repair_priority</spiffworkflow:calledDecisionId>'
                   '</bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>'
                   '</bpmn:businessRuleTask>')
DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="Priority" namespace="x">
  <decision id="repair_priority" name="Repair priority">
    <decisionTable id="table">
      <input id="i1" label="Hazard"><inputExpression id="e1" typeRef="string"><text>hazard</text></inputExpression></input>
      <output id="o1" label="Priority" name="priority" typeRef="string" />
      <rule id="r1"><inputEntry id="u1"><text>"gas"</text></inputEntry><outputEntry id="v1"><text>"emergency"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="u2"><text></text></inputEntry><outputEntry id="v2"><text>"routine"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>"""
CALLER = process("caller", '<bpmn:callActivity id="step" calledElement="priority_check">'
                 '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>')
SERVICE = process("lookup", '<bpmn:serviceTask id="step" name="Look up account"><bpmn:extensionElements>'
                  '<spiffworkflow:serviceTaskOperator id="revenues/lookup_account" resultVariable="account">'
                  '<spiffworkflow:parameters><spiffworkflow:parameter id="ref" type="str" value="account_ref" />'
                  '</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>'
                  '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>')


def test_decision_in_the_same_upload_runs(ctx):
    registry.deploy(ctx, {"priority.bpmn": DECISION.encode(), "priority.dmn": DMN.encode()})
    view = cases.start_case(ctx, "priority_check", {"hazard": "gas"})
    assert view.status == "completed"
    assert cases.show_case(ctx, view.reference).data["priority"] == "emergency"


def test_missing_decision_is_named(ctx):
    with pytest.raises(DeploymentRejected) as err:
        deploy_text(ctx, "priority.bpmn", DECISION)
    problem = err.value.problems[0]
    assert (problem.file, problem.element) == ("priority.bpmn", "step") and "repair_priority" in problem.message


def test_already_deployed_decision_and_called_process_are_found(ctx):
    registry.deploy(ctx, {"priority.bpmn": DECISION.encode(), "priority.dmn": DMN.encode()})
    deploy_text(ctx, "caller.bpmn", CALLER)
    view = cases.start_case(ctx, "caller", {"hazard": "damp"})
    assert view.status == "completed"
    assert cases.show_case(ctx, view.reference).data["priority"] == "routine"


def test_missing_called_process_is_named(ctx):
    with pytest.raises(DeploymentRejected) as err:
        deploy_text(ctx, "caller.bpmn", CALLER)
    assert err.value.problems[0].element == "step" and "priority_check" in err.value.problems[0].message


def test_unregistered_service_operation_is_refused(database_url):
    ctx = Context(Database(database_url), settings=Settings(), operations={"notify/send_email"})
    with pytest.raises(DeploymentRejected) as err:
        deploy_text(ctx, "lookup.bpmn", SERVICE)
    assert "revenues/lookup_account" in err.value.problems[0].message
    assert "notify/send_email" in err.value.problems[0].message


def test_script_engine_reports_service_errors_truthfully_not_as_name_error():
    """SpiffWorkflow 3.2's call_service masks every adapter error as NameError: name 'script'."""
    from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

    from engine.bpmn.scripting import SandboxScriptEngine

    def services(task, operation, params):
        raise ConnectionError(f"revenues system refused the connection for {params['ref']}")

    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(SERVICE.encode())
    task = BpmnWorkflow(parser.get_spec("lookup")).get_next_task(spec_name="step")
    with pytest.raises(WorkflowTaskException) as err:
        SandboxScriptEngine(services).call_service(
            task, operation_name="revenues/lookup_account", operation_params={"ref": {"value": "A-123"}})
    assert "ConnectionError: revenues system refused the connection for A-123" in str(err.value)
    assert "NameError" not in str(err.value)


def test_service_task_parks_for_the_outbox_instead_of_calling_inside_the_step(database_url):
    calls = []
    ctx = Context(Database(database_url), settings=Settings(),
                  services=lambda task, op, params: calls.append(op), operations={"revenues/lookup_account"})
    deploy_text(ctx, "lookup.bpmn", SERVICE)
    view = cases.start_case(ctx, "lookup", {"account_ref": "A-9"})
    assert view.status == "open" and calls == []  # the worker makes the call (tests/outbox)


def test_overlong_process_ids_are_refused_before_storing(ctx):
    long_key = "p" * 201
    with pytest.raises(DeploymentRejected, match="at most 200 characters"):
        deploy_text(ctx, "long.bpmn", process(long_key, '<bpmn:task id="step"><bpmn:incoming>f1</bpmn:incoming>'
                                                        '<bpmn:outgoing>f2</bpmn:outgoing></bpmn:task>'))
