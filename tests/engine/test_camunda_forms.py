"""Camunda Forms (form-js ``.form`` files) named by Camunda 7 and Camunda 8 maps: checked at upload
(an unsupported component or pattern is an error naming the component and file), kept with the
version as our one form model, and validated when the task is completed; hostile forms refused."""
from __future__ import annotations

import json

import pytest

from engine.bpmn import camunda_forms, registry
from engine.casework import cases
from engine.errors import FormInvalid
from engine.types import CaseStatus

FORM = {
    "id": "parking_permit_review", "type": "default", "schemaVersion": 16,
    "components": [
        {"type": "text", "text": "## Check the permit\nRead the evidence <script>alert(1)</script> first."},
        {"type": "textfield", "key": "registration", "label": "Vehicle registration",
         "validate": {"required": True, "minLength": 2, "maxLength": 8, "pattern": "^[A-Z0-9 ]+$"}},
        {"type": "number", "key": "months", "label": "Months", "decimalDigits": 0, "validate": {"min": 1, "max": 12}},
        {"type": "radio", "key": "decision", "label": "Decision", "validate": {"required": True},
         "values": [{"label": "Approve", "value": "approve"}, {"label": "Refuse", "value": "refuse"}]},
        {"type": "textarea", "key": "reason", "label": "Reason for refusing", "validate": {"required": True},
         "conditional": {"hide": '=decision != "refuse"'}},
        {"type": "group", "label": "Evidence", "components": [
            {"type": "checklist", "key": "evidence", "label": "Evidence seen",
             "values": [{"label": "V5C", "value": "v5c"}, {"label": "Council tax bill", "value": "ctax"}]},
            {"type": "taglist", "key": "zones", "label": "Zones",
             "values": [{"label": "A", "value": "A"}, {"label": "B", "value": "B"}]},
            {"type": "select", "key": "colour", "label": "Colour",
             "values": [{"label": "Red", "value": "red"}, {"label": "Blue", "value": "blue"}]},
            {"type": "checkbox", "key": "checked", "label": "I have checked the DVLA record"},
            {"type": "datetime", "key": "starts", "subtype": "date", "dateLabel": "Starts on"},
        ]},
        {"type": "button", "key": "submit", "label": "Submit", "action": "submit"},
    ],
}

C7 = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="permits" name="Parking permits" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="Review the permit" camunda:candidateGroups="Parking"
        camunda:formKey="camunda-forms:deployment:review.form">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="gw" default="f_no"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:userTask id="notify" name="Tell the resident" camunda:candidateGroups="Parking"
        camunda:formKey="embedded:app:forms/notify.html" camunda:assignee="${approver}">
      <bpmn:incoming>f_yes</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f_no</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="gw" />
    <bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="notify">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${decision == "approve" &amp;&amp; !checked}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="end" />
    <bpmn:sequenceFlow id="f3" sourceRef="notify" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""

C8 = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="permits8" name="Parking permits" isExecutable="true">
    <bpmn:extensionElements>
      <zeebe:userTaskForm id="UserTaskForm_1">{"components": [{"type": "textfield", "key": "note", "label": "Note",
        "validate": {"required": true}}]}</zeebe:userTaskForm>
    </bpmn:extensionElements>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="Review the permit">
      <bpmn:extensionElements><zeebe:formDefinition formId="parking_permit_review" />
        <zeebe:assignmentDefinition candidateGroups="Parking" /></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="note" name="Write a note">
      <bpmn:extensionElements><zeebe:formDefinition formKey="camunda-forms:bpmn:UserTaskForm_1" />
        <zeebe:assignmentDefinition candidateGroups="Parking" /></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="note" />
    <bpmn:sequenceFlow id="f3" sourceRef="note" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""

GOOD = {"registration": "AB12 CDE", "decision": "approve", "months": 6}



def _form(**changes) -> bytes:
    return json.dumps({**FORM, **changes}).encode()


def test_a_camunda_7_task_shows_its_camunda_form_and_validates_answers_with_it(council):
    files = {"permits.bpmn": C7.encode(), "review.form": _form()}
    bundle = registry.check(council, files)
    assert bundle.errors == []
    warned = {(w.element, w.message.split(":")[0]) for w in bundle.warnings}
    assert ("notify", "the form key 'embedded") in warned  # never silently dropped
    assert any(w.element == "notify" and "assignee expression '${approver}'" in w.message for w in bundle.warnings)
    assert any("runs as the Python 'decision == \"approve\" and not checked'" in w.message for w in bundle.warnings)
    registry.deploy(council, files)
    case = cases.start_case(council, "permits", {})
    [task] = case.tasks
    with pytest.raises(FormInvalid) as refused:
        cases.complete_task(council, task.id, {"registration": "ab-12", "decision": "refuse", "months": 13})
    assert set(refused.value.errors) == {"registration", "months", "reason"}
    done = cases.complete_task(council, task.id, {**GOOD, "checked": True})
    assert done.status == CaseStatus.COMPLETED  # "approve and not checked" was false: straight to the end
    second = cases.start_case(council, "permits", {})
    after = cases.complete_task(council, second.tasks[0].id, GOOD)
    assert [t.bpmn_id for t in after.tasks] == ["notify"] and after.tasks[0].team == "Parking"


def test_a_camunda_8_task_shows_a_linked_form_and_an_embedded_one(council):
    files = {"permits8.bpmn": C8.encode(), "review.form": _form()}
    assert registry.check(council, files).errors == []
    registry.deploy(council, files)
    case = cases.start_case(council, "permits8", {})
    with pytest.raises(FormInvalid):
        cases.complete_task(council, case.tasks[0].id, {})
    case = cases.complete_task(council, case.tasks[0].id, GOOD)
    with pytest.raises(FormInvalid) as refused:
        cases.complete_task(council, case.tasks[0].id, {})
    assert list(refused.value.errors) == ["note"]
    assert cases.complete_task(council, case.tasks[0].id, {"note": "done"}).status == CaseStatus.COMPLETED


def test_a_missing_or_unusable_camunda_form_is_refused_at_check_naming_it(council):
    missing = registry.check(council, {"permits.bpmn": C7.encode()}).errors
    assert [(e.element, "'review.form' is neither in this upload nor deployed" in e.message) for e in missing] == \
        [("review", True)]
    unusable = FORM["components"] + [{"type": "iframe", "id": "map", "url": "https://example.com"},
                                     {"type": "textfield", "key": "ref", "validate": {"pattern": "(a)\\1"}}]
    errors = registry.check(council, {"permits.bpmn": C7.encode(), "review.form": _form(components=unusable)}).errors
    assert {(e.file, e.element) for e in errors} == {("review.form", "iframe 'map'"), ("review.form", "textfield 'ref'")}
    assert any("component type 'iframe' is not supported" in e.message for e in errors)
    assert any("RE2" in e.message for e in errors)


def test_a_simple_juel_condition_runs_as_python_and_a_complex_one_is_refused_with_a_hint(council):
    complex_ = C7.replace('${decision == "approve" &amp;&amp; !checked}', '${customer.prop("age") &gt;= 21}')
    [error] = registry.check(council, {"permits.bpmn": complex_.encode(), "review.form": _form()}).errors
    assert error.element == "f_yes" and "is a Camunda (JUEL) expression; write it in Python" in error.message


@pytest.mark.parametrize("hostile,why", [
    (b'{"components": [' + b" " * camunda_forms.MAX_BYTES + b"]}", "larger than"),
    (b"[" * 100_000, "not valid JSON"),
    (json.dumps({"components": [{"type": "textfield", "key": f"f{i}"} for i in range(600)]}).encode(), "more than 500"),
])
def test_hostile_camunda_forms_are_refused_in_bounded_time(hostile, why):
    form, problem = camunda_forms.parse(hostile)
    findings = [problem] if form is None else [f.message for f in camunda_forms.convert(form, "x").findings]
    assert any(why in f for f in findings if f), findings


def test_groups_nested_too_deep_and_computed_conditions_are_refused():
    deep: dict = {"type": "textfield", "key": "x"}
    for _ in range(camunda_forms.MAX_DEPTH + 2):
        deep = {"type": "group", "components": [deep]}
    hidden = {"type": "textfield", "key": "y", "conditional": {"hide": "=some x in xs satisfies x > 1"}}
    found = camunda_forms.convert({"components": [deep, hidden]}, "x").findings
    assert any("nested more than" in f.message for f in found)
    assert any(f.where == "textfield 'y'" and "is not supported: write it as" in f.message for f in found)


def test_a_camunda_form_becomes_our_form_model():
    converted = camunda_forms.convert(FORM, "Review")
    props = converted.schema["properties"]
    assert converted.findings == []
    assert converted.schema["required"] == ["registration", "decision"]
    assert props["registration"] | {} == {"title": "Vehicle registration", "type": "string", "minLength": 2,
                                           "maxLength": 8, "pattern": "^[A-Z0-9 ]+$"}
    assert props["months"]["type"] == "integer" and (props["months"]["minimum"], props["months"]["maximum"]) == (1, 12)
    assert props["zones"]["type"] == "array" and props["evidence"]["uniqueItems"] is True
    assert props["starts"]["format"] == "date" and props["checked"]["type"] == "boolean"
    assert converted.schema["allOf"] == [{"if": {"properties": {"decision": {"const": "refuse"}},
                                                 "required": ["decision"]}, "then": {"required": ["reason"]}}]
    assert converted.ui_schema["ui:order"][0] == "_text_1" and "_text_2" in converted.ui_schema["ui:order"]
