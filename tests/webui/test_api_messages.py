"""Callbacks into cases: a BPMN message delivered by reference through the API; a message for a
case not waiting for it is refused with a clear reason and kept."""
from __future__ import annotations

from sqlalchemy import select

from engine.bpmn import registry
from engine.persistence.tables import InboundMessage
from engine.types import Role
from tests.webui.test_api import api_as  # noqa: F401  (fixture)

WAITING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:message id="m" name="asset_request_closed" />
  <bpmn:process id="await_asset" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="closed"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="closed" />
    <bpmn:sequenceFlow id="f2" sourceRef="closed" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_message_reaches_the_waiting_case_and_a_wrong_one_is_refused_but_kept(api_as, ctx):  # noqa: F811
    registry.deploy(ctx, {"await.bpmn": WAITING.encode()})
    api = api_as(Role.FRONT_OFFICE)
    reference = api.post("/cases", json={"process": "await_asset"}).get_json()["reference"]

    wrong = api.post(f"/cases/{reference}/messages/asset_request_opened", json={"status": "open"})
    assert wrong.status_code == 409
    assert "not waiting for the message 'asset_request_opened'" in wrong.get_json()["message"]
    nowhere = api.post("/cases/CF-999999/messages/asset_request_closed", json={})
    assert nowhere.status_code == 404

    done = api.post(f"/cases/{reference}/messages/asset_request_closed", json={"status": "closed"})
    assert done.status_code == 200 and done.get_json()["status"] == "completed"
    with ctx.db.transaction() as session:
        kept = [(m.name, m.status) for m in session.scalars(select(InboundMessage).order_by(InboundMessage.id))]
    assert kept == [("asset_request_opened", "refused"), ("asset_request_closed", "refused"),
                    ("asset_request_closed", "delivered")]


KEYED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:message id="m" name="skip_collected">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=skip_permit" /></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:process id="skip_permit" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:receiveTask id="collected" messageRef="m"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:receiveTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="collected" />
    <bpmn:sequenceFlow id="f2" sourceRef="collected" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_camunda_8_receive_task_takes_only_the_message_with_its_correlation_key(api_as, ctx):  # noqa: F811
    registry.deploy(ctx, {"skip.bpmn": KEYED.encode()})
    api = api_as(Role.FRONT_OFFICE)
    started = api.post("/cases", json={"process": "skip_permit", "data": {"skip_permit": "SK-12"}})
    reference = started.get_json()["reference"]
    unkeyed = api.post(f"/cases/{reference}/messages/skip_collected", json={})
    assert unkeyed.status_code == 409 and "with a correlation key" in unkeyed.get_json()["message"]
    other = api.post(f"/cases/{reference}/messages/skip_collected?correlationKey=SK-13", json={})
    assert other.status_code == 409 and "The correlation key 'SK-13' does not match" in other.get_json()["message"]
    done = api.post(f"/cases/{reference}/messages/skip_collected?correlationKey=SK-12", json={})
    assert done.status_code == 200 and done.get_json()["status"] == "completed"
