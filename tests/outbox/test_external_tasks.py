"""External task workers, as a council's integrator meets them: a map hands a task to a topic, a
worker with a worker-scoped token fetches and locks it over the REST API and finishes it (complete,
failure, BPMN error), and the case goes on."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timezone

import pytest
from werkzeug.serving import make_server

from engine.background import incidents
from engine.bpmn import registry
from engine.casework import cases
from engine.people import tokens, users
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.errors import FormInvalid
from engine.outbox.external_tasks import TopicRequest, fetch_and_lock
from engine.persistence.db import Database
from engine.types import CaseStatus, Role, TokenScope
from examples.external_worker import Worker
from tests.conftest import FORMS
from tests.engine.test_camunda8 import MAP as CAMUNDA_8
from tests.engine.test_camunda_forms import FORM as PERMIT_FORM
from webui.app import create_app

MAP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:error id="no_uprn" name="No UPRN" errorCode="no_uprn" />
  <bpmn:process id="council_tax_move" name="Moving home (council tax)" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="open_account" name="Open the council tax account" camunda:type="external"
      camunda:topic="revenues-account"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:boundaryEvent id="refused" attachedToRef="open_account"><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:errorEventDefinition errorRef="no_uprn" /></bpmn:boundaryEvent>
    <bpmn:userTask id="check" name="Check the account" camunda:candidateGroups="Revenues">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="by_hand" name="Open the account by hand" camunda:candidateGroups="Revenues">
      <bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end2"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="open_account" />
    <bpmn:sequenceFlow id="f2" sourceRef="open_account" targetRef="check" />
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end" />
    <bpmn:sequenceFlow id="f4" sourceRef="refused" targetRef="by_hand" />
    <bpmn:sequenceFlow id="f5" sourceRef="by_hand" targetRef="end2" />
  </bpmn:process>
</bpmn:definitions>"""
TOPIC = "revenues-account"
FETCH = "/api/v1/external-tasks/fetch-and-lock"


@pytest.fixture
def council(database_url):
    ctx = Context(Database(database_url), clock=FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)),
                  settings=Settings(forms_dir=FORMS), operations=set())
    deployment = registry.deploy(ctx, {"move.bpmn": MAP.encode()})
    assert any("wait as an external task on the topic 'revenues-account'" in w.message for w in deployment.warnings)
    with ctx.db.transaction() as session:
        users.add_user(session, "connector@example.gov.uk", "Revenues connector", [], ctx.clock.now(), [], "x" * 20)
    yield ctx
    ctx.db.dispose()


@pytest.fixture
def api(council):
    app = create_app({"CONTEXT": council, "SECRET_KEY": "test", "TESTING": True})
    token = tokens.issue_token(council, "connector@example.gov.uk", "revenues connector", TokenScope.WORKER)
    client, auth = app.test_client(), {"Authorization": f"Bearer {token}"}

    def call(path: str, body: dict | None = None, worker: str = "w1"):
        if body is None:
            return client.get(path, headers=auth)
        return client.post(path, json={"workerId": worker, **body}, headers=auth)
    call.client, call.auth, call.app, call.token = client, auth, app, token
    return call


@pytest.fixture
def served(api):
    """The API over real HTTP on 127.0.0.1, for the example worker: its base address."""
    server = make_server("127.0.0.1", 0, api.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def _fetch(api, worker: str = "w1", lock_ms: int = 60_000, **topic):
    answer = api(FETCH, {"maxTasks": 5, "topics": [{"topicName": TOPIC, "lockDuration": lock_ms, **topic}]}, worker)
    assert answer.status_code == 200, answer.json
    return answer.json


def _tasks(ctx, reference: str) -> list[str]:
    return [t.bpmn_id for t in cases.show_case(ctx, reference).case.tasks]


def test_a_worker_locks_a_task_alone_and_completing_it_moves_the_case_on(council, api):
    case = cases.start_case(council, "council_tax_move", {"uprn": 100023336956, "move_date": "2026-04-01"})
    assert api.client.get("/api/v1/teams", headers=api.auth).status_code == 403  # the token is for workers only
    [task] = _fetch(api, variables=["uprn"])
    assert task["topicName"] == TOPIC and task["businessKey"] == case.reference and task["workerId"] == "w1"
    assert task["variables"] == {"uprn": {"value": 100023336956, "type": "Integer"}}
    assert task["activityId"] == "open_account" and task["lockExpirationTime"].startswith("2026-03-02T09:01")
    assert _fetch(api, worker="w2") == []  # locked: nobody else gets it
    assert [t["workerId"] for t in api(f"/api/v1/external-tasks?topicName={TOPIC}").json] == ["w1"]
    done = f"/api/v1/external-tasks/{task['id']}/complete"
    assert api(done, {"variables": {"account": {"value": "A-1"}}}, "w2").status_code == 409
    assert api(done, {"variables": {"account": {"value": "A-1", "type": "String"}}}).status_code == 204
    assert api(done, {"variables": {"account": {"value": "A-1"}}}).status_code == 204  # again: nothing changes
    assert _tasks(council, case.reference) == ["check"]
    detail = cases.show_case(council, case.reference)
    assert detail.data["account"] == "A-1"
    assert [e.kind for e in detail.history].count("call_succeeded") == 1
    assert api(f"/api/v1/external-tasks?topicName={TOPIC}").json == []
    bad = api(FETCH, {"maxTasks": 0, "topics": []})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"maxTasks", "topics"}


def test_a_lock_that_runs_out_lets_another_worker_take_the_task(council, api):
    cases.start_case(council, "council_tax_move", {"uprn": 1})
    [task] = _fetch(api, lock_ms=30_000)
    assert api(f"/api/v1/external-tasks/{task['id']}/extendLock", {"newDuration": 60_000}).status_code == 204
    council.clock.advance(seconds=61)
    [again] = _fetch(api, worker="w2")
    assert again["id"] == task["id"] and again["workerId"] == "w2"
    assert api(f"/api/v1/external-tasks/{task['id']}/extendLock", {"newDuration": 1000}).status_code == 409
    assert api(f"/api/v1/external-tasks/{task['id']}/complete", {}).status_code == 409


def test_failures_come_back_after_the_timeout_then_become_an_incident_an_admin_retries(council, api):
    case = cases.start_case(council, "council_tax_move", {"uprn": 1})
    [task] = _fetch(api)
    failure = f"/api/v1/external-tasks/{task['id']}/failure"
    assert api(failure, {"errorMessage": "Revenues down", "retries": 1, "retryTimeout": 60_000}).status_code == 204
    assert _fetch(api) == []
    council.clock.advance(seconds=61)
    [again] = _fetch(api)
    assert again["retries"] == 1 and again["errorMessage"] == "Revenues down"
    assert api(failure, {"errorMessage": "Still down", "retries": 0}).status_code == 204
    [incident] = incidents.list_incidents(council, case=case.reference)
    assert incident.message == "Still down" and incident.operation == TOPIC
    assert _fetch(api) == [] and [t["retries"] for t in api("/api/v1/external-tasks").json] == [0]
    incidents.retry_incident(council, incident.id, note="Revenues is back")
    [third] = _fetch(api)
    assert third["id"] == task["id"] and third["retries"] is None
    assert api(f"/api/v1/external-tasks/{task['id']}/complete", {}).status_code == 204
    assert _tasks(council, case.reference) == ["check"]


def test_a_bpmn_error_takes_the_boundary_event_and_the_example_worker_does_the_rest(council, api, served):
    """The example worker over HTTP: a Camunda 7 map's topic, and a Camunda 8 map's job type."""
    refused = cases.start_case(council, "council_tax_move", {"uprn": None})
    fine = cases.start_case(council, "council_tax_move", {"uprn": 100023336956})
    registry.deploy(council, {"blue_badge.bpmn": CAMUNDA_8.encode()})
    badge = cases.start_case(council, "blue_badge", {"uprn": 7, "pip_points": 10, "already_holder": False})
    assert Worker(served, api.token, TOPIC, "example").run_once() == 2
    assert Worker(served, api.token, "benefits-check", "example").run_once() == 1
    assert _tasks(council, refused.reference) == ["by_hand"]
    assert _tasks(council, fine.reference) == ["check"]
    assert cases.show_case(council, fine.reference).data["account_number"] == "CT-100023336956"
    assert _tasks(council, badge.reference) == ["issue"]


def test_two_workers_racing_never_hold_the_same_task(council, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the race is PostgreSQL's (SKIP LOCKED); SQLite takes one writer at a time")
    started = [cases.start_case(council, "council_tax_move", {"uprn": n}).reference for n in range(12)]
    got: dict[str, list[str]] = {}
    barrier = threading.Barrier(2)

    def work(name: str) -> None:
        barrier.wait()
        mine = got.setdefault(name, [])
        while batch := fetch_and_lock(council, name, 2, [TopicRequest(TOPIC, 60_000)]):
            mine += [t.business_key for t in batch]

    threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got["a"] + got["b"]) == sorted(started)
    assert not set(got["a"]) & set(got["b"])


def test_only_worker_tokens_and_admins_reach_the_worker_endpoints(council, api):
    with council.db.transaction() as session:
        users.add_user(session, "officer@example.gov.uk", "Officer", [Role.BACK_OFFICE], council.clock.now(), [],
                       "x" * 20)
        users.add_user(session, "admin@example.gov.uk", "Admin", [Role.ADMIN], council.clock.now(), [], "x" * 20)
    officer = tokens.issue_token(council, "officer@example.gov.uk", "mine")
    admin = tokens.issue_token(council, "admin@example.gov.uk", "mine")
    listing = "/api/v1/external-tasks"
    assert api.client.get(listing, headers={"Authorization": f"Bearer {officer}"}).status_code == 403
    assert api.client.get(listing, headers={"Authorization": f"Bearer {admin}"}).status_code == 200
    assert api.client.get(listing, headers=api.auth).status_code == 200


def test_an_admin_issues_a_worker_token_from_the_cli(cli, ctx):
    added = cli("users", "add", "connector@example.gov.uk", "--role", "back_office", "--team", "Revenues", "--json")
    assert added.exit_code == 0, added.stderr
    created = cli("tokens", "create", "connector@example.gov.uk", "--label", "revenues connector", "--scope",
                  "worker", "--json")
    assert created.exit_code == 0 and created.json()["scope"] == "worker"
    assert [t.scope for t in tokens.list_tokens(ctx, "connector@example.gov.uk")] == ["worker"]


PERMIT_8 = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0"
  id="d" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.31.0"
  modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.6.0">
  <bpmn:process id="permit_account" name="Resident parking permit" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="Review the permit">
      <bpmn:extensionElements><zeebe:formDefinition formId="parking_permit_review" />
        <zeebe:assignmentDefinition candidateGroups="Parking" /></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:serviceTask id="charge" name="Open the permit account">
      <bpmn:extensionElements><zeebe:taskDefinition type="permit-account" retries="3" /></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="charge" />
    <bpmn:sequenceFlow id="f3" sourceRef="charge" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_camunda_8_map_with_a_camunda_form_and_a_job_worker_runs_to_the_end(council, api, served):
    """Issue 17's "done when": a map as the current Camunda Modeler draws it, its user task's linked
    Camunda Form checking the answers, its job-worker service task done by the example worker over HTTP."""
    files = {"permit_account.bpmn": PERMIT_8.encode(), "review.form": json.dumps(PERMIT_FORM).encode()}
    assert registry.check(council, files).errors == []
    registry.deploy(council, files)
    case = cases.start_case(council, "permit_account", {"uprn": 100023336956})
    [review] = case.tasks
    assert review.team == "Parking"
    with pytest.raises(FormInvalid) as refused:  # the Camunda Form's rules, not ours
        cases.complete_task(council, review.id, {"registration": "ab-12", "decision": "refuse", "months": 13})
    assert set(refused.value.errors) == {"registration", "months", "reason"}
    waiting = cases.complete_task(council, review.id, {"registration": "AB12 CDE", "decision": "approve", "months": 6})
    assert waiting.status == CaseStatus.OPEN and waiting.tasks == []  # waiting for the worker
    assert Worker(served, api.token, "permit-account", "example").run_once() == 1
    done = cases.show_case(council, case.reference)
    assert done.case.status == CaseStatus.COMPLETED
    assert (done.data["account_number"], done.data["registration"]) == ("CT-100023336956", "AB12 CDE")
