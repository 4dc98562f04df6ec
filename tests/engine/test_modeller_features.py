"""The table in docs/process-analysts.md ("What each modeller's features do here") is what the
engine does: each row's small map is checked, and supported / warning / refused must match."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.bpmn import registry

DOC = Path(__file__).resolve().parents[2] / "docs" / "process-analysts.md"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NAMESPACES = {"SpiffArena": 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"',
              "Camunda 7": 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"',
              "Camunda 8": 'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"'}
ROUTED = {"SpiffArena": "", "Camunda 7": ' camunda:candidateGroups="Parking"',
          "Camunda 8": ""}
HISTORY = {"SpiffArena": "", "Camunda 7": ' camunda:historyTimeToLive="180"', "Camunda 8": ""}  # as the Modeler writes
ZEEBE_TEAM = '<zeebe:assignmentDefinition candidateGroups="Parking" />'
FORM = json.dumps({"id": "review", "components": [{"type": "textfield", "key": "note", "label": "Note"}]})


def _user(extension: str = "", attributes: str = "", modeller: str = "Camunda 7") -> str:
    team = ZEEBE_TEAM if modeller == "Camunda 8" else ""
    return (f'<bpmn:userTask id="x" name="Review"{ROUTED[modeller]}{attributes}>'
            f'<bpmn:extensionElements>{extension}{team}</bpmn:extensionElements>')


def _spiff_form(ui: dict[str, object], **period: str) -> tuple[str, dict[str, str]]:
    """A user task whose SpiffArena form asks for one answer of each widget, with UI schema ``ui``
    (``period``: more of the date range's schema, like its ``minimumDate``)."""
    schema = {"type": "object", "properties": {
        "supplier": {"type": "string"}, "period": {"type": "string", **period}, "amount": {"type": "number"},
        "ok": {"type": "boolean"}, "cost": {"type": "object", "properties": {"min": {"type": "number"},
                                                                             "max": {"type": "number"}}}}}
    return ('<bpmn:userTask id="x"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="formJsonSchemaFilename" value="w-schema.json" />'
            '<spiffworkflow:property name="formUiSchemaFilename" value="w-uischema.json" />'
            '</spiffworkflow:properties></bpmn:extensionElements>',
            {"w-schema.json": json.dumps(schema), "w-uischema.json": json.dumps(ui)})


WIDGETS = {"supplier": {"ui:widget": "typeahead", "ui:options": {"category": "suppliers"}},
           "period": {"ui:widget": "date-range"}, "amount": {"ui:widget": "formattedNumber"},
           "ok": {"ui:widget": "checkbox"}, "cost": {"ui:field": "numeric-range"}}


def _timer(cycle: str) -> str:
    return (f'<bpmn:intermediateCatchEvent id="x">|<bpmn:timerEventDefinition><bpmn:timeCycle>{cycle}'
            f'</bpmn:timeCycle></bpmn:timerEventDefinition>')


def _store_write(kind: str) -> str:
    """A script task writing the store ``fees`` (declared as ``kind`` by ``_map``)."""
    return (f'STORE{kind}<bpmn:scriptTask id="x">|<bpmn:dataOutputAssociation id="o"><bpmn:targetRef>fees_ref'
            '</bpmn:targetRef></bpmn:dataOutputAssociation><bpmn:script>fees = {"a": 1}</bpmn:script>')


def _condition(expression: str) -> str:
    return f'COND{expression}'


# Per row: the element "x" (opened, without its incoming/outgoing or closing tag; what follows a "|"
# comes after them; "COND…" puts the condition on the flow "fx" after a gateway), and the files
# uploaded with it.
SAMPLES: dict[tuple[str, str], tuple[str, dict[str, str]]] = {
    ("SpiffArena", "Python script task"): ('<bpmn:scriptTask id="x">|<bpmn:script>total = 1 + 2</bpmn:script>', {}),
    ("SpiffArena", "user task form (`formJsonSchemaFilename`)"): (
        '<bpmn:userTask id="x"><bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property '
        'name="formJsonSchemaFilename" value="review-schema.json" /></spiffworkflow:properties>'
        '</bpmn:extensionElements>', {"review-schema.json": '{"type": "object", "properties": {}}'}),
    ("SpiffArena", "form widgets `typeahead`, `date-range`, `formattedNumber`, `checkbox`, field `numeric-range`"):
        _spiff_form(WIDGETS),
    ("SpiffArena", "typeahead widget with no `category` in `ui:options`"): _spiff_form(
        {**WIDGETS, "supplier": {"ui:widget": "typeahead"}}),
    ("SpiffArena", "date limits `minimumDate`, `maximumDate` (`today`, `field:<question>[:start|:end]`)"):
        _spiff_form(WIDGETS, minimumDate="today", maximumDate="today"),
    ("SpiffArena", "date limit naming no question of the form (`field:start_date`)"):
        _spiff_form(WIDGETS, minimumDate="field:start_date"),
    ("SpiffArena", "user task with no lane or candidate group"): ('NOLANE<bpmn:userTask id="x">', {}),
    ("SpiffArena", "connector we have no adapter for (`http/GetRequestV2`)"): (
        '<bpmn:serviceTask id="x"><bpmn:extensionElements><spiffworkflow:serviceTaskOperator '
        'id="http/GetRequestV2"><spiffworkflow:parameters /></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>', {}),
    ("SpiffArena", "cron `timeCycle`"): (_timer("0 0 9 * * ?"), {}),
    ("SpiffArena", 'data store (`bpmn:dataStore name="JSONDataStore"`, `KKVDataStore`, `TypeaheadDataStore`)'): (
        _store_write("JSONDataStore"), {}),
    ("SpiffArena", 'data store of another kind (`name="S3DataStore"`)'): (_store_write("S3DataStore"), {}),
    ("Camunda 7", 'Camunda Form (`camunda:formKey="camunda-forms:deployment:NAME.form"`)'): (
        _user(attributes=' camunda:formKey="camunda-forms:deployment:review.form"'), {"review.form": FORM}),
    ("Camunda 7", "generated form (`camunda:formField`)"): (_user(
        '<camunda:formData><camunda:formField id="note" label="Note" type="string" /></camunda:formData>'), {}),
    ("Camunda 7", "embedded HTML or JSF form key (`embedded:app:…`, `app:…`)"): (
        _user(attributes=' camunda:formKey="embedded:app:forms/review.html"'), {}),
    ("Camunda 7", 'assignee expression (`camunda:assignee="${approver}"`)'): (
        _user(attributes=' camunda:assignee="${approver}"'), {}),
    ("Camunda 7", "candidate users (`camunda:candidateUsers`)"): (_user(attributes=' camunda:candidateUsers="demo"'), {}),
    ("Camunda 7", "simple JUEL condition (`${!approved}`, `${amount > 1000}`)"): (_condition("${!approved}"), {}),
    ("Camunda 7", 'JUEL with paths, methods or beans (`${customer.prop("age")}`)'): (
        _condition('${customer.prop("age") &gt; 21}'), {}),
    ("Camunda 7", 'external task (`camunda:type="external" camunda:topic`)'): (
        '<bpmn:serviceTask id="x" camunda:type="external" camunda:topic="payments">', {}),
    ("Camunda 7", "Java delegate (`camunda:class`)"): (
        '<bpmn:serviceTask id="x" camunda:class="org.example.Payments">', {}),
    ("Camunda 7", "Groovy or JavaScript script"): (
        '<bpmn:scriptTask id="x" scriptFormat="groovy">|<bpmn:script>println "hi"</bpmn:script>', {}),
    ("Camunda 7", "Quartz `timeCycle` (`0 0 9 * * ?`)"): (_timer("0 0 9 * * ?"), {}),
    ("Camunda 8", "linked Camunda Form (`zeebe:formDefinition formId`)"): (
        _user('<zeebe:formDefinition formId="review" />', modeller="Camunda 8"), {"review.form": FORM}),
    ("Camunda 8", "embedded Camunda Form (`zeebe:userTaskForm`)"): (
        _user('<zeebe:formDefinition formKey="camunda-forms:bpmn:form_1" />', modeller="Camunda 8"), {}),
    ("Camunda 8", "FEEL condition (`=amount > 1000`)"): (_condition("=amount &gt; 1000"), {}),
    ("Camunda 8", "FEEL beyond the subset (`=some x in xs satisfies …`)"): (
        _condition("=some x in xs satisfies x &gt; 1"), {}),
    ("Camunda 8", "job worker (`zeebe:taskDefinition type`)"): (
        '<bpmn:serviceTask id="x"><bpmn:extensionElements><zeebe:taskDefinition type="payments" />'
        '</bpmn:extensionElements>', {}),
    ("Camunda 8", "candidate groups (`zeebe:assignmentDefinition`)"): (_user(modeller="Camunda 8"), {}),
    ("Camunda 8", "input/output mappings (`zeebe:ioMapping`)"): (_user(
        '<zeebe:ioMapping><zeebe:input source="=amount" target="amount" /></zeebe:ioMapping>', modeller="Camunda 8"), {}),
    ("Camunda 8", "job worker with task headers (`zeebe:taskHeaders`)"): (
        '<bpmn:serviceTask id="x"><bpmn:extensionElements><zeebe:taskDefinition type="payments" /><zeebe:taskHeaders>'
        '<zeebe:header key="ledger" value="HRA" /></zeebe:taskHeaders></bpmn:extensionElements>', {}),
    ("Camunda 8", "message correlation key (`zeebe:subscription correlationKey`)"): (
        '<bpmn:message id="m" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=order_id" />'
        '</bpmn:extensionElements></bpmn:message><bpmn:intermediateCatchEvent id="x">|'
        '<bpmn:messageEventDefinition messageRef="m" />', {}),
    ("Camunda 8", "cron `timeCycle` (`0 0 9 * * MON-FRI`)"): (_timer("0 0 9 * * MON-FRI"), {}),
}


def _map(modeller: str, node: str) -> str:
    store = re.match(r"STORE(\w+)", node)
    declared, referenced = ("", "") if store is None else (
        f'<bpmn:dataStore id="fees" name="{store.group(1)}" />', '<bpmn:dataStoreReference id="fees_ref" dataStoreRef="fees" />')
    node = node if store is None else node[store.end():]
    message, _, node = node.rpartition("</bpmn:message>")  # a message the element refers to, before the process
    message += "</bpmn:message>" if message else ""
    closing = re.match(r"(?:NOLANE)?<bpmn:(\w+)", node.removeprefix("COND") if not node.startswith("COND")
                       else "<bpmn:exclusiveGateway").group(1)
    embedded = ('<bpmn:extensionElements><zeebe:userTaskForm id="form_1">'
                + FORM.replace("&", "&amp;").replace("<", "&lt;") + '</zeebe:userTaskForm></bpmn:extensionElements>'
                if modeller == "Camunda 8" else "")
    lanes = "" if node.startswith(("NOLANE", "COND")) or modeller != "SpiffArena" else (
        '<bpmn:laneSet id="ls"><bpmn:lane id="lane" name="Parking"><bpmn:flowNodeRef>x</bpmn:flowNodeRef>'
        '</bpmn:lane></bpmn:laneSet>')
    if node.startswith("COND"):
        flows = ('<bpmn:exclusiveGateway id="gw" default="fd"><bpmn:incoming>f1</bpmn:incoming>'
                 '<bpmn:outgoing>fx</bpmn:outgoing><bpmn:outgoing>fd</bpmn:outgoing></bpmn:exclusiveGateway>'
                 '<bpmn:endEvent id="end"><bpmn:incoming>fx</bpmn:incoming><bpmn:incoming>fd</bpmn:incoming>'
                 '</bpmn:endEvent><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw" />'
                 f'<bpmn:sequenceFlow id="fx" sourceRef="gw" targetRef="end"><bpmn:conditionExpression>'
                 f'{node.removeprefix("COND")}</bpmn:conditionExpression></bpmn:sequenceFlow>'
                 '<bpmn:sequenceFlow id="fd" sourceRef="gw" targetRef="end" />')
    else:
        head, _, tail = node.removeprefix("NOLANE").partition("|")
        flows = (f'{head}<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>{tail}'
                 f'</bpmn:{closing}><bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
                 '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="x" />'
                 '<bpmn:sequenceFlow id="f2" sourceRef="x" targetRef="end" />')
    return (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="{BPMN}" {NAMESPACES[modeller]} '
            f'id="d" targetNamespace="http://bpmn.io/schema/bpmn">{declared}{message}'
            f'<bpmn:process id="p" isExecutable="true"{HISTORY[modeller]}>'
            f'{embedded}{lanes}<bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
            f'{flows}{referenced}</bpmn:process></bpmn:definitions>')


def _table() -> dict[tuple[str, str], str]:
    text = DOC.read_text(encoding="utf-8").split("## What each modeller's features do here", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip().strip("|").split(" | ") for line in text.splitlines() if line.startswith("| ")]
    return {(modeller.strip(), feature.strip()): outcome.strip() for modeller, feature, outcome in rows[1:]}


def test_every_row_of_the_table_has_a_sample_map_and_every_sample_a_row():
    assert set(_table()) == set(SAMPLES)


@pytest.mark.parametrize("row", sorted(SAMPLES), ids=lambda row: f"{row[0]}: {row[1]}")
def test_the_table_says_what_the_engine_does(ctx, row):
    modeller, _ = row
    node, extra = SAMPLES[row]
    files = {"p.bpmn": _map(modeller, node).encode(), **{n: t.encode() for n, t in extra.items()}}
    ctx.operations = set()  # no adapters registered: every service task needs a worker or is refused
    bundle = registry.check(ctx, files)
    about = [w for w in bundle.warnings if w.element in ("x", "fx")]
    outcome = "refused" if bundle.errors else "warning" if about else "supported"
    assert outcome == _table()[row], (row, [str(p) for p in bundle.problems])
