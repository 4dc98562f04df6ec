"""Camunda 8 (zeebe) maps, rewritten into what our engine runs before SpiffWorkflow parses them.

The current Camunda Modeler writes Camunda 8 maps by default: FEEL (``=…``) conditions, a call
activity's callee in ``zeebe:calledElement``, routing in ``zeebe:assignmentDefinition`` and a job type
in ``zeebe:taskDefinition``. ``normalise`` rewrites the file in place, once, at upload: conditions into
Python (``engine.feel``; what it cannot translate is an error naming the element) and the callee into
BPMN's own ``calledElement``. What is stored is the rewritten file, which is still a Camunda 8 file, so
rewriting it again (a deployed callee added to a later upload) changes nothing.

Routing (``dialects.human_tasks``) and job types (``dialects.service_operation``: an adapter operation
of that name, otherwise an external task on that topic) are read where the other dialects' are.
Features whose meaning we do not reproduce are warnings, never silently dropped.
"""
from __future__ import annotations

import re

from lxml import etree

from .dialects import CAMUNDA_NS, NS, ZEEBE_NS
from .feel import FeelUnsupported, is_feel, to_python

_CONDITIONS = (".//bpmn:conditionExpression", ".//bpmn:conditionalEventDefinition/bpmn:condition",
               ".//bpmn:multiInstanceLoopCharacteristics/bpmn:completionCondition")
_TIMERS = tuple(f".//bpmn:timerEventDefinition/bpmn:{tag}" for tag in ("timeDuration", "timeDate", "timeCycle"))
# Extension elements read elsewhere, or rewritten here; any other zeebe element is only a warning.
_UNDERSTOOD = {"taskDefinition", "assignmentDefinition", "calledElement", "properties", "property", "userTask",
               "loopCharacteristics", "formDefinition", "userTaskForm"}  # forms: engine.form_keys
_NAME = re.compile(r"^=?\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")
_IGNORED_WHY = {
    "ioMapping": "input/output mappings are not applied: the task sees, and writes, the case data as it is",
    "input": None, "output": None,
    "taskHeaders": "task headers are not passed to workers", "header": None,
    "subscription": "message correlation keys are not used: a message is delivered to the case it names "
                    "(POST /api/v1/cases/{reference}/messages/{name})",
}


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
