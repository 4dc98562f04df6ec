"""Service tasks hand off through the outbox: exactly one record at the back office per case,
whatever the network or the worker does."""
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
from tests.adapters.conftest import OPEN311_ENV, open311_config
from tests.fakes.open311 import FakeOpen311

REPORT = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">
  <bpmn:error id="rejected" name="Rejected" errorCode="open311_rejected" />
  <bpmn:process id="pothole_handoff" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l1" name="Highways"><bpmn:flowNodeRef>check</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>fix_report</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="raise" name="Raise request in asset system"><bpmn:extensionElements>
      <spiffworkflow:serviceTaskOperator id="highways/create_request" resultVariable="asset_request">
        <spiffworkflow:parameters>
          <spiffworkflow:parameter id="category" type="str" value="category" />
          <spiffworkflow:parameter id="lat" type="float" value="lat" />
          <spiffworkflow:parameter id="long" type="float" value="long" />
          <spiffworkflow:parameter id="description" type="str" value="description" />
          <spiffworkflow:parameter id="pothole_depth_mm" type="int" value="pothole_depth_mm" />
        </spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    BOUNDARY
    <bpmn:userTask id="check" name="Check the repair"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="raise" />
    <bpmn:sequenceFlow id="f2" sourceRef="raise" targetRef="check" />
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""
CATCH = """<bpmn:boundaryEvent id="refused" attachedToRef="raise"><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:errorEventDefinition /></bpmn:boundaryEvent>
    <bpmn:userTask id="fix_report" name="Sort out the refused report"><bpmn:incoming>f4</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end2"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="refused" targetRef="fix_report" />
    <bpmn:sequenceFlow id="f5" sourceRef="fix_report" targetRef="end2" />"""
DATA = {"category": "pothole", "lat": 51.5, "long": -0.12, "description": "Deep pothole by the bus stop",
        "pothole_depth_mm": 80}


@pytest.fixture
def open311():
    with FakeOpen311() as fake:
        yield fake


def make_context(database_url: str, fake: FakeOpen311, clock=None) -> Context:
    adapters = AdapterRegistry.from_config(open311_config(fake), OPEN311_ENV)
    return Context(Database(database_url), clock=clock or FixedClock(datetime(2026, 5, 5, 9, tzinfo=timezone.utc)),
                   settings=Settings(), adapters=adapters)


@pytest.fixture
def ctx(database_url, open311):
    context = make_context(database_url, open311)
    registry.deploy(context, {"report.bpmn": REPORT.replace("BOUNDARY", CATCH).encode()})
    yield context
    context.db.dispose()


def run_worker(ctx: Context, rounds: int = 1) -> int:
    return sum(Worker(ctx).run_calls() for _ in range(rounds))


def test_service_task_waits_for_the_worker_then_continues_with_the_result(ctx, open311):
    view = cases.start_case(ctx, "pothole_handoff", DATA)
    assert view.status == "open" and view.tasks == []
    assert open311.records == {}  # nothing called inside the person's transaction
    assert run_worker(ctx) == 1
    assert len(open311.records) == 1
    detail = cases.show_case(ctx, view.reference)
    assert [t.bpmn_id for t in detail.case.tasks] == ["check"]
    request_id = detail.data["asset_request"]["service_request_id"]
    assert request_id in open311.records
    assert open311.records[request_id]["description"].endswith(f"Our reference: {view.reference}:" +
                                                               request_id_key(ctx, view.reference))
    kinds = [e.kind for e in detail.history]
    assert "call_queued" in kinds and "call_succeeded" in kinds
    assert run_worker(ctx) == 0


def request_id_key(ctx, reference):
    from sqlalchemy import select
    from engine.persistence.tables import OutboxCall
    with ctx.db.transaction() as session:
        return session.scalar(select(OutboxCall.spiff_id))


def test_503_three_times_then_200_makes_one_record(ctx, open311):
    open311.fail(times=3, status=503, method="POST")
    view = cases.start_case(ctx, "pothole_handoff", DATA)
    for _ in range(4):
        run_worker(ctx)
        ctx.clock.advance(minutes=5)
    assert len(open311.records) == 1
    assert [t.bpmn_id for t in cases.show_case(ctx, view.reference).case.tasks] == ["check"]


def test_rejection_takes_the_boundary_error_path(ctx, open311):
    open311.reject("The location is outside the council's area", status=400, method="POST")
    view = cases.start_case(ctx, "pothole_handoff", DATA)
    run_worker(ctx)
    detail = cases.show_case(ctx, view.reference)
    assert [t.bpmn_id for t in detail.case.tasks] == ["fix_report"]
    assert any(e.kind == "call_rejected" and e.detail["caught"] for e in detail.history)
    assert incidents.list_incidents(ctx) == []


def test_rejection_with_no_boundary_event_raises_an_incident_and_loses_nothing(database_url, open311):
    ctx = make_context(database_url, open311)
    registry.deploy(ctx, {"report.bpmn": REPORT.replace("BOUNDARY", "").encode()})
    view = cases.start_case(ctx, "pothole_handoff", {**DATA, "category": "dragons"})
    run_worker(ctx)
    [incident] = incidents.list_incidents(ctx)
    assert incident.case == view.reference and incident.kind == "rejected"
    assert "dragons" in incident.message or "category" in incident.message
    assert cases.show_case(ctx, view.reference).case.status == "open"
    skipped = incidents.skip_incident(ctx, incident.id, actor="admin@example.gov.uk", note="Keyed by hand")
    assert skipped.status == "skipped" and skipped.resolved_by == "admin@example.gov.uk"
    detail = cases.show_case(ctx, view.reference)
    assert [t.bpmn_id for t in detail.case.tasks] == ["check"]
    assert any(e.kind == "incident_skipped" and e.detail["note"] == "Keyed by hand" for e in detail.history)


def test_exhausted_retries_raise_an_incident_that_an_admin_can_retry(ctx, open311):
    open311.fail(times=5, status=503, method="POST")
    view = cases.start_case(ctx, "pothole_handoff", DATA)
    for _ in range(6):
        run_worker(ctx)
        ctx.clock.advance(minutes=5)
    [incident] = incidents.list_incidents(ctx)
    assert incident.kind == "retries_exhausted" and open311.records == {}
    incidents.retry_incident(ctx, incident.id, actor="admin@example.gov.uk", note="Asset system back up")
    run_worker(ctx)
    assert len(open311.records) == 1
    assert [t.bpmn_id for t in cases.show_case(ctx, view.reference).case.tasks] == ["check"]
    assert incidents.list_incidents(ctx) == []


def test_a_timeout_after_the_record_was_stored_does_not_make_a_second_one(ctx, open311):
    open311.delay(1.5, times=1, method="POST")  # stored, but the answer comes after the client gave up
    view = cases.start_case(ctx, "pothole_handoff", DATA)
    run_worker(ctx)
    ctx.clock.advance(minutes=5)
    run_worker(ctx)
    assert len(open311.records) == 1
    assert [t.bpmn_id for t in cases.show_case(ctx, view.reference).case.tasks] == ["check"]


def test_an_unregistered_operation_is_refused_at_deploy(database_url, open311):
    ctx = make_context(database_url, open311)
    from engine.errors import DeploymentRejected
    with pytest.raises(DeploymentRejected, match="not a registered adapter operation"):
        registry.deploy(ctx, {"r.bpmn": REPORT.replace("highways/create_request", "assets/create").replace(
            "BOUNDARY", "").encode()})


WAIT_FOR_CLOSURE = REPORT.replace("BOUNDARY", "").replace(
    '<bpmn:sequenceFlow id="f2" sourceRef="raise" targetRef="check" />',
    '<bpmn:sequenceFlow id="f2" sourceRef="raise" targetRef="closed" />'
    '<bpmn:intermediateCatchEvent id="closed" name="Asset system reports done"><bpmn:incoming>f2</bpmn:incoming>'
    '<bpmn:outgoing>f2b</bpmn:outgoing><bpmn:messageEventDefinition messageRef="done_msg" /></bpmn:intermediateCatchEvent>'
    '<bpmn:sequenceFlow id="f2b" sourceRef="closed" targetRef="check" />').replace(
    '<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>',
    '<bpmn:incoming>f2b</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>').replace(
    '<bpmn:process id="pothole_handoff"', '<bpmn:message id="done_msg" name="asset_request_closed" />'
    '<bpmn:process id="pothole_handoff"')


def test_asset_system_status_updates_are_delivered_to_the_waiting_case(database_url, open311):
    ctx = make_context(database_url, open311)
    registry.deploy(ctx, {"report.bpmn": WAIT_FOR_CLOSURE.encode()})
    view = cases.start_case(ctx, "pothole_handoff", DATA)
    worker = Worker(ctx)
    worker.run_calls()
    assert worker.poll() == 0  # nothing has changed at the asset system yet
    [request_id] = open311.records
    open311.set_status(request_id, "closed", "Filled in")
    assert worker.poll() == 1
    detail = cases.show_case(ctx, view.reference)
    assert [t.bpmn_id for t in detail.case.tasks] == ["check"]
    assert any(e.kind == "message_delivered" and e.detail["message"] == "asset_request_closed"
               for e in detail.history)
    assert worker.poll() == 0  # the cursor moved on: delivered once


POST_CHANGE = REPORT.replace("BOUNDARY", "").replace(
    "highways/create_request", "rb/post_change").replace(
    '''          <spiffworkflow:parameter id="category" type="str" value="category" />
          <spiffworkflow:parameter id="lat" type="float" value="lat" />
          <spiffworkflow:parameter id="long" type="float" value="long" />
          <spiffworkflow:parameter id="description" type="str" value="description" />
          <spiffworkflow:parameter id="pothole_depth_mm" type="int" value="pothole_depth_mm" />''',
    '''          <spiffworkflow:parameter id="account_ref" type="str" value="account_ref" />
          <spiffworkflow:parameter id="change_type" type="str" value="'change_of_address'" />
          <spiffworkflow:parameter id="effective_date" type="str" value="'2026-04-01'" />
          <spiffworkflow:parameter id="details" type="str" value="'Moved to 1 High Street'" />''')


def test_rows_a_batch_import_refuses_become_incidents_with_the_reason(database_url, tmp_path):
    from tests.adapters.test_revenues import run_batch_import
    batches, rejections = tmp_path / "out", tmp_path / "back"
    batches.mkdir(), rejections.mkdir()
    adapters = AdapterRegistry.from_config({"rb": {"type": "revenues_batch", "batch_dir": str(batches),
                                                   "rejections_dir": str(rejections)}}, {})
    ctx = Context(Database(database_url), settings=Settings(), adapters=adapters)
    registry.deploy(ctx, {"change.bpmn": POST_CHANGE.encode()})
    view = cases.start_case(ctx, "pothole_handoff", {"account_ref": "CT-2002"})
    worker = Worker(ctx)
    assert worker.run_calls() == 1
    [batch] = batches.iterdir()
    run_batch_import(batch, rejections / "rejections.csv", {"CT-2002": "No such account"})
    assert worker.poll() == 1
    [incident] = incidents.list_incidents(ctx)
    assert (incident.case, incident.message) == (view.reference, "No such account")
    assert worker.poll() == 0  # the rejections file was archived
