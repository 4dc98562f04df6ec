"""One upload may mix maps from several modellers (a Camunda 7 map, a SpiffArena map with a decision
table, a Camunda 8 map): each is read by its own dialect's parser, so the upload deploys, or fails
with errors naming the file and element; never a server error, from the CLI, the API or the page."""
from __future__ import annotations

import io

import pytest

from engine.people import tokens
from engine.types import Role
from tests.engine.test_camunda8 import MAP as CAMUNDA_8
from tests.webui.conftest import csrf_token

SPIFF_WITH_DECISION = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d1" targetNamespace="x">
  <bpmn:process id="garden_waste" name="Garden waste subscription" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="fee" name="Work out the fee">
      <bpmn:extensionElements><spiffworkflow:calledDecisionId>garden_fee</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements><bpmn:incoming>a</bpmn:incoming><bpmn:outgoing>b</bpmn:outgoing></bpmn:businessRuleTask>
    <bpmn:endEvent id="e"><bpmn:incoming>b</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="fee" />
    <bpmn:sequenceFlow id="b" sourceRef="fee" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""
DECISION = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="fees" name="Fees" namespace="x">
  <decision id="garden_fee" name="Garden waste fee">
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="bins_in" label="Bins"><inputExpression id="bins_expr" typeRef="integer"><text>bins</text>
      </inputExpression></input>
      <output id="fee_out" name="fee" typeRef="integer" />
      <rule id="many"><inputEntry id="many_in"><text>&gt; 1</text></inputEntry><outputEntry id="many_out"><text>80</text>
      </outputEntry></rule>
      <rule id="one"><inputEntry id="one_in"><text>-</text></inputEntry><outputEntry id="one_out"><text>45</text>
      </outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>"""
CAMUNDA_7 = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d2" targetNamespace="x">
  <bpmn:process id="bulky_waste" name="Bulky waste collection" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="book" name="Book the collection" camunda:candidateGroups="Waste Services">
      <bpmn:incoming>a</bpmn:incoming><bpmn:outgoing>b</bpmn:outgoing></bpmn:userTask>
    <bpmn:callActivity id="fee" name="Charge the fee" calledElement="CALLED">
      <bpmn:incoming>b</bpmn:incoming><bpmn:outgoing>c</bpmn:outgoing></bpmn:callActivity>
    <bpmn:endEvent id="e"><bpmn:incoming>c</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="book" />
    <bpmn:sequenceFlow id="b" sourceRef="book" targetRef="fee" />
    <bpmn:sequenceFlow id="c" sourceRef="fee" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""
MIXED = {"garden.bpmn": SPIFF_WITH_DECISION, "fees.dmn": DECISION, "blue_badge.bpmn": CAMUNDA_8,
         "bulky.bpmn": CAMUNDA_7.replace("CALLED", "decision_letter")}  # a Camunda 7 map calls a Camunda 8 one
ACROSS = {**MIXED, "bulky.bpmn": CAMUNDA_7.replace("CALLED", "garden_waste")}  # it calls the SpiffArena map


def _write(folder, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        (folder / name).write_text(text)
    return [str(folder / name) for name in files]


def test_the_cli_deploys_a_mixed_upload_and_locates_a_call_across_parsers(cli, tmp_path):
    (tmp_path / "ok").mkdir()
    (tmp_path / "across").mkdir()
    assert cli("init").exit_code == 0
    checked = cli("check", "--json", *_write(tmp_path / "ok", MIXED))
    assert checked.exit_code == 0, checked.stdout
    assert {p["process"]: p["dialect"] for p in checked.json()["processes"]} == {
        "garden_waste": "spiff", "blue_badge": "zeebe", "decision_letter": "zeebe", "bulky_waste": "camunda"}
    assert cli("deploy", *_write(tmp_path / "ok", MIXED)).exit_code == 0
    refused = cli("check", "--json", *_write(tmp_path / "across", ACROSS))
    assert refused.exit_code == 2 and "Traceback" not in refused.stdout + refused.stderr
    [error] = refused.json()["errors"]
    assert error["file"] == "bulky.bpmn" and error["element"] == "fee" and error["line"]
    assert "a SpiffArena map; a Camunda 7 map can only call maps of its own kind" in error["message"]


@pytest.fixture
def analyst_token(ctx, make_user):
    make_user("uploader@example.gov.uk", Role.ANALYST)
    return tokens.issue_token(ctx, "uploader@example.gov.uk", "uploads")


def _files(files: dict[str, str]) -> list:
    return [(io.BytesIO(text.encode()), name) for name, text in files.items()]


def test_the_api_and_the_upload_page_answer_a_mixed_upload_without_a_server_error(app, analyst_token, signed_in):
    client, auth = app.test_client(), {"Authorization": f"Bearer {analyst_token}"}
    refused = client.post("/api/v1/processes", data={"files": _files(ACROSS)}, headers=auth,
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and refused.json["errors"][0]["element"] == "fee"
    deployed = client.post("/api/v1/processes", data={"files": _files(MIXED)}, headers=auth,
                           content_type="multipart/form-data")
    assert deployed.status_code == 201, deployed.json
    assert {d["process"] for d in deployed.json["deployed"]} == {"garden_waste", "blue_badge", "decision_letter",
                                                                  "bulky_waste"}
    page = signed_in(Role.ANALYST)
    token = csrf_token(page.get("/processes/upload").get_data(as_text=True))
    answer = page.post("/processes/upload", data={"csrf_token": token, "action": "check", "files": _files(ACROSS)},
                       content_type="multipart/form-data")
    assert answer.status_code == 400
    assert "can only call maps of its own kind" in answer.get_data(as_text=True)
