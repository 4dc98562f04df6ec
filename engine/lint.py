"""Checks an uploaded map before anything runs: expressions compile under the sandbox's rules,
references resolve, human tasks are routed, and every element can be reached.

Each finding is a ``Problem`` naming the file, line, element id and the reason in plain English.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from .dialects import CAMUNDA_NS, NS, executable_processes
from .errors import Problem
from .scripting import iso8601_literal, sandbox_problem

_FLOW_NODES = ("task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
               "businessRuleTask", "callActivity", "subProcess", "transaction", "exclusiveGateway",
               "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway",
               "intermediateCatchEvent", "intermediateThrowEvent", "endEvent")
_PYTHON = {"", "python", "text/python", "text/x-python", "python3"}


@dataclass
class References:
    """What an upload may refer to: its own files plus what is already deployed."""

    forms: set[str] = field(default_factory=set)
    decisions: set[str] = field(default_factory=set)
    processes: set[str] = field(default_factory=set)
    operations: set[str] | None = None  # None: service operations are not checked


def _owner(element: etree._Element) -> etree._Element:
    """The nearest ancestor (or self) with an id: the element a finding is about."""
    node = element
    while node is not None and node.get("id") is None:
        node = node.getparent()
    return node if node is not None else element


class _Findings:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.items: list[Problem] = []

    def add(self, element: etree._Element, message: str, severity: str = "error") -> None:
        owner = _owner(element)
        self.items.append(Problem(self.filename, element.sourceline, owner.get("id"), message, severity))


def _expressions(root: etree._Element) -> Iterable[tuple[etree._Element, str, str, str]]:
    """(element, source, sandbox mode, what it is) for everything the engine will evaluate."""
    for script in root.iterfind(".//bpmn:scriptTask/bpmn:script", NS):
        yield script, script.text or "", "exec", "script"
    for tag, what in (("preScript", "pre-script"), ("postScript", "post-script")):
        for script in root.iterfind(f".//spiffworkflow:{tag}", NS):
            yield script, script.text or "", "exec", what
    for cond in root.iterfind(".//bpmn:conditionExpression", NS):
        yield cond, cond.text or "", "eval", "condition"
    for cond in root.iterfind(".//bpmn:conditionalEventDefinition/bpmn:condition", NS):
        yield cond, cond.text or "", "eval", "condition"
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for timer in root.iterfind(f".//bpmn:timerEventDefinition/bpmn:{tag}", NS):
            yield timer, timer.text or "", "timer", "timer expression"
    for tag in ("loopCardinality", "completionCondition"):
        for expr in root.iterfind(f".//bpmn:multiInstanceLoopCharacteristics/bpmn:{tag}", NS):
            yield expr, expr.text or "", "eval", "multi-instance expression"
    for param in root.iterfind(".//spiffworkflow:serviceTaskOperator/spiffworkflow:parameters/"
                               "spiffworkflow:parameter", NS):
        yield param, param.get("value") or "", "eval", "service parameter"


def _check_expressions(root: etree._Element, found: _Findings) -> None:
    for element, source, mode, what in _expressions(root):
        text = source.strip()
        if not text and mode != "exec":  # an empty script (or pre-/post-script) does nothing
            found.add(element, f"the {what} is empty")
            continue
        if mode == "timer":
            if iso8601_literal(text) is not None:
                continue
            mode = "eval"
        language = (element.getparent().get("scriptFormat") or "").lower() if what == "script" else ""
        reason = sandbox_problem(text, mode) if text else None
        if reason is None:
            continue
        if language not in _PYTHON:
            found.add(element, f"the {what} is written in {language}; councilflow runs Python scripts only")
        elif text.startswith(("${", "#{")):
            found.add(element, f"the {what} '{text}' is a Camunda (JUEL) expression; write it in Python, "
                               f"e.g. {text[2:-1].strip()}")
        else:
            found.add(element, f"the {what} '{_short(text)}' cannot be used: {reason}")


def _short(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 60 else line[:57] + "..."


def _check_references(root: etree._Element, refs: References, found: _Findings) -> None:
    for call in root.iterfind(".//bpmn:callActivity", NS):
        called = call.get("calledElement")
        if called and called not in refs.processes:
            found.add(call, f"it calls the process '{called}', which is neither in this upload nor deployed")
    for task in root.iterfind(".//bpmn:businessRuleTask", NS):
        decision = (task.findtext("bpmn:extensionElements/spiffworkflow:calledDecisionId", None, NS)
                    or task.get(f"{{{CAMUNDA_NS}}}decisionRef"))
        if decision and decision.strip() not in refs.decisions:
            found.add(task, f"it uses the decision '{decision.strip()}', which is neither in this upload "
                            f"nor deployed")
    for prop in root.iterfind(".//spiffworkflow:property", NS):
        if prop.get("name") in ("formJsonSchemaFilename", "formUiSchemaFilename"):
            if prop.get("value") and prop.get("value") not in refs.forms:
                found.add(prop, f"the form file '{prop.get('value')}' is neither in this upload nor deployed")
    if refs.operations is not None:
        _check_operations(root, refs.operations, found)


def _check_operations(root: etree._Element, operations: set[str], found: _Findings) -> None:
    for task in root.iterfind(".//bpmn:serviceTask", NS):
        spiff = task.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", NS)
        name = spiff.get("id") if spiff is not None else None
        if name is None and task.get(f"{{{CAMUNDA_NS}}}type") == "external":
            name = task.get(f"{{{CAMUNDA_NS}}}topic")
        if not name:
            found.add(task, "the service task names no adapter operation (set spiffworkflow:serviceTaskOperator"
                            " or camunda:type=\"external\" with camunda:topic=\"adapter/operation\")")
        elif name not in operations:
            known = ", ".join(sorted(operations)) or "none are configured"
            found.add(task, f"the service task calls '{name}', which is not a registered adapter operation "
                            f"(known: {known})")


def _check_routing(root: etree._Element, default_team: str, found: _Findings) -> None:
    lanes = {ref.text.strip() for ref in root.iterfind(".//bpmn:lane/bpmn:flowNodeRef", NS) if ref.text}
    for kind in ("userTask", "manualTask"):
        for task in root.iterfind(f".//bpmn:{kind}", NS):
            in_lane = any(a.get("id") in lanes for a in [task, *task.iterancestors()])
            if not in_lane and not task.get(f"{{{CAMUNDA_NS}}}candidateGroups"):
                found.add(task, f"'{task.get('name') or task.get('id')}' has no lane or candidate group; its "
                                f"tasks will go to the default team '{default_team}'", "warning")


def _check_reachability(root: etree._Element, found: _Findings) -> None:
    for container in [*root.iterfind("bpmn:process", NS), *root.iterfind(".//bpmn:subProcess", NS),
                      *root.iterfind(".//bpmn:transaction", NS)]:
        nodes = {el.get("id"): el for tag in _FLOW_NODES for el in container.iterfind(f"bpmn:{tag}", NS)}
        targets: dict[str, list[str]] = {}
        for flow in container.iterfind("bpmn:sequenceFlow", NS):
            targets.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
        boundary: dict[str, list[str]] = {}
        for event in container.iterfind("bpmn:boundaryEvent", NS):
            boundary.setdefault(event.get("attachedToRef"), []).append(event.get("id"))
        frontier = [el.get("id") for el in container.iterfind("bpmn:startEvent", NS)]
        frontier += [el.get("id") for el in container.iterfind("bpmn:intermediateCatchEvent", NS)
                     if el.find("bpmn:linkEventDefinition", NS) is not None]
        if not frontier:
            continue  # no start: SpiffWorkflow's own validation reports that
        seen: set[str] = set()
        while frontier:
            node = frontier.pop()
            if node in seen:
                continue
            seen.add(node)
            frontier.extend(targets.get(node, []))
            frontier.extend(boundary.get(node, []))
        for node_id, element in nodes.items():
            if node_id not in seen:
                found.add(element, f"'{element.get('name') or node_id}' can never be reached: no path from a "
                                   f"start event leads to it", "warning")


def lint_bpmn(filename: str, root: etree._Element, refs: References, default_team: str) -> list[Problem]:
    found = _Findings(filename)
    if not executable_processes(root):
        found.add(root, "the file has no executable process: set isExecutable=\"true\" on the process "
                        "that should run")
        return found.items
    _check_expressions(root, found)
    _check_references(root, refs, found)
    _check_routing(root, default_team, found)
    _check_reachability(root, found)
    return found.items

