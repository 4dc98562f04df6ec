"""Which Camunda Form each Camunda task or start event shows, found in the upload, in the map itself
(Camunda 8's ``zeebe:userTaskForm``) or in the form library, and what is wrong with it.

``dialects.camunda_form`` names the form (``file:NAME.form``, ``id:ID`` or ``embedded:ID``);
``CamundaForms`` finds it and turns it into the JSON Schema and UI schema a version keeps
(``engine.bpmn.camunda_forms``). A form that is missing, or that uses what councilflow cannot show, is an
error against the element that names it; a form uploaded as a ``.form`` file has its own errors
reported against that file, once.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from lxml import etree

from ..errors import Problem
from . import camunda_forms, dialects, forms
from .dialects import NS

Finding = tuple[etree._Element, str, str]  # (element, message, severity)
SUFFIX = forms.CAMUNDA_SUFFIX  # as a formField form's: unanswered fields are submitted as null, as Camunda does
UI_SUFFIX = ".camunda-form.ui.json"


def _named(ref: str) -> str:
    kind, _, value = ref.partition(":")
    return {"file": f"'{value}'", "id": f"with id '{value}'", "embedded": f"'{value}' (zeebe:userTaskForm)"}[kind]


class CamundaForms:
    """The Camunda Forms of an upload (``.form`` files by name), with the library behind them."""

    def __init__(self, library: Callable[[str], str | None]) -> None:
        self.library = library
        self.uploaded: dict[str, dict[str, Any]] = {}

    def load(self, name: str, content: bytes | str) -> list[Problem]:
        """Reads an uploaded ``.form`` file; its problems (unreadable, or components that cannot be shown)."""
        form, why = camunda_forms.parse(content)
        if form is None:
            return [Problem(name, None, None, why or "the form cannot be read")]
        self.uploaded[name] = form
        return [Problem(name, None, f.where, f.message) for f in camunda_forms.convert(form, name).findings]

    def find(self, ref: str, root: etree._Element) -> tuple[dict[str, Any] | None, bool]:
        """(form-js JSON, whether it was uploaded as a file) for a reference; (None, False) if nowhere."""
        kind, _, value = ref.partition(":")
        if kind == "file":
            if value in self.uploaded:
                return self.uploaded[value], True
            text = self.library(value) if value.endswith(".form") else None
            return (camunda_forms.parse(text)[0] if text is not None else None), False
        if kind == "id":
            found = next((f for f in self.uploaded.values() if camunda_forms.form_id(f) == value), None)
            return found, found is not None
        text = dialects.embedded_forms(root).get(value)
        return (camunda_forms.parse(text)[0] if text is not None else None), False

    def check(self, root: etree._Element) -> list[Finding]:
        """Errors for forms a map names that are missing or unusable; warnings for Camunda 8 forms it cannot show."""
        found: list[Finding] = []
        for element in _with_forms(root):
            ref = dialects.camunda_form(element)
            if ref is None:
                if element.find("bpmn:extensionElements/zeebe:formDefinition", NS) is not None:
                    found.append((element, "Camunda 8 forms other than Camunda Forms (an external form reference) "
                                           "are not shown: the task shows a page with a Complete button", "warning"))
                continue
            form, uploaded = self.find(ref, root)
            if form is None:
                found.append((element, f"the Camunda Form {_named(ref)} is neither in this upload nor deployed "
                                       f"(upload its .form file with the map)", "error"))
            elif not uploaded:  # an uploaded file's findings are reported against the file itself
                for problem in camunda_forms.convert(form, "").findings:
                    found.append((element, f"the Camunda Form {_named(ref)} cannot be used: {problem.where}: "
                                           f"{problem.message}", "error"))
        return found

    def keep(self, files: dict[str, str], task_id: str, meta: dict[str, Any],
             roots: list[etree._Element]) -> str | None:
        """Adds the JSON Schema and UI schema of the task's Camunda Form (``meta["camunda_form"]``, found
        in one of ``roots`` when embedded) to the version's ``files`` under generated names, notes the UI
        schema's name in ``meta``, and returns the schema's; None if the form is nowhere."""
        form = next((f for root in roots if (f := self.find(meta["camunda_form"], root)[0]) is not None), None)
        if form is None:
            return None
        converted = camunda_forms.convert(form, meta["name"])
        name, ui_name = f"{task_id}{SUFFIX}", f"{task_id}{UI_SUFFIX}"
        files[name], files[ui_name] = json.dumps(converted.schema, indent=1), json.dumps(converted.ui_schema, indent=1)
        meta["form_ui_schema"] = ui_name
        return name


def _with_forms(root: etree._Element) -> Iterator[etree._Element]:
    for kind in ("userTask", "startEvent"):
        yield from root.iterfind(f".//bpmn:{kind}", NS)
