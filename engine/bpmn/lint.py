"""Checks an uploaded map before anything runs: expressions compile under the sandbox's rules,
references resolve, human tasks are routed, and every element can be reached.

Each finding is a ``Problem`` naming the file, line, element id and the reason in plain English.
"""
from __future__ import annotations

import ast
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from ..errors import Problem
from ..types import Dialect
from . import camunda7, cron, dialects
from .dialects import CAMUNDA_NS, NS, detect_dialect, executable_processes, validator
from .scripting import iso8601_literal, sandbox_problem
from .timer_limits import cycle_problem

_Mode = Literal["exec", "eval", "timer"]  # a sandbox mode, or a timer's (a literal instant, else "eval")

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
    calls: dict[str, set[str]] = field(default_factory=dict)  # process -> processes it calls


def calls_by_process(root: etree._Element) -> dict[str, set[str]]:
    """Process id -> the processes its call activities (at any depth) call."""
    return {process.get("id"): {c.get("calledElement") for c in process.iterfind(".//bpmn:callActivity", NS)
                                if c.get("calledElement")}
            for process in root.iterfind("bpmn:process", NS)}


def _call_path(start: str, goal: str, calls: dict[str, set[str]]) -> list[str] | None:
    """A chain of calls from ``start`` to ``goal``, if there is one."""
    stack, seen = [[start]], set()
    while stack:
        path = stack.pop()
        if path[-1] == goal:
            return path
        if path[-1] not in seen:
            seen.add(path[-1])
            stack.extend([*path, nxt] for nxt in sorted(calls.get(path[-1], ()), reverse=True))
    return None


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

    def add(self, element: etree._Element, message: str, severity: str = "error", line: int | None = None) -> None:
        owner = _owner(element)
        self.items.append(Problem(self.filename, line or element.sourceline, owner.get("id"), message, severity))


# One XMLSchema object per dialect is shared, and its error log belongs to the object, not the call.
_SCHEMA_LOCK = threading.Lock()
_PREFIXES = {uri: prefix for prefix, uri in NS.items()}
_REPORTED = re.compile(r"Element '(?:\{[^}]*\})?([^']+)'")
_UNKNOWN_ATTRIBUTE = re.compile(r"attribute '([^']+)': The attribute '[^']+' is not allowed")
_BAD_ID = re.compile(r"attribute '([^']+)': '(.*)' is not a valid value of the atomic type 'xs:(ID|IDREF)'")
_NCNAME = re.compile(r"[A-Za-z_][\w.-]*")


def _reported_element(root: etree._Element, line: int, message: str) -> etree._Element | None:
    match = _REPORTED.match(message)
    for element in root.iter(etree.Element):
        if element.sourceline == line and (match is None or etree.QName(element).localname == match.group(1)):
            return element
    return None


def _edits_in_place(same: list[etree._Element]) -> bool:
    """An input and an output data item of one multi-instance sharing their id (and collection)."""
    kinds = sorted(etree.QName(e).localname for e in same)
    if kinds != ["inputDataItem", "outputDataItem"] or same[0].getparent() is not same[1].getparent():
        return False
    refs = {same[0].getparent().findtext(f"{{{etree.QName(same[0]).namespace}}}loopData{way}Ref") for way in ("Input", "Output")}
    return len(refs) == 1 and None not in refs


def _schema_finding(root: etree._Element, element: etree._Element, message: str) -> tuple[str, str]:
    """(plain-English message, severity) for one XSD violation.

    Violations SpiffWorkflow ignores, and which bpmn-js and SpiffArena are known to write, are
    warnings: attributes BPMN does not define, ids that are not XML names or that repeat an
    identical declaration, and a sequence flow drawn from nowhere. Anything else is an error.
    """
    kind = etree.QName(element).localname
    if unknown := _UNKNOWN_ATTRIBUTE.search(message):
        return f"'{unknown.group(1)}' is not a BPMN 2.0 attribute of {kind}; it is ignored", "warning"
    if bad := _BAD_ID.search(message):
        attribute, value, datatype = bad.groups()
        same = root.xpath("//*[@id=$v]", v=value)
        if _edits_in_place(same):
            return f"the multi-instance's input and output data item are both '{value}': each instance " \
                   f"changes its item in place (SpiffArena's \"edit in place\")", "warning"
        if len(same) > 1 and len({etree.tostring(e, with_tail=False) for e in same}) > 1:
            lines = ", ".join(str(e.sourceline) for e in same)
            return f"the id '{value}' is used by {len(same)} different elements (lines {lines}); " \
                   f"each element needs an id of its own", "error"
        if datatype == "IDREF" and not same:
            return f"{attribute} '{value}' refers to no element of this file", "error"
        if not _NCNAME.fullmatch(value):
            return f"'{value}' is not a valid XML id (an id starts with a letter or underscore and has " \
                   f"no spaces); other BPMN tools may refuse the file", "warning"
        return f"{kind} '{value}' is declared {len(same)} times; the copies are identical and are read " \
               f"as one", "warning"
    if kind == "sequenceFlow" and "'sourceRef' is required but missing" in message:
        return f"the sequence flow '{element.get('id')}' starts from no element, so it can never be " \
               f"taken", "warning"
    for uri, prefix in _PREFIXES.items():
        message = message.replace(f"{{{uri}}}", f"{prefix}:")
    return f"the file is not valid BPMN 2.0: {message.rstrip('.')}", "error"


def check_schema(filename: str, root: etree._Element) -> list[Problem]:
    """The file against the BPMN 2.0 schema (with SpiffWorkflow's extensions), every violation
    reported with its line and the id of the element it is about."""
    schema = validator(detect_dialect(root))
    with _SCHEMA_LOCK:
        schema.preprocess(root)
        if schema.validator.validate(root):
            return []
        entries = [(entry.line, entry.message) for entry in schema.validator.error_log]
    problems = []
    for line, message in entries:
        element = _reported_element(root, line, message)
        if element is None:
            problems.append(Problem(filename, line or None, None, f"the file is not valid BPMN 2.0: {message}"))
            continue
        text, severity = _schema_finding(root, element, message)
        problems.append(Problem(filename, line or None, _owner(element).get("id"), text, severity))
    return problems


def _expressions(root: etree._Element) -> Iterable[tuple[etree._Element, str, _Mode, str]]:
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


# Python built-ins the sandbox leaves out on purpose. RestrictedPython compiles calls to them and
# only fails when the script runs; the linter refuses them at upload.
_WITHHELD = {
    "open": "scripts cannot read or write files", "input": "scripts cannot read or write files",
    "exec": "scripts cannot run code they build", "eval": "scripts cannot run code they build",
    "compile": "scripts cannot run code they build", "breakpoint": "scripts cannot start a debugger",
    "getattr": "scripts cannot look up attributes by name", "globals": "scripts cannot inspect the engine",
    "locals": "scripts cannot inspect the engine", "vars": "scripts cannot inspect the engine",
    "dir": "scripts cannot inspect the engine", "type": "scripts cannot inspect the engine",
    "object": "scripts cannot inspect the engine", "super": "scripts cannot inspect the engine",
    "help": "scripts cannot inspect the engine", "exit": "scripts cannot stop the server",
    "quit": "scripts cannot stop the server",
}


def _withheld_use(source: str, mode: str) -> tuple[int, str] | None:
    """(line within the script, reason) of the first withheld built-in the script calls."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError:
        return None  # the sandbox compiled it, so this cannot happen; the sandbox has the last word
    nodes = list(ast.walk(tree))
    bound = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    bound |= {n.name for n in nodes if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    bound |= {n.arg for n in nodes if isinstance(n, ast.arg)}
    found = []
    for node in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _WITHHELD \
                and node.func.id not in bound:
            found.append((node.lineno, f"'{node.func.id}' is not available in scripts: {_WITHHELD[node.func.id]}"))
    return min(found) if found else None


_TIMER_KINDS = {
    "timeDuration": ("duration", "P5D or PT4H", TimerEventDefinition.parse_iso_duration),
    "timeDate": ("date and time", "2026-01-05T09:00:00Z", TimerEventDefinition.get_datetime),
    "timeCycle": ("repeating interval", "R3/PT1H", TimerEventDefinition.parse_iso_recurring_interval),
}


def _string_literal(text: str) -> str | None:
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return None
    return tree.body.value if isinstance(tree.body, ast.Constant) and isinstance(tree.body.value, str) else None


def _timer_problem(tag: str, value: str) -> str | None:
    """Why SpiffWorkflow could not read a fixed timer value, checked with its own parsers (which
    otherwise fail only when a case reaches the timer)."""
    kind, example, parse = _TIMER_KINDS[tag]
    try:
        parse(value.strip())
    except Exception:  # noqa: BLE001 - SpiffWorkflow raises bare Exception, ValueError, AttributeError
        return f"the timer expression '{_short(value)}' is not an ISO 8601 {kind} (for example {example})"
    return cycle_problem(value) if tag == "timeCycle" else None


def _check_expressions(root: etree._Element, found: _Findings) -> None:
    for element, source, mode, what in _expressions(root):
        text = source.strip()
        if not text and mode != "exec":  # an empty script (or pre-/post-script) does nothing
            found.add(element, f"the {what} is empty")
            continue
        if mode == "timer" and etree.QName(element).localname == "timeCycle" and cron.is_cron(text):
            if (wrong := cron.problem(text)) is not None:  # a Quartz/cron cycle (Camunda): engine.bpmn.cron runs it
                found.add(element, wrong)
            elif detect_dialect(root) is Dialect.SPIFF:
                found.add(element, f"the cron timer '{text}' is read in Camunda maps only; write it as an ISO 8601 "
                                   f"repeating interval (for example R/PT1H)")
            continue
        if mode == "timer":
            literal = iso8601_literal(text) or _string_literal(text)
            if literal is not None:
                if (wrong := _timer_problem(etree.QName(element).localname, literal)) is not None:
                    found.add(element, wrong)
                continue
            mode = "eval"
        language = (element.getparent().get("scriptFormat") or "").lower() if what == "script" else ""
        reason = sandbox_problem(text, mode) if text else None
        if reason is None and text and language in _PYTHON:
            withheld = _withheld_use(text, mode)
            if withheld is not None:
                offset, why = withheld
                found.add(element, f"the {what} cannot be used: {why}", line=_script_line(element, source, offset))
            continue
        if reason is None:
            continue
        if language not in _PYTHON:
            found.add(element, f"the {what} is written in {language}; councilflow runs Python scripts only")
        elif text.startswith(("${", "#{")):
            found.add(element, f"the {what} '{_short(text)}' is a Camunda (JUEL) expression; write it in Python, "
                               f"e.g. {camunda7.juel_hint(text)}")
        else:
            found.add(element, f"the {what} '{_short(text)}' cannot be used: {reason}")


def _script_line(element: etree._Element, source: str, offset: int) -> int | None:
    """The file line of line ``offset`` of the stripped script (the text starts on the element's line)."""
    line: int | None = element.sourceline
    if line is None:
        return None
    skipped = source[: len(source) - len(source.lstrip())].count("\n")
    return line + skipped + offset - 1


def _short(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 60 else line[:57] + "..."


def _check_references(root: etree._Element, refs: References, found: _Findings) -> None:
    for call in root.iterfind(".//bpmn:callActivity", NS):
        called = call.get("calledElement")
        if called and called not in refs.processes:
            found.add(call, f"it calls the process '{called}', which is neither in this upload nor deployed")
            continue
        caller = next((a.get("id") for a in call.iterancestors(f"{{{NS['bpmn']}}}process")), None)
        if called and caller and (cycle := _call_path(called, caller, refs.calls)) is not None:
            # SpiffWorkflow expands a call at once, so a process that calls itself never stops.
            found.add(call, f"it calls the process '{called}', which leads back to '{caller}' "
                            f"({' -> '.join([caller, *cycle])}); a process may not call itself, directly "
                            f"or through other processes, because its cases would never stop")
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
        name, external = dialects.service_operation(task)
        if not name:
            found.add(task, "the service task names no adapter operation (set spiffworkflow:serviceTaskOperator"
                            " or camunda:type=\"external\" with camunda:topic=\"adapter/operation\")")
        elif name in operations:
            continue
        elif external:
            found.add(task, f"'{name}' is not a registered adapter operation: the task will wait as an external "
                            f"task on the topic '{name}' for a worker (POST /api/v1/external-tasks/fetch-and-lock)",
                      "warning")
        else:
            known = ", ".join(sorted(operations)) or "none are configured"
            found.add(task, f"the service task calls '{name}', which is not a registered adapter operation "
                            f"(known: {known})")


def _check_routing(root: etree._Element, default_team: str, found: _Findings) -> None:
    lanes = {ref.text.strip() for ref in root.iterfind(".//bpmn:lane/bpmn:flowNodeRef", NS) if ref.text}
    for kind in ("userTask", "manualTask"):
        for task in root.iterfind(f".//bpmn:{kind}", NS):
            in_lane = any(a.get("id") in lanes for a in [task, *task.iterancestors()])
            zeebe = task.find("bpmn:extensionElements/zeebe:assignmentDefinition", NS)
            if not in_lane and not task.get(f"{{{CAMUNDA_NS}}}candidateGroups") and \
                    (zeebe is None or not zeebe.get("candidateGroups")):
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


def check_executable(filename: str, root: etree._Element) -> list[Problem]:
    """A file with nothing to run (a diagram, or a collaboration of non-executable pools)."""
    if executable_processes(root):
        return []
    found = _Findings(filename)
    found.add(root, "the file has no executable process: set isExecutable=\"true\" on the process "
                    "that should run")
    return found.items


def lint_bpmn(filename: str, root: etree._Element, refs: References, default_team: str) -> list[Problem]:
    found = _Findings(filename)
    _check_expressions(root, found)
    _check_references(root, refs, found)
    _check_routing(root, default_team, found)
    _check_reachability(root, found)
    return found.items

