"""The two BPMN dialects we accept (SpiffArena and Camunda Modeler) and what we read from each.

SpiffWorkflow's CamundaParser ignores ``camunda:candidateGroups`` and ``camunda:assignee``, so
routing facts (lane, candidate groups, assignee, form) are read from the XML here, for both
dialects alike.

A task whose team depends on the case names the case variable that holds the team's name: the
SpiffArena property ``teamVariable`` or, in Camunda's own words, ``camunda:candidateGroups="${name}"``
(``team_variable``). A start event may name a form (the same ``formJsonSchemaFilename`` properties
a user task has): what the front office fills in before the case starts (``start_form``).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser
from SpiffWorkflow.spiff.parser.process import VALIDATOR as SPIFF_VALIDATOR

from ..outbox.servicetasks import CouncilCamundaParser, CouncilSpiffParser
from ..types import Dialect

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
DMN_NAMESPACES = ("https://www.omg.org/spec/DMN/", "http://www.omg.org/spec/DMN/")
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS, "spiffworkflow": SPIFF_NS, "zeebe": ZEEBE_NS}
# SpiffArena's connector proxies (``http/GetRequestV2``, ``smtp/SendEmail``...): without an adapter of
# that name they wait as external tasks for a worker of the council's own.
SPIFFARENA_CONNECTORS = frozenset({"http", "smtp", "slack", "aws", "xero", "bamboohr", "postgres", "postgres_v2",
                                   "waku", "pdf", "gsheets", "github", "jira", "sharepoint"})
_CONNECTOR_COMMAND = re.compile(r"[A-Z][A-Za-z0-9]*")
HUMAN_TASKS = ("userTask", "manualTask")
CAMUNDA_DIALECTS = (Dialect.CAMUNDA, Dialect.ZEEBE)
# camunda:candidateGroups="${team}", or in Camunda 8 candidateGroups="=team"
_EXPRESSION = re.compile(r"^(?:\$\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}|=\s*([A-Za-z][A-Za-z0-9_]*)\s*)$")


def is_dmn(root: etree._Element) -> bool:
    return (etree.QName(root).namespace or "").startswith(DMN_NAMESPACES)


def is_bpmn(root: etree._Element) -> bool:
    tag: object = root.tag  # a comment's or processing instruction's tag is a function, not a str
    return tag == f"{{{BPMN_NS}}}definitions"


def detect_dialect(root: etree._Element) -> Dialect:
    """SpiffArena when the file uses SpiffWorkflow's extension namespace; otherwise Camunda 8 when it
    uses zeebe's, Camunda 7 when it uses Camunda's (namespaces declared but unused do not count)."""
    if _USES(root, ns=SPIFF_NS):
        return Dialect.SPIFF
    if _USES(root, ns=ZEEBE_NS):
        return Dialect.ZEEBE
    return Dialect.CAMUNDA if _USES(root, ns=CAMUNDA_NS) else Dialect.SPIFF


# Whether an element or an attribute at or under the context node is in namespace $ns: one query run by libxml2
# (a bundle asks it of every file several times; walking the tree in Python took a fifth of a library's deploy).
_USES = etree.XPath("boolean(descendant-or-self::*[namespace-uri() = $ns]"
                     " | descendant-or-self::*/@*[namespace-uri() = $ns])")


def executable_processes(root: etree._Element) -> list[etree._Element]:
    """The processes SpiffWorkflow will run: ``isExecutable`` is optional in BPMN 2.0 and, as in
    SpiffWorkflow, a process without it counts as executable; only ``isExecutable="false"`` (or any
    value other than ``true``) opts out."""
    return [p for p in root.iterfind("bpmn:process", NS) if p.get("isExecutable", "true") == "true"]


def same_parser(one: Dialect, other: Dialect) -> bool:
    """Whether maps of the two dialects are read by one parser (and so may call each other)."""
    return (one in CAMUNDA_DIALECTS) == (other in CAMUNDA_DIALECTS)


def new_parser(dialect: Dialect) -> BpmnDmnParser:
    # Validation against the XSD is done by the linter beforehand, where errors get line numbers.
    return CouncilCamundaParser() if dialect in CAMUNDA_DIALECTS else CouncilSpiffParser()


@lru_cache(maxsize=3)
def validator(dialect: Dialect) -> BpmnValidator:
    return BpmnValidator() if dialect in CAMUNDA_DIALECTS else SPIFF_VALIDATOR


def _lanes(process: etree._Element) -> dict[str, str]:
    """Element id -> name of the innermost lane holding it."""
    found: dict[str, str] = {}
    for lane in process.iterfind(".//bpmn:lane", NS):  # document order: parents before children
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            if ref.text:
                found[ref.text.strip()] = (lane.get("name") or lane.get("id") or "").strip()
    return found


def _lane_of(element: etree._Element, lanes: dict[str, str]) -> str | None:
    # A task inside an embedded subprocess sits in the lane of the subprocess that holds it.
    node = element
    while node is not None:
        if node.get("id") in lanes:
            return lanes[node.get("id")]
        node = node.getparent()
    return None


def _spiff_properties(element: etree._Element) -> dict[str, str]:
    return {p.get("name"): p.get("value") for p in
            element.iterfind("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS)}


def _text(element: etree._Element, path: str) -> str | None:
    found = element.find(path, NS)
    return found.text.strip() if found is not None and found.text else None


CAMUNDA_FORMS = ("camunda-forms:deployment:", "camunda-forms:app:")
ZEEBE_EMBEDDED = "camunda-forms:bpmn:"


def camunda_form(element: etree._Element) -> str | None:
    """The Camunda Form a user task or start event shows, as ``file:NAME.form`` (Camunda 7's
    ``camunda-forms:deployment:``/``camunda-forms:app:`` form keys), ``id:ID`` (Camunda 7's
    ``camunda:formRef``, Camunda 8's linked ``formId``) or ``embedded:ID`` (Camunda 8's
    ``zeebe:userTaskForm`` inside the map); None when it names none."""
    key = str(element.get(f"{{{CAMUNDA_NS}}}formKey") or "")
    if key.startswith(CAMUNDA_FORMS):
        return "file:" + key.split(":", 2)[2].rsplit("/", 1)[-1]
    if reference := str(element.get(f"{{{CAMUNDA_NS}}}formRef") or ""):
        return "id:" + reference
    zeebe = element.find("bpmn:extensionElements/zeebe:formDefinition", NS)
    linked, embedded = (str(zeebe.get("formId") or ""), str(zeebe.get("formKey") or "")) if zeebe is not None else ("", "")
    if linked:
        return "id:" + linked
    if embedded.startswith(ZEEBE_EMBEDDED):
        return "embedded:" + embedded[len(ZEEBE_EMBEDDED):]
    return None


def embedded_forms(root: etree._Element) -> dict[str, str]:
    """Camunda 8's ``zeebe:userTaskForm`` id -> the form's JSON, for every process of the file."""
    return {form.get("id"): form.text or "" for form in root.iterfind(".//zeebe:userTaskForm", NS) if form.get("id")}


def _camunda_fields(element: etree._Element) -> list[dict[str, Any]]:
    fields = []
    for field in element.iterfind("bpmn:extensionElements/camunda:formData/camunda:formField", NS):
        fields.append({
            "id": field.get("id"),
            "label": field.get("label") or field.get("id"),
            "type": field.get("type") or "string",
            "default": field.get("defaultValue"),
            "values": [{"id": v.get("id"), "name": v.get("name") or v.get("id")}
                       for v in field.iterfind("camunda:value", NS)],
            "constraints": {c.get("name"): c.get("config")
                            for c in field.iterfind("camunda:validation/camunda:constraint", NS)},
        })
    return fields


def _literal(value: str | None) -> str | None:
    """A named person; an expression (``${approver}``, ``=approver``) is not evaluated (warned about at check)."""
    return None if value is None or value.lstrip().startswith(("${", "#{", "=")) else value


def human_tasks(root: etree._Element, process_id: str) -> dict[str, dict[str, Any]]:
    """Routing and form facts for every user/manual task of one process (incl. embedded subprocesses)."""
    process = root.find(f"bpmn:process[@id='{process_id}']", NS)
    if process is None:
        return {}
    lanes = _lanes(process)
    tasks: dict[str, dict[str, Any]] = {}
    for kind in HUMAN_TASKS:
        for element in process.iterfind(f".//bpmn:{kind}", NS):
            props = _spiff_properties(element)
            assignment = element.find("bpmn:extensionElements/zeebe:assignmentDefinition", NS)
            zeebe = {str(k): str(v) for k, v in assignment.attrib.items()} if assignment is not None else {}
            groups = [g.strip() for g in (element.get(f"{{{CAMUNDA_NS}}}candidateGroups")
                                          or zeebe.get("candidateGroups") or "").split(",") if g.strip()]
            expressions = [m.group(1) or m.group(2) for g in groups if (m := _EXPRESSION.match(g))]
            groups = [g for g in groups if not _EXPRESSION.match(g)]
            tasks[element.get("id")] = {
                "name": element.get("name") or element.get("id"),
                "kind": kind,
                "line": element.sourceline,
                "lane": _lane_of(element, lanes),
                "candidate_groups": groups,
                "team_variable": props.get("teamVariable") or (expressions[0] if expressions else None),
                "assignee": _literal(element.get(f"{{{CAMUNDA_NS}}}assignee") or zeebe.get("assignee")),
                "form_schema": props.get("formJsonSchemaFilename"),
                "form_ui_schema": props.get("formUiSchemaFilename"),
                "camunda_fields": _camunda_fields(element),
                "camunda_form": camunda_form(element),
                "instructions": _text(element, "bpmn:extensionElements/spiffworkflow:instructionsForEndUser")
                or _text(element, "bpmn:documentation"),
            }
    return tasks


def start_form(root: etree._Element, process_id: str) -> tuple[str | None, str | None]:
    """The form (JSON Schema, UI schema) the process's start event names, if any."""
    for event in root.iterfind(f"bpmn:process[@id='{process_id}']/bpmn:startEvent", NS):
        props = _spiff_properties(event)
        if props.get("formJsonSchemaFilename"):
            return props["formJsonSchemaFilename"], props.get("formUiSchemaFilename")
    return None, None


def start_camunda_form(root: etree._Element, process_id: str) -> str | None:
    """The Camunda Form (as ``camunda_form`` names it) the process's start event shows, if any."""
    for event in root.iterfind(f"bpmn:process[@id='{process_id}']/bpmn:startEvent", NS):
        if (found := camunda_form(event)) is not None:
            return found
    return None


def service_operation(element: etree._Element) -> tuple[str | None, bool]:
    """What a service task calls, and whether the map hands it to outside workers when no adapter
    operation of that name is registered (``engine.outbox.external_tasks``): Camunda 7 external topics,
    Camunda 8 job types, and SpiffArena's own connectors."""
    operator = element.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", NS)
    if operator is not None:
        name = operator.get("id") or ""
        connector, _, command = name.partition("/")
        # SpiffArena's connectors name CamelCase commands (http/GetRequestV2, stripe/CreateCharge); ours
        # are snake_case, so a typo in one of ours is still refused rather than left for a worker.
        return name or None, connector in SPIFFARENA_CONNECTORS or bool(_CONNECTOR_COMMAND.fullmatch(command))
    job = element.find("bpmn:extensionElements/zeebe:taskDefinition", NS)
    if job is not None:
        return job.get("type"), True
    return element.get(f"{{{CAMUNDA_NS}}}topic"), element.get(f"{{{CAMUNDA_NS}}}type") == "external"


def service_tasks(root: etree._Element, process_id: str) -> dict[str, dict[str, Any]]:
    """The operation (``adapter/operation``, or an external task's topic) each service task of a process calls."""
    process = root.find(f"bpmn:process[@id='{process_id}']", NS)
    found: dict[str, dict[str, Any]] = {}
    for element in process.iterfind(".//bpmn:serviceTask", NS) if process is not None else []:
        operation, external = service_operation(element)
        found[element.get("id")] = {"name": element.get("name") or element.get("id"), "operation": operation,
                                    "external": external}
        # Camunda 8's task headers: an external task's customHeaders, an adapter's parameters (engine.outbox.calls)
        headers = {h.get("key"): h.get("value") or "" for h in
                   element.iterfind("bpmn:extensionElements/zeebe:taskHeaders/zeebe:header", NS) if h.get("key")}
        if headers:
            found[element.get("id")]["headers"] = headers
    return found
