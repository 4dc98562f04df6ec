"""Camunda 8 (zeebe) maps, rewritten into what our engine runs before SpiffWorkflow parses them.

The current Camunda Modeler writes Camunda 8 maps by default: FEEL (``=…``) conditions, a call
activity's callee in ``zeebe:calledElement``, routing in ``zeebe:assignmentDefinition`` and a job type
in ``zeebe:taskDefinition``. ``normalise`` rewrites the file in place, once, at upload: conditions into
Python (``engine.bpmn.feel``; what it cannot translate is an error naming the element) and the callee into
BPMN's own ``calledElement``. What is stored is the rewritten file, which is still a Camunda 8 file, so
rewriting it again (a deployed callee added to a later upload) changes nothing.

Routing (``dialects.human_tasks``) and job types (``dialects.service_operation``: an adapter operation
of that name, otherwise an external task on that topic) are read where the other dialects' are.
Features whose meaning we do not reproduce are warnings, never silently dropped.

Task headers are read with the service task (``dialects.service_tasks``). Input/output mappings and
message correlation keys are read by ``element_facts`` into
the version's spec document (``savedstate.spec_to_dict``); ``attach`` makes the loaded spec apply the
mappings as Camunda 8 does: an input mapping's value is a variable local to the task (the form, the
job or the called process sees it; the case does not keep it), and with output mappings only what
they name goes back to the case. Each expression is the FEEL subset, translated at upload and run by
our sandbox like any condition.
"""
from __future__ import annotations

import copy
import re
from typing import Any

from lxml import etree

from .dialects import CAMUNDA_NS, NS, ZEEBE_NS
from .feel import FeelUnsupported, is_feel, to_python
from .xmlsafe import parse_xml

_CONDITIONS = (".//bpmn:conditionExpression", ".//bpmn:conditionalEventDefinition/bpmn:condition",
               ".//bpmn:multiInstanceLoopCharacteristics/bpmn:completionCondition")
_TIMERS = tuple(f".//bpmn:timerEventDefinition/bpmn:{tag}" for tag in ("timeDuration", "timeDate", "timeCycle"))
# Extension elements read elsewhere, or rewritten here; any other zeebe element is only a warning.
_UNDERSTOOD = {"taskDefinition", "assignmentDefinition", "calledElement", "properties", "property", "userTask",
               "loopCharacteristics", "formDefinition", "userTaskForm",  # forms: engine.bpmn.form_keys
               "ioMapping", "input", "output", "taskHeaders", "header", "subscription"}  # element_facts
_NAME = re.compile(r"^=?\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")
_IGNORED_WHY: dict[str, str | None] = {}
_TARGET = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*$")
_SNAPSHOT = "councilflow_zeebe_before"  # internal-data key: the task's data before its input mappings
FACTS = "zeebe"  # the spec document's key for element_facts


def _multi_instances(root: etree._Element) -> list[tuple[etree._Element, str, str]]:
    """Camunda 8's ``zeebe:loopCharacteristics`` (inputCollection ``=documents``, inputElement ``document``)
    in Camunda 7's words (``camunda:collection``, ``camunda:elementVariable``), which the Camunda parser
    reads; a computed collection is refused."""
    found: list[tuple[etree._Element, str, str]] = []
    for loop in root.iterfind(".//bpmn:multiInstanceLoopCharacteristics", NS):
        zeebe = loop.find("bpmn:extensionElements/zeebe:loopCharacteristics", NS)
        if zeebe is None or loop.get(f"{{{CAMUNDA_NS}}}collection"):
            continue
        source = zeebe.get("inputCollection") or ""
        name = _NAME.match(source)
        if name is None:
            found.append((loop, f"FEEL expression '{source}' is not supported: the collection must be a case "
                                "variable's name", "error"))
            continue
        loop.set(f"{{{CAMUNDA_NS}}}collection", name.group(1))
        if zeebe.get("inputElement"):
            loop.set(f"{{{CAMUNDA_NS}}}elementVariable", zeebe.get("inputElement", ""))
    return found


def _says_feel(language: str | None) -> bool:
    """A language attribute naming FEEL (Trisotech and other modellers mark FEEL this way, without ``=``)."""
    return "FEEL" in (language or "").upper()


def normalise(root: etree._Element) -> list[tuple[etree._Element, str, str]]:
    """Rewrite a Camunda 8 file's FEEL and callees in place; (element, message, severity) for what
    cannot be run as the modeller meant."""
    found: list[tuple[etree._Element, str, str]] = []
    feel_by_default = _says_feel(root.get("expressionLanguage"))
    for path in (*_CONDITIONS, *_TIMERS):
        for element in root.iterfind(path, NS):
            language = element.get("language")
            written_in_feel = _says_feel(language) if language else feel_by_default and path in _CONDITIONS
            if not (is_feel(element.text) or (written_in_feel and (element.text or "").strip())):
                continue
            try:
                element.text = to_python(element.text or "")
            except FeelUnsupported as err:
                found.append((element, err.message, "error"))
                element.text = "False"  # reported once, here, not again as Python; never stored (an error)
    for call in root.iterfind(".//bpmn:callActivity", NS):
        callee = call.find("bpmn:extensionElements/zeebe:calledElement", NS)
        if callee is not None and not call.get("calledElement") and callee.get("processId"):
            process_id = callee.get("processId", "")
            if is_feel(process_id):
                found.append((call, f"FEEL expression '{process_id}' is not supported: the called process must be "
                                    "named, not computed", "error"))
            else:
                call.set("calledElement", process_id)
    found += _multi_instances(root)
    for assignment in root.iterfind(".//zeebe:assignmentDefinition", NS):
        for attribute in ("assignee", "candidateGroups", "candidateUsers"):
            value = assignment.get(attribute) or ""
            if attribute == "candidateUsers" and value:
                found.append((assignment, f"Camunda 8 candidate users ('{value}') are not used: a task goes to a team "
                                          f"(its lane or candidate group)", "warning"))
            elif is_feel(value) and (attribute == "assignee" or not _NAME.match(value)):
                found.append((assignment, f"the {attribute} expression '{value}' is not evaluated by councilflow: the "
                                          f"task goes to its team, assigned to nobody", "warning"))
    found += _mapping_problems(root)
    warned: set[tuple[int, str]] = set()
    for element in root.iter(f"{{{ZEEBE_NS}}}*"):
        name = etree.QName(element).localname
        why = _IGNORED_WHY.get(name)
        owner = element.getparent().getparent() if element.getparent() is not None else None
        if why and owner is not None and (id(owner), name) not in warned:
            warned.add((id(owner), name))
            found.append((owner, f"Camunda 8 {why}", "warning"))
        elif name not in _UNDERSTOOD and name not in _IGNORED_WHY and owner is not None:
            found.append((owner, f"the Camunda 8 extension zeebe:{name} is not read by councilflow", "warning"))
    return found


def _owner(element: etree._Element) -> etree._Element:
    """The BPMN element whose ``extensionElements`` hold ``element`` (a mapping, header or subscription)."""
    node = element
    while node is not None and etree.QName(node).localname != "extensionElements":
        node = node.getparent()
    return node.getparent() if node is not None else element


def _mapping_problems(root: etree._Element) -> list[tuple[etree._Element, str, str]]:
    """Mapping targets that are not names, and FEEL outside the subset, each an error at its element."""
    found: list[tuple[etree._Element, str, str]] = []
    for mapping in (*root.iterfind(".//zeebe:ioMapping/zeebe:input", NS),
                    *root.iterfind(".//zeebe:ioMapping/zeebe:output", NS)):
        target = (mapping.get("target") or "").strip()
        if not _TARGET.match(target):
            found.append((_owner(mapping), f"the Camunda 8 mapping target '{target[:80]}' must be a variable's name "
                                           "(or a path such as applicant.age)", "error"))
        try:
            to_python(mapping.get("source") or "")
        except FeelUnsupported as err:
            found.append((_owner(mapping), err.message, "error"))
    for headers in root.iterfind(".//zeebe:taskHeaders", NS):
        if etree.QName(_owner(headers)).localname != "serviceTask":
            found.append((_owner(headers), "Camunda 8 task headers are passed only to a service task's worker "
                                           "(as customHeaders) or adapter (as parameters): here they are not used",
                          "warning"))
    for subscription in root.iterfind(".//zeebe:subscription", NS):
        try:
            to_python(subscription.get("correlationKey") or "")
        except FeelUnsupported as err:
            found.append((_owner(subscription), err.message, "error"))
    return found


def _python(source: str | None) -> str | None:
    try:
        return to_python(source or "")
    except FeelUnsupported:
        return None  # reported by normalise: the file is not deployed


def files_facts(files: dict[str, str], process_ids: list[str]) -> dict[str, dict[str, Any]]:
    """``element_facts`` for the processes (a version's own and those it calls) in a version's BPMN files."""
    facts: dict[str, dict[str, Any]] = {}
    for text in files.values():
        root, _ = parse_xml("", text.encode())
        for process_id in process_ids if root is not None else []:
            facts.update(element_facts(root, process_id))
    return facts


def element_facts(root: etree._Element, process_id: str) -> dict[str, dict[str, Any]]:
    """Element id -> its input/output mappings (``[target, python]``) and message correlation key
    (python), for the elements of one process that have any."""
    process = root.find(f"bpmn:process[@id='{process_id}']", NS)
    facts: dict[str, dict[str, Any]] = {}
    if process is None:
        return facts
    for extensions in process.iterfind(".//bpmn:extensionElements", NS):
        element = extensions.getparent()
        if element.get("id") is None:
            continue
        fact: dict[str, Any] = {}
        for kind in ("input", "output"):
            mappings = [[m.get("target", "").strip(), _python(m.get("source"))]
                        for m in extensions.iterfind(f"zeebe:ioMapping/zeebe:{kind}", NS)]
            if mappings and all(_TARGET.match(t) and p for t, p in mappings):
                fact[kind + "s"] = mappings
        subscription = extensions.find("zeebe:subscription", NS)
        if subscription is not None and (key := _python(subscription.get("correlationKey"))):
            fact["correlation_key"] = key
        if fact:
            facts[element.get("id")] = fact
    # A message's subscription is written on the message, in Camunda 8; it holds for every event that waits for it.
    for message in root.iterfind("bpmn:message", NS):
        subscription = message.find("bpmn:extensionElements/zeebe:subscription", NS)
        key = _python(subscription.get("correlationKey")) if subscription is not None else None
        if not key:
            continue
        for definition in process.iterfind(f".//bpmn:messageEventDefinition[@messageRef='{message.get('id')}']", NS):
            facts.setdefault(definition.getparent().get("id"), {})["correlation_key"] = key
        for task in process.iterfind(f".//bpmn:receiveTask[@messageRef='{message.get('id')}']", NS):
            facts.setdefault(task.get("id"), {})["correlation_key"] = key
    return facts


def _set(data: dict[str, Any], target: str, value: Any) -> None:
    *path, last = target.split(".")
    for name in path:
        if not isinstance(data.get(name), dict):
            data[name] = {}
        data = data[name]
    data[last] = value


def _evaluate(task: Any, python: str) -> Any:
    return task.workflow.script_engine.evaluate(task, python)


def _inputs(mappings: list[list[str]]) -> Any:
    def apply(workflow: Any, task: Any) -> None:
        task.internal_data[_SNAPSHOT] = copy.deepcopy(task.data)
        values = [(target, _evaluate(task, python)) for target, python in mappings]  # all from the data as it was
        for target, value in values:
            _set(task.data, target, value)
    return apply


def _outputs(inputs: list[list[str]], outputs: list[list[str]]) -> Any:
    def apply(workflow: Any, task: Any) -> None:
        before = task.internal_data.pop(_SNAPSHOT, None)
        if before is None:
            return
        if outputs:  # only what the outputs name goes back to the case
            values = [(target, _evaluate(task, python)) for target, python in outputs]
            task.data = before
            for target, value in values:
                _set(task.data, target, value)
            return
        for target, _ in inputs:  # the inputs were local to the task: the case keeps what it had
            name = target.split(".")[0]
            if name in before:
                task.data[name] = before[name]
            else:
                task.data.pop(name, None)
    return apply


def attach(specs: list[Any], facts: dict[str, dict[str, Any]]) -> None:
    """Make the (freshly loaded, not yet shared) specs apply their elements' input/output mappings."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            fact = facts.get(getattr(task_spec, "bpmn_id", None) or "", {})
            inputs, outputs = fact.get("inputs", []), fact.get("outputs", [])
            if not (inputs or outputs):
                continue
            # update: after the task takes its data, before a call activity hands it on or a form shows it
            task_spec.update_event.connect(_inputs(inputs))
            task_spec.completed_event.connect(_outputs(inputs, outputs))
