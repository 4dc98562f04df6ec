"""Residents' emails go through GOV.UK Notify (a fake that checks the client's JWT), and Notify's
delivery receipts come back to the case history; a failed delivery becomes an incident."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from adapters.registry import AdapterRegistry
from engine.background import incidents
from engine.bpmn import registry
from engine.casework import cases
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.background.worker import Worker
from tests.adapters.conftest import notify_config, notify_env
from tests.fakes.notify import FakeNotify
from webui.app import create_app

ACK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">
  <bpmn:process id="acknowledge" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="email" name="Email the resident"><bpmn:extensionElements>
      <spiffworkflow:serviceTaskOperator id="notify/send_email" resultVariable="acknowledgement">
        <spiffworkflow:parameters>
          <spiffworkflow:parameter id="template" type="str" value="'acknowledgement'" />
          <spiffworkflow:parameter id="email_address" type="str" value="customer_email" />
          <spiffworkflow:parameter id="first_name" type="str" value="customer_name" />
          <spiffworkflow:parameter id="case_ref" type="str" value="'your report'" />
        </spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="email" />
    <bpmn:sequenceFlow id="f2" sourceRef="email" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def notify():
    with FakeNotify() as fake:
        yield fake


@pytest.fixture
def setup(database_url, notify):
    adapters = AdapterRegistry.from_config(notify_config(notify), notify_env(notify))
    ctx = Context(Database(database_url), clock=FixedClock(datetime(2026, 5, 5, 9, tzinfo=timezone.utc)),
                  settings=Settings(), adapters=adapters)
    registry.deploy(ctx, {"ack.bpmn": ACK.encode()})
    app = create_app({"CONTEXT": ctx, "SECRET_KEY": "t", "TESTING": True})
    yield ctx, app.test_client()
    ctx.db.dispose()


def _sent_case(ctx, notify):
    view = cases.start_case(ctx, "acknowledge", {"customer_email": "resident@example.org", "customer_name": "Ada"})
    Worker(ctx).run_calls()
    [(notification_id, sent)] = notify.sent.items()
    assert sent["reference"].startswith(view.reference + ":")
    assert cases.show_case(ctx, view.reference).case.status == "completed"
    return view, notification_id, sent["reference"]


def _receipt(notification_id: str, reference: str, status: str) -> dict:
    return {"id": notification_id, "reference": reference, "to": "resident@example.org", "status": status,
            "created_at": "2026-05-05T09:00:00Z", "completed_at": "2026-05-05T09:00:05Z",
            "sent_at": "2026-05-05T09:00:01Z", "notification_type": "email"}


def test_delivery_receipt_is_recorded_on_the_case(setup, notify):
    ctx, client = setup
    view, notification_id, key = _sent_case(ctx, notify)
    response = client.post("/callbacks/notify/notify", json=_receipt(notification_id, key, "delivered"),
                           headers={"Authorization": "Bearer callback-secret"})
    assert response.status_code == 200 and response.get_json() == {"recorded": True}
    statuses = [e.detail["status"] for e in cases.show_case(ctx, view.reference).history if e.kind == "delivery_status"]
    assert statuses == ["delivered"]


def test_failed_delivery_raises_an_incident(setup, notify):
    ctx, client = setup
    view, notification_id, key = _sent_case(ctx, notify)
    client.post("/callbacks/notify/notify", json=_receipt(notification_id, key, "permanent-failure"),
                headers={"Authorization": "Bearer callback-secret"})
    [incident] = incidents.list_incidents(ctx)
    assert incident.case == view.reference and incident.kind == "delivery_failed"


def test_callbacks_without_the_token_or_with_bad_bodies_are_refused(setup, notify):
    ctx, client = setup
    assert client.post("/callbacks/notify/notify", json={}, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post("/callbacks/notify/notify", data="nope",
                       headers={"Authorization": "Bearer callback-secret"}).status_code == 400
    assert client.post("/callbacks/notify/nosuch", json={}).status_code == 404
