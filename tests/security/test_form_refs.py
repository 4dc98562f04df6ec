"""Finding 2 of issue 10: SSRF and file reads through a form's ``$ref``. A form that referred to
``http://…`` or ``file:///…`` deployed, and completing its task made the server fetch the URL (with no
timeout, inside the case's write transaction) or open the file.

Now a form may refer only to its own definitions and to other forms deployed with it: anything else,
and a ``$ref`` that leads back to itself, is refused at deploy with the file and the JSON pointer; a
form stored before that check is never fetched either. References inside the bundle work on the page
and through the API.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from engine.bpmn import registry
from engine.casework import cases
from engine.persistence.tables import ProcessVersion
from engine.types import Role
from tests.engine.maps import end, flow, process, start

from .conftest import csrf_token

KEY = "report_bin"
RESIDENT = {"customer_name": "Ann Smith", "customer_email": "ann@example.com"}


def form_map(schema: str = "report-schema.json", ui: str | None = None) -> str:
    """A one-task map whose task is the form ``schema``."""
    ui_property = f'<spiffworkflow:property name="formUiSchemaFilename" value="{ui}" />' if ui else ""
    return process(KEY, "\n".join([
        start("f1"),
        '<bpmn:userTask id="report" name="Report the bin"><bpmn:extensionElements><spiffworkflow:properties>'
        f'<spiffworkflow:property name="formJsonSchemaFilename" value="{schema}" />{ui_property}'
        '</spiffworkflow:properties></bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming>'
        '<bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>',
        end("done", "f2"), flow("f1", "start", "report"), flow("f2", "report", "done")]))


def report_form(round_code: dict) -> dict:
    return {"type": "object", "title": "Report the bin",
            "properties": {"bin": {"$ref": "#/$defs/bin"}, "round_code": round_code},
            "required": ["bin", "round_code"],
            "$defs": {"bin": {"type": "string", "title": "Which bin was missed?",
                              "enum": ["refuse", "recycling", "garden"]}}}


COMMON = {"$defs": {"round": {"type": "string", "title": "Round code", "maxLength": 6,
                              "pattern": "^[A-Z]{2}-[0-9]{3}$"}}}


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection and answers any request with a JSON
    schema, so a server that fetches a ``$ref`` would get something it could use."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/round.json"

    def _serve(self) -> None:
        body = json.dumps({"type": "string"}).encode()
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    self.connections.append(conn.recv(4096))
                    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                                 + str(len(body)).encode() + b"\r\n\r\n" + body)
                except OSError:
                    pass

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def analyst(live):
    return live.api_client(Role.ANALYST)


@pytest.fixture
def officer(live):
    return live.api_client(Role.FRONT_OFFICE, Role.BACK_OFFICE)


def deploy(live, client, files: dict[str, object]):
    texts = {name: body if isinstance(body, str) else json.dumps(body, indent=1) for name, body in files.items()}
    return client.post(f"{live.url}/api/v1/processes", json={"files": texts}, timeout=30)


def refused_at(answer, file: str) -> list[dict]:
    assert answer.status_code == 422, (answer.status_code, answer.text)
    found = [e for e in answer.json()["errors"] if e["file"] == file]
    assert found, answer.text
    return found


# -- refused at deploy ---------------------------------------------------------------------------

@pytest.mark.parametrize("ref", ["LISTENER", "file:///etc/passwd", "file:///etc/passwd#/x",
                                 "//127.0.0.1:9/x.json", "/etc/passwd"])
def test_a_form_referring_outside_its_bundle_is_refused_at_deploy_and_nothing_is_fetched(
        live, analyst, listener, ref):
    ref = listener.url if ref == "LISTENER" else ref
    answer = deploy(live, analyst, {f"{KEY}.bpmn": form_map(), "report-schema.json": report_form({"$ref": ref})})

    [error] = refused_at(answer, "report-schema.json")
    assert error["element"] == "/properties/round_code/$ref"
    assert ref in error["message"] and "outside" in error["message"]
    assert registry_is_empty(live)
    assert listener.connections == []


def test_a_form_deployed_alone_to_the_library_is_checked_too(live, analyst, listener):
    answer = deploy(live, analyst, {"common-schema.json": {"$defs": {"round": {"$ref": listener.url}}}})

    [error] = refused_at(answer, "common-schema.json")
    assert error["element"] == "/$defs/round/$ref"
    assert listener.connections == []


def test_a_reference_to_a_form_that_is_not_deployed_is_refused(live, analyst):
    answer = deploy(live, analyst, {f"{KEY}.bpmn": form_map(),
                                    "report-schema.json": report_form({"$ref": "missing-schema.json#/$defs/x"})})

    [error] = refused_at(answer, "report-schema.json")
    assert "missing-schema.json" in error["message"]


def looping(form: dict) -> dict:
    form["$defs"] |= {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}
    return form


CYCLES = {
    "within one form": ({"report-schema.json": looping(report_form({"$ref": "#/$defs/a"}))}, "report-schema.json"),
    "a form that contains itself": ({"report-schema.json": report_form({"$ref": "#"})}, "report-schema.json"),
    "between two forms": ({"report-schema.json": report_form({"$ref": "common-schema.json#/$defs/round"}),
                           "common-schema.json": {"$defs": {"round": {
                               "anyOf": [{"type": "string"}, {"$ref": "report-schema.json"}]}}}},
                          "common-schema.json"),
}


@pytest.mark.parametrize("forms,file", CYCLES.values(), ids=CYCLES.keys())
def test_a_ref_cycle_is_refused_at_deploy(live, analyst, forms, file):
    answer = deploy(live, analyst, {f"{KEY}.bpmn": form_map(), **forms})

    errors = refused_at(answer, file)
    assert any("loop" in e["message"] for e in errors), errors
    assert all(e["element"] and e["element"].endswith("$ref") for e in errors)


def test_a_form_whose_refs_multiply_is_refused_at_deploy(live, analyst):
    """1 KB of definitions that each use the one before twice: 2**30 schemas to check per answer."""
    defs = {"d0": {"type": "string"}} | {f"d{i}": {"allOf": [{"$ref": f"#/$defs/d{i - 1}"}] * 2} for i in range(1, 31)}
    form = report_form({"$ref": "#/$defs/d30"})
    form["$defs"] |= defs

    [error] = refused_at(deploy(live, analyst, {f"{KEY}.bpmn": form_map(), "report-schema.json": form}),
                         "report-schema.json")
    assert "expands to more than 10,000 schemas" in error["message"]


def registry_is_empty(live) -> bool:
    with live.ctx.db.transaction(readonly=True) as session:
        return session.scalars(select(ProcessVersion)).first() is None


# -- a form stored before the check ----------------------------------------------------------------

@pytest.mark.parametrize("ref", ["LISTENER", "file:///etc/passwd"])
def test_a_form_stored_before_the_check_is_never_fetched_when_its_task_is_completed(live, officer, listener, ref):
    ref = listener.url if ref == "LISTENER" else ref
    registry.deploy(live.ctx, {f"{KEY}.bpmn": form_map().encode(),
                               "report-schema.json": json.dumps(report_form({"type": "string"})).encode()})
    with live.ctx.db.transaction() as session:  # as the hostile upload was stored, before the check
        row = session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == KEY)).one()
        row.files = {**row.files, "report-schema.json": json.dumps(report_form({"$ref": ref}))}
    view = cases.start_case(live.ctx, KEY, dict(RESIDENT))

    began = time.monotonic()
    answer = officer.post(f"{live.url}/api/v1/tasks/{view.tasks[0].id}/complete",
                          json={"data": {"bin": "refuse", "round_code": "root:x:0:0"}}, timeout=30)

    assert time.monotonic() - began < 3
    assert answer.status_code >= 400
    assert "report-schema.json" in answer.json()["message"] and ref in answer.json()["message"]
    assert listener.connections == []
    assert cases.show_case(live.ctx, view.reference).case.status == "open"


# -- references inside the bundle work --------------------------------------------------------------

@pytest.fixture
def deployed_with_refs(live, analyst):
    answer = deploy(live, analyst, {
        f"{KEY}.bpmn": form_map(ui="report-uischema.json"),
        "report-schema.json": report_form({"$ref": "common-schema.json#/$defs/round"}),
        "report-uischema.json": {"ui:order": ["round_code", "bin"]},
        "common-schema.json": COMMON})
    assert answer.status_code == 201, answer.text
    return cases.start_case(live.ctx, KEY, dict(RESIDENT))


def test_a_form_referring_to_its_definitions_and_another_form_of_its_bundle_completes_through_the_api(
        live, officer, deployed_with_refs):
    url = f"{live.url}/api/v1/tasks/{deployed_with_refs.tasks[0].id}/complete"

    wrong = officer.post(url, json={"data": {"bin": "compost", "round_code": "not a round"}}, timeout=30)
    assert wrong.status_code == 422, wrong.text
    assert wrong.json()["errors"] == {"round_code": "Round code must be 6 characters or fewer",
                                      "bin": "Select which bin was missed from the list"}
    done = officer.post(url, json={"data": {"bin": "garden", "round_code": "NE-104"}}, timeout=30)
    assert done.status_code == 200, done.text
    assert cases.show_case(live.ctx, deployed_with_refs.reference).data["round_code"] == "NE-104"


def test_the_task_page_shows_and_checks_fields_defined_by_reference(live, deployed_with_refs):
    officer = live.as_role(Role.BACK_OFFICE)
    url = f"{live.url}/tasks/{deployed_with_refs.tasks[0].id}"
    page = officer.get(url, timeout=30)
    assert page.status_code == 200, page.text
    assert "Which bin was missed?" in page.text and 'value="recycling"' in page.text
    assert "Round code" in page.text

    wrong = officer.post(url, data={"csrf_token": csrf_token(page.text), "bin": "refuse", "round_code": "NE104"},
                         timeout=30)
    assert wrong.status_code == 400, wrong.text
    assert "Enter round code in the correct format" in wrong.text


def test_fields_a_form_takes_whole_from_another_form_of_its_bundle_are_its_own(live, analyst, officer):
    """A form built as ``allOf: [{"$ref": "other-schema.json"}]`` asks the other form's questions, so
    their answers are accepted (the rule that refuses fields a form does not ask resolves ``$ref``
    exactly as the validator does), and a field neither asks is still refused."""
    answer = deploy(live, analyst, {
        f"{KEY}.bpmn": form_map(),
        "report-schema.json": {"type": "object", "allOf": [{"$ref": "round-schema.json"}]},
        "round-schema.json": {"type": "object", "properties": {"round_code": COMMON["$defs"]["round"]},
                              "required": ["round_code"]}})
    assert answer.status_code == 201, answer.text
    view = cases.start_case(live.ctx, KEY, dict(RESIDENT))
    url = f"{live.url}/api/v1/tasks/{view.tasks[0].id}/complete"

    foreign = officer.post(url, json={"data": {"round_code": "NE-104", "priority": "high"}}, timeout=30)
    assert foreign.status_code == 422 and set(foreign.json()["errors"]) == {"priority"}, foreign.text
    done = officer.post(url, json={"data": {"round_code": "NE-104"}}, timeout=30)
    assert done.status_code == 200, done.text
    assert cases.show_case(live.ctx, view.reference).data["round_code"] == "NE-104"
