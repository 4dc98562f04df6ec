"""Camunda 7 maps as their modellers mean them, where councilflow's meaning differs.

Camunda 7 writes conditions in JUEL (``${!approved}``, ``#{amount > 1000}``), which councilflow does
not run. ``normalise`` rewrites, in place at upload, a JUEL condition made only of case variables,
literals, comparisons and ``!``/``&&``/``||``/``empty`` into the Python with the same meaning, and says
so in a warning; anything else (a path ``a.b``, a method call, a bean) is left for the linter, which
refuses it with ``juel_hint``'s suggestion of the Python to write.

``findings`` warns, on check and deploy, about what a Camunda 7 task names that councilflow cannot
honour, so nothing is silently dropped: form keys other than Camunda Forms (embedded HTML, JSF), and
assignee or candidate expressions it cannot evaluate.
"""
from __future__ import annotations

import re

from lxml import etree

from .dialects import CAMUNDA_FORMS, CAMUNDA_NS, NS

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"[^"\\]*"|'[^'\\]*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>&&|\|\||==|!=|<=|>=|[<>!()+\-*/%])
""", re.VERBOSE)
_WORDS = {"true": "True", "false": "False", "and": "and", "or": "or", "not": "not", "eq": "==", "ne": "!=",
          "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "div": "/", "mod": "%"}
_OPS = {"&&": "and", "||": "or", "!": "not", "==": "==", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">=",
        "(": "(", ")": ")", "+": "+", "-": "-", "*": "*", "/": "/", "%": "%"}
_EXPRESSION = re.compile(r"^\s*[$#]\{(.*)\}\s*$", re.DOTALL)
_CONDITIONS = (".//bpmn:conditionExpression", ".//bpmn:conditionalEventDefinition/bpmn:condition",
               ".//bpmn:multiInstanceLoopCharacteristics/bpmn:completionCondition")
_SIMPLE_NAME = re.compile(r"^\s*\$\{\s*[A-Za-z][A-Za-z0-9_]*\s*\}\s*$")


def is_juel(text: str | None) -> bool:
    return bool(text) and _EXPRESSION.match(text or "") is not None


def _python_tokens(body: str) -> tuple[list[str], bool]:
    """Python tokens for a JUEL body, and whether the translation means exactly what the JUEL did."""
    out: list[str] = []
    exact, at = True, 0
    while at < len(body):
        match = _TOKEN.match(body, at)
        if match is None:  # a path (a.b), a method call's brackets, a ternary: left as written
            out.append(body[at])
            exact, at = False, at + 1
            continue
        at, kind, text = match.end(), match.lastgroup, match.group()
        if kind == "space":
            continue
        if kind == "name":
            if text == "null":
                if out and out[-1] in ("==", "!="):
                    out[-1] = "is" if out[-1] == "==" else "is not"
                out.append("None")
            elif text == "empty":
                out.append("not")
            else:
                out.append(_WORDS.get(text, text))
        elif kind == "op":
            out.append(_OPS[text])
        else:
            out.append(text)
    return out, exact


def juel_to_python(text: str) -> str | None:
    """The Python with the same meaning as a simple JUEL expression (``${!twitter}`` -> ``not twitter``),
    or None when the expression uses anything beyond names, literals and operators."""
    match = _EXPRESSION.match(text)
    if match is None or not match.group(1).strip():
        return None
    tokens, exact = _python_tokens(match.group(1))
    return " ".join(tokens).replace("( ", "(").replace(" )", ")") if exact else None


def juel_hint(text: str) -> str:
    """What to write instead of a JUEL expression, in Python, for the linter's message."""
    match = _EXPRESSION.match(text)
    body = match.group(1) if match else text
    tokens, _ = _python_tokens(body)
    python = " ".join(tokens).replace("( ", "(").replace(" )", ")").replace(" . ", ".").replace(" .", ".")
    return python + ("; a path into a case variable is written variable['key'], and Java beans and methods "
                     "are not available" if "." in body or "(" in body and not juel_to_python(text) else "")


def normalise(root: etree._Element) -> list[tuple[etree._Element, str, str]]:
    """Rewrite simple JUEL conditions into Python in place; (element, message, "warning") for each."""
    found: list[tuple[etree._Element, str, str]] = []
    for path in _CONDITIONS:
        for element in root.iterfind(path, NS):
            text = element.text or ""
            if not is_juel(text) or (python := juel_to_python(text)) is None:
                continue
            element.text = python
            found.append((element, f"the Camunda (JUEL) condition '{text.strip()}' runs as the Python "
                                   f"'{python}'", "warning"))
    return found


def _form_key_finding(element: etree._Element) -> str | None:
    key = element.get(f"{{{CAMUNDA_NS}}}formKey")
    if not key or key.startswith(CAMUNDA_FORMS):
        return None
    fields = element.find("bpmn:extensionElements/camunda:formData", NS) is not None
    if etree.QName(element).localname == "startEvent":
        shown = "a case starts with its camunda:formData fields" if fields else "a case starts without a form"
    else:
        shown = "the task shows " + ("its camunda:formData fields" if fields
                                     else "a page with only the task's name and a Complete button")
    return (f"the form key '{key}' is not a Camunda Form (camunda-forms:deployment:NAME.form): councilflow "
            f"cannot show embedded HTML or JSF forms, so {shown}")


def findings(root: etree._Element) -> list[tuple[etree._Element, str, str]]:
    """Warnings for what Camunda 7 tasks name that councilflow cannot honour."""
    found: list[tuple[etree._Element, str, str]] = []
    for kind in ("userTask", "startEvent"):
        for element in root.iterfind(f".//bpmn:{kind}", NS):
            if (why := _form_key_finding(element)) is not None:
                found.append((element, why, "warning"))
    for element in root.iterfind(".//bpmn:userTask", NS):
        assignee = element.get(f"{{{CAMUNDA_NS}}}assignee") or ""
        if assignee.lstrip().startswith(("${", "#{")):
            found.append((element, f"the assignee expression '{assignee}' is not evaluated by councilflow: the task "
                                   f"is assigned to nobody and its team picks it up", "warning"))
        groups = element.get(f"{{{CAMUNDA_NS}}}candidateGroups") or ""
        for group in (g.strip() for g in groups.split(",")):
            if group.startswith(("${", "#{")) and not _SIMPLE_NAME.match(group):
                found.append((element, f"the candidate group expression '{group}' is not evaluated by councilflow: "
                                       f"name the team, or a case variable holding it (${{variable}})", "warning"))
        if element.get(f"{{{CAMUNDA_NS}}}candidateUsers"):
            found.append((element, f"candidate users ('{element.get(f'{{{CAMUNDA_NS}}}candidateUsers')}') are not "
                                   f"used: a task goes to a team (its lane or candidate group)", "warning"))
    return found
