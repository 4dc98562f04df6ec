"""Camunda 8 input/output mappings, task headers and message correlation keys, in a map of our own
(a council tenant's rent refund) deployed and run to the end: a job sees its inputs and headers, only
the outputs reach the case, a user task and a called process get their inputs, and a message reaches
the keyed event only with its key. FEEL outside the subset in any of them is refused at check time."""
from __future__ import annotations

import json

import pytest

from sqlalchemy import select

from engine.bpmn import registry
from engine.casework import cases
from engine.context import Context, Settings
from engine.outbox.external_tasks import TopicRequest, complete, fetch_and_lock
from engine.casework.messages import MessageRefused, deliver_message
from engine.persistence.db import Database
from engine.persistence.tables import OutboxCall
from engine.types import CaseStatus

MAP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:message id="cleared" name="refund_cleared">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=payment_reference" /></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:process id="rent_refund" name="Rent refund" isExecutable="true">
    <bpmn:extensionElements><zeebe:userTaskForm id="confirm_form">{"type": "default", "components": [
      {"type": "checkbox", "key": "approved", "label": "The refund is right"}]}</zeebe:userTaskForm>
    </bpmn:extensionElements>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="pay" name="Pay the refund">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="refund-payment" />
        <zeebe:taskHeaders><zeebe:header key="ledger" value="HRA" /><zeebe:header key="cost_centre" value="H104" />
        </zeebe:taskHeaders>
        <zeebe:ioMapping>
          <zeebe:input source="=tenancy.weekly_rent * 2" target="amount" />
          <zeebe:input source="=tenancy.reference" target="payee.reference" />
          <zeebe:output source="=paid_ref" target="payment_reference" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:userTask id="confirm" name="Confirm the refund">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="Housing" />
        <zeebe:formDefinition formKey="camunda-forms:bpmn:confirm_form" />
        <zeebe:ioMapping>
          <zeebe:input source="=&quot;Refund &quot; + payment_reference" target="heading" />
          <zeebe:output source="=approved" target="refund_confirmed" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:intermediateCatchEvent id="wait_cleared" name="Refund cleared">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="cleared" /></bpmn:intermediateCatchEvent>
    <bpmn:callActivity id="letter" name="Write to the tenant">
      <bpmn:extensionElements>
        <zeebe:calledElement processId="refund_letter" />
        <zeebe:ioMapping>
          <zeebe:input source="=&quot;Dear &quot; + tenant" target="greeting" />
          <zeebe:output source="=letter_text" target="letter" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
      <bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:callActivity>
    <bpmn:endEvent id="end"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pay" />
    <bpmn:sequenceFlow id="f2" sourceRef="pay" targetRef="confirm" />
    <bpmn:sequenceFlow id="f3" sourceRef="confirm" targetRef="wait_cleared" />
    <bpmn:sequenceFlow id="f4" sourceRef="wait_cleared" targetRef="letter" />
    <bpmn:sequenceFlow id="f5" sourceRef="letter" targetRef="end" />
  </bpmn:process>
  <bpmn:process id="refund_letter" name="Refund letter" isExecutable="true">
    <bpmn:startEvent id="letter_start"><bpmn:outgoing>l1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="write" name="Write the letter">
      <bpmn:extensionElements><zeebe:taskDefinition type="letter-writer" /></bpmn:extensionElements>
      <bpmn:incoming>l1</bpmn:incoming><bpmn:outgoing>l2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:endEvent id="letter_end"><bpmn:incoming>l2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="l1" sourceRef="letter_start" targetRef="write" />
    <bpmn:sequenceFlow id="l2" sourceRef="write" targetRef="letter_end" />
  </bpmn:process>
</bpmn:definitions>"""


def _job(ctx: Context, topic: str):
    [job] = fetch_and_lock(ctx, "housing-worker", 1, [TopicRequest(topic, 60_000)])
    return job


def _data(ctx: Context, reference: str) -> dict:
    return cases.show_case(ctx, reference).data


def test_mappings_headers_and_correlation_keys_run_as_camunda_8_means_them(council):
    deployment = registry.deploy(council, {"rent_refund.bpmn": MAP.encode()})
    assert not [w.message for w in deployment.warnings if "Camunda 8" in w.message]
    case = cases.start_case(council, "rent_refund", {"tenancy": {"weekly_rent": 95.5, "reference": "T-77"},
                                                     "tenant": "Ms Okafor"})

    job = _job(council, "refund-payment")
    shown = job.to_dict()
    assert shown["customHeaders"] == {"ledger": "HRA", "cost_centre": "H104"}
    assert shown["variables"]["amount"] == {"value": 191.0, "type": "Double"}
    assert job.variables["payee"] == {"reference": "T-77"}
    complete(council, job.id, "housing-worker", {"paid_ref": "PAY-9", "bank_trace": "x1"}, "worker@example.gov.uk")
    data = _data(council, case.reference)
    assert data["payment_reference"] == "PAY-9"
    assert not {"amount", "payee", "paid_ref", "bank_trace"} & set(data)  # locals and unmapped results stay behind

    [task] = cases.show_case(council, case.reference).case.tasks
    assert task.team == "Housing"
    cases.complete_task(council, task.id, {"approved": True})
    data = _data(council, case.reference)
    assert data["refund_confirmed"] is True and not {"approved", "heading"} & set(data)

    with pytest.raises(MessageRefused, match="waits for the message 'refund_cleared' with a correlation key"):
        deliver_message(council, case.reference, "refund_cleared", {})
    with pytest.raises(MessageRefused, match="The correlation key 'PAY-8' does not match"):
        deliver_message(council, case.reference, "refund_cleared", {}, correlation_key="PAY-8")
    deliver_message(council, case.reference, "refund_cleared", {"cleared_on": "2026-03-02"}, correlation_key="PAY-9")

    job = _job(council, "letter-writer")
    assert job.variables["greeting"] == "Dear Ms Okafor"
    complete(council, job.id, "housing-worker", {"letter_text": "Dear Ms Okafor, your refund PAY-9 is paid."},
             "worker@example.gov.uk")
    shown_case, shown_case_data = cases.show_case(council, case.reference).case, _data(council, case.reference)
    assert shown_case.status == CaseStatus.COMPLETED
    assert shown_case_data["letter"] == "Dear Ms Okafor, your refund PAY-9 is paid."
    assert "greeting" not in shown_case_data and "letter_text" not in shown_case_data


def test_an_adapter_operation_takes_the_task_headers_as_its_parameters(database_url):
    ctx = Context(Database(database_url), settings=Settings(), operations={"finance/refund"})
    registry.deploy(ctx, {"rent_refund.bpmn": MAP.replace('type="refund-payment"', 'type="finance/refund"').encode()})
    cases.start_case(ctx, "rent_refund", {"tenancy": {"weekly_rent": 100, "reference": "T-1"}, "ledger": "GF"})
    with ctx.db.transaction() as session:
        [call] = session.scalars(select(OutboxCall)).all()
    assert (call.kind, call.operation) == ("service_task", "finance/refund")
    assert call.params["ledger"] == "HRA" and call.params["cost_centre"] == "H104" and call.params["amount"] == 200
    ctx.db.dispose()


WITHDRAWN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:message id="m" name="claim_withdrawn">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=claim_no" /></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:process id="damage_claim" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="assess" name="Assess the claim">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="Insurance" /></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="withdrawn" attachedToRef="assess"><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="m" /></bpmn:boundaryEvent>
    <bpmn:endEvent id="assessed"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="closed"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="assess" />
    <bpmn:sequenceFlow id="f2" sourceRef="assess" targetRef="assessed" />
    <bpmn:sequenceFlow id="f3" sourceRef="withdrawn" targetRef="closed" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_keyed_boundary_event_takes_the_message_with_its_key_from_the_command_line(cli, tmp_path):
    (tmp_path / "claim.bpmn").write_text(WITHDRAWN)
    assert cli("deploy", str(tmp_path / "claim.bpmn"), "--json").exit_code == 0
    case = cli("case", "start", "damage_claim", "--data", json.dumps({"claim_no": 42}), "--json").json()
    wrong = cli("case", "message", case["reference"], "claim_withdrawn", "--correlation-key", "41", "--json")
    assert wrong.exit_code == 2 and wrong.json()["error"] == (
        f"The correlation key '41' does not match the one case {case['reference']} waits for the message "
        "'claim_withdrawn' with")
    right = cli("case", "message", case["reference"], "claim_withdrawn", "--correlation-key", "42", "--json")
    assert right.exit_code == 0, right.output
    assert right.json()["status"] == "completed" and right.json()["tasks"] == []


@pytest.mark.parametrize("swap,said", [
    ('source="=tenancy.weekly_rent * 2"', "FEEL expression '=x.__class__' is not supported"),
    ('target="amount"', "mapping target '__import__(\"os\")' must be a variable's name"),
    ('correlationKey="=payment_reference"', "FEEL expression '=for i in xs return i' is not supported"),
])
def test_hostile_feel_in_mappings_and_keys_is_refused_at_check_time(council, swap, said):
    replacement = {"source": 'source="=x.__class__"', "target": 'target="__import__(&quot;os&quot;)"',
                   "correlationKey": 'correlationKey="=for i in xs return i"'}[swap.split("=")[0]]
    bundle = registry.check(council, {"rent_refund.bpmn": MAP.replace(swap, replacement).encode()})
    assert any(said in e.message for e in bundle.errors), [e.message for e in bundle.errors]
    assert not any("invalid syntax" in e.message for e in bundle.errors)
