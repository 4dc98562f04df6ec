"""The registry: adapters configured by name from a file, secrets only from the environment."""
from __future__ import annotations

import json

import pytest
from lxml import etree

from adapters.base import AdapterConfigError, AdapterError, UnknownOperation
from adapters.registry import AdapterRegistry
from adapters.retry import RetryPolicy
from engine.bpmn.lint import References, lint_bpmn

CONFIG = {
    "highways": {"type": "open311", "base_url": "http://127.0.0.1:9/open311", "api_key_env": "OPEN311_API_KEY",
                 "service_codes": {"pothole": "POT"}, "retry": {"max_attempts": 8, "base_s": 30, "max_s": 3600}},
    "notify": {"type": "notify", "api_key_env": "NOTIFY_API_KEY", "templates": {"ack": "a-template-id"}},
    "records": {"type": "filedrop", "drop_dir": "/srv/edrms/import"},
}
OPERATIONS = {"highways/create_request", "highways/request_status", "notify/send_email", "notify/send_sms",
              "records/file_document"}


def test_operations_are_named_adapter_slash_operation(tmp_path):
    path = tmp_path / "adapters.json"
    path.write_text(json.dumps(CONFIG))
    adapters = AdapterRegistry.from_env({"COUNCILFLOW_ADAPTERS": str(path)})
    assert adapters.operations() == OPERATIONS
    assert adapters.policy("highways/create_request") == RetryPolicy(8, 30, 3600)
    assert adapters.policy("notify/send_email") == RetryPolicy()


def test_toml_configuration_is_read_too(tmp_path):
    path = tmp_path / "adapters.toml"
    path.write_text('[records]\ntype = "filedrop"\ndrop_dir = "/srv/import"\n\n[records.retry]\nmax_attempts = 2\n')
    adapters = AdapterRegistry.from_file(path, {})
    assert adapters.operations() == {"records/file_document"} and adapters.policy("records/x").max_attempts == 2


def test_without_configuration_there_are_no_operations():
    assert AdapterRegistry.from_env({}).operations() == set()


@pytest.mark.parametrize("entry, complaint", [
    ({"type": "open311", "base_url": "http://x", "api_key": "s3cret"}, "secret in its configuration ('api_key')"),
    ({"type": "cmis", "browser_url": "http://x", "password": "hunter2"}, "('password')"),
    ({"type": "revenues", "base_url": "https://svc:pa55@revs.example"}, "credentials in the URL 'base_url'"),
    ({"type": "sharepoint"}, "unknown adapter type 'sharepoint'"),
    ({"type": "open311"}, "needs the setting 'base_url'"),
    ({"base_url": "http://x"}, "needs a 'type'"),
    ({"type": "filedrop", "drop_dir": "/x", "retry": {"tries": 3}}, "unknown retry settings: tries"),
])
def test_unusable_configuration_is_refused_with_the_reason(entry, complaint):
    with pytest.raises(AdapterConfigError, match=complaint.replace("(", r"\(").replace(")", r"\)")):
        AdapterRegistry.from_config({"backoffice": entry}, {})


def test_the_admin_description_names_environment_variables_but_never_their_values():
    adapters = AdapterRegistry.from_config(CONFIG, {"OPEN311_API_KEY": "the-real-key"})
    described = json.dumps(adapters.describe())
    assert "the-real-key" not in described
    highways = adapters.describe()[0]
    assert highways["settings"]["api_key_env"] == {"variable": "OPEN311_API_KEY", "set": True}
    assert adapters.describe()[1]["settings"]["api_key_env"]["set"] is False
    assert highways["retry"] == {"max_attempts": 8, "base_s": 30, "max_s": 3600}


def test_an_unknown_operation_is_not_retryable():
    with pytest.raises(UnknownOperation) as raised:
        AdapterRegistry.from_config(CONFIG, {}).call("highways/delete_everything", {}, "k")
    assert raised.value.non_retryable and "highways/create_request" in raised.value.message


def test_a_missing_secret_is_an_incident_naming_the_variable():
    with pytest.raises(AdapterError, match="NOTIFY_API_KEY") as raised:
        AdapterRegistry.from_config(CONFIG, {}).call("notify/send_email", {"template": "ack",
                                                                           "email_address": "a@b.c"}, "k")
    assert not raised.value.retryable and not raised.value.business


SERVICE_TASKS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  id="d" targetNamespace="x">
 <bpmn:process id="report" isExecutable="true">
  <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:serviceTask id="raise_job"><bpmn:extensionElements>
   <spiffworkflow:serviceTaskOperator id="highways/create_request" resultVariable="job" />
   </bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
  <bpmn:serviceTask id="tell" camunda:type="external" camunda:topic="notify/send_letter">
   <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:serviceTask>
  <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="raise_job" />
  <bpmn:sequenceFlow id="f2" sourceRef="raise_job" targetRef="tell" />
  <bpmn:sequenceFlow id="f3" sourceRef="tell" targetRef="end" />
 </bpmn:process>
</bpmn:definitions>"""


def test_the_linter_accepts_registered_operations_and_names_unregistered_ones():
    refs = References(operations=AdapterRegistry.from_config(CONFIG, {}).operations())
    problems = lint_bpmn("report.bpmn", etree.fromstring(SERVICE_TASKS.encode()), refs, "Customer Hub")
    unregistered = [p for p in problems if "registered adapter operation" in p.message]
    assert [p.element for p in unregistered] == ["tell"]
    assert "notify/send_letter" in unregistered[0].message
