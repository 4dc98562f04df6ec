"""``councilflow test`` on process models laid out as in SpiffArena (tests/spiffarena_models, written
for this project): test_X.json tests X.bpmn beside it, call activities are found across the process
root, task keys are ``<task>`` or ``<process>:<task>``, ``mocks`` replace script helpers, a decision
table runs in every case; the output is the same under any hash seed, and nothing is a traceback."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.bpmn import modeltest
from tests.engine.maps import process

MODELS = Path(__file__).resolve().parents[1] / "spiffarena_models"
ROOT = Path(__file__).resolve().parents[2]
SPIFFARENA_UNIT_MODELS = Path(os.environ.get(
    "SPIFFARENA_UNIT_MODELS", "/tmp/spiffarena_models/spiffworkflow-backend/tests/data/bpmn_unit_test_process_models"))


def _councilflow_test(path: Path, seed: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", "import sys; from webui.cli import main; sys.exit(main())",
                           "test", str(path), "--json"], capture_output=True, text=True, env=env, timeout=120)


def test_spiffarena_layout_passes_identically_under_several_hash_seeds():
    runs = [_councilflow_test(MODELS, seed) for seed in ("0", "1", "4242")]
    assert all(r.returncode == 0 and "Traceback" not in r.stderr for r in runs), [r.stderr for r in runs]
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout
    report = json.loads(runs[0].stdout)
    assert (report["passed"], report["failed"]) == (4, 0)
    assert [r["name"] for r in report["results"]] == [
        "large_grant_notifies_the_applicant", "small_grant_with_mocked_helpers",
        "another_large_grant_after_the_decision_ran", "an_offered_colour"]


def test_one_model_folder_finds_the_map_it_calls_in_another_process_group(ctx):
    results = modeltest.run_path(ctx, MODELS / "requests" / "approval")
    assert [r.passed for r in results] == [True, True, True], [r.message for r in results]


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_a_test_file_without_its_map_or_with_broken_cases_fails_without_a_traceback(ctx, tmp_path):
    _write(tmp_path, "test_missing.json", '{"case_1": {"expected_output_json": {}}}')
    _write(tmp_path / "bad", "test_bad.json", '{"case_1": ')
    _write(tmp_path / "odd", "test_odd.json", '["not", "cases"]')
    results = {r.file: r for r in modeltest.run_path(ctx, tmp_path)}
    assert not any(r.passed for r in results.values())
    assert "no missing.bpmn beside it" in results["test_missing.json"].message
    assert "not valid JSON" in results["test_bad.json"].message
    assert "maps test-case names to objects" in results["test_odd.json"].message


def test_primary_file_name_and_primary_process_id_choose_the_map_and_process(ctx, tmp_path):
    grant = (MODELS / "requests" / "approval")
    for file in grant.iterdir():
        if file.name != "test_grant_approval.json":
            _write(tmp_path / "m", file.name, file.read_text(encoding="utf-8"))
    _write(tmp_path / "m", "test_something_else.json", (grant / "test_grant_approval.json").read_text())
    text = (tmp_path / "m" / "grant_approval.bpmn").read_text()
    # a second executable process after the primary one: SpiffArena's runner would pick the last
    extra = '<bpmn:process id="unused" isExecutable="true"><bpmn:startEvent id="u_start" /></bpmn:process>'
    (tmp_path / "m" / "grant_approval.bpmn").write_text(text.replace("</bpmn:definitions>", extra + "</bpmn:definitions>"))
    _write(tmp_path / "n", "notify_applicant.bpmn",
           (MODELS / "shared" / "notify_applicant" / "notify_applicant.bpmn").read_text())
    results = modeltest.run_path(ctx, tmp_path)
    assert [r.passed for r in results] == [True, True, True], [r.message for r in results]


def test_a_user_task_without_data_names_both_keys_it_accepts(ctx, tmp_path):
    for file in (MODELS / "requests" / "approval").iterdir():
        _write(tmp_path, file.name, file.read_text(encoding="utf-8"))
    _write(tmp_path, "test_grant_approval.json", '{"no_data": {"expected_output_json": {}}}')
    [result] = modeltest.run_path(ctx, tmp_path)
    assert not result.passed
    assert '"enter_amount" or "grant_approval:enter_amount"' in result.message


@pytest.mark.skipif(not (SPIFFARENA_UNIT_MODELS / "expected-to-pass").is_dir(),
                    reason="SpiffArena's own unit-test models are not on this machine")
def test_spiffarena_own_unit_test_models_pass_as_they_do_in_spiffarena(ctx):
    passing = modeltest.run_path(ctx, SPIFFARENA_UNIT_MODELS / "expected-to-pass")
    failing = modeltest.run_path(ctx, SPIFFARENA_UNIT_MODELS / "expected-to-fail")
    assert passing and all(r.passed for r in passing), [(r.file, r.message) for r in passing if not r.passed]
    assert failing and not any(r.passed for r in failing)


CONNECTOR_MAP = process("take_payment", """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="charge" />
    <bpmn:serviceTask id="charge" name="Charge the card">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="OPERATOR" resultVariable="charge">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="amount" type="int" value="1250" />
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="charge" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>""")


def test_a_spiffarena_connector_we_lack_waits_as_an_external_task_while_a_typo_in_ours_is_refused(database_url):
    from engine.bpmn import registry
    from engine.casework import cases
    from engine.context import Context, Settings
    from engine.errors import DeploymentRejected
    from engine.outbox.external_tasks import list_external_tasks
    from engine.persistence.db import Database
    from tests.conftest import FORMS
    ctx = Context(Database(database_url), settings=Settings(forms_dir=FORMS), operations={"notify/send_email"})
    try:
        deployment = registry.deploy(ctx, {"pay.bpmn": CONNECTOR_MAP.replace("OPERATOR", "stripe/CreateCharge").encode()})
        assert any("wait as an external task on the topic 'stripe/CreateCharge'" in w.message
                   for w in deployment.warnings)
        view = cases.start_case(ctx, "take_payment")
        assert [t.topic_name for t in list_external_tasks(ctx) if t.activity_id == "charge"] == ["stripe/CreateCharge"]
        assert view.status == "open"
        with pytest.raises(DeploymentRejected, match="not a registered adapter operation"):
            registry.deploy(ctx, {"pay.bpmn": CONNECTOR_MAP.replace("OPERATOR", "notify/send_emial").encode()})
    finally:
        ctx.db.dispose()


def test_a_multi_instance_editing_its_items_in_place_is_accepted_and_runs(ctx, tmp_path):
    _write(tmp_path, "double_all.bpmn", """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="double_all" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="double" />
    <bpmn:scriptTask id="double"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:loopDataInputRef>amounts</bpmn:loopDataInputRef><bpmn:loopDataOutputRef>amounts</bpmn:loopDataOutputRef>
        <bpmn:inputDataItem id="amount" name="amount" /><bpmn:outputDataItem id="amount" name="amount" />
      </bpmn:multiInstanceLoopCharacteristics>
      <bpmn:script>amount = amount * 2</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="double" targetRef="e" />
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>""")
    _write(tmp_path, "test_double_all.json",
           '{"in_place": {"initial_data": {"amounts": [1, 2, 3]}, "expected_output_json": {"amounts": [2, 4, 6]}}}')
    [result] = modeltest.run_path(ctx, tmp_path)
    assert result.passed, result.message


def test_a_form_offers_the_options_the_case_holds_and_refuses_others(ctx):
    from engine.bpmn import registry
    from engine.casework import cases
    from engine.errors import FormInvalid
    from tests.engine.helpers import complete
    from webui.forms.form import Form
    folder = MODELS / "requests" / "pick_colour"
    registry.deploy(ctx, {n: (folder / n).read_bytes() for n in ("pick_colour.bpmn", "colour-schema.json")})
    view = cases.start_case(ctx, "pick_colour")
    data = cases.show_case(ctx, view.reference).data
    shown = Form.from_texts((folder / "colour-schema.json").read_text(), None, None, "colour-schema.json", data)
    assert [[(o.value, o.label) for o in f.options] for f in shown.fields] == [
        [("red", "Red"), ("blue", "Blue")], [("stripes", "stripes"), ("spots", "spots")]]
    with pytest.raises(FormInvalid):
        complete(ctx, view, "choose", {"colour": "green"})
    done = complete(ctx, view, "choose", {"colour": "red", "extras": ["stripes"]})
    assert done.status == "completed"


def test_mocks_can_only_stand_in_for_functions_never_for_the_sandbox_s_own_names(ctx, tmp_path):
    for file in (MODELS / "requests" / "approval").iterdir():
        _write(tmp_path / "m", file.name, file.read_text(encoding="utf-8"))
    _write(tmp_path / "n", "notify_applicant.bpmn",
           (MODELS / "shared" / "notify_applicant" / "notify_applicant.bpmn").read_text())
    case = {"mocks": {"__builtins__": {}, "_getattr_": None, "_write_": None, "not a name": 1},
            "tasks": {"enter_amount": {"data": [{"amount": 5}]}}, "expected_output_json": {"band": "small"}}
    _write(tmp_path / "m", "test_grant_approval.json", json.dumps({"hostile_mocks": case}))
    [result] = modeltest.run_path(ctx, tmp_path)
    assert result.passed, result.message
