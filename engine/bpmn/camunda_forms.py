"""Camunda Forms (form-js JSON, the Camunda Modeler's ``.form`` files) as our one form model: a JSON
Schema for the answers plus a UI schema for how the page asks them (``webui.forms.model``).

Camunda 7 names a form with ``camunda:formKey="camunda-forms:deployment:NAME.form"`` (or
``camunda-forms:app:…/NAME.form``, or ``camunda:formRef="ID"``); Camunda 8 with
``zeebe:formDefinition formId="ID"`` (a linked form) or ``formKey="camunda-forms:bpmn:ID"`` (a
``zeebe:userTaskForm`` holding the form's JSON inside the map). ``convert`` reads one form:

* fields: textfield, textarea, number, checkbox, checklist, radio, select, datetime and taglist (its
  several answers are asked as checkboxes: GOV.UK has no multi-select);
* ``text`` blocks as Markdown shown between the questions (raw HTML is never passed through), a
  group's label as a heading over its fields (whose answers stay at the top level, as form-js
  keeps them without a ``path``); buttons, spacers and separators are layout the page has its own of;
* validation: required, min/max, minLength/maxLength, pattern (RE2, as every form pattern: one RE2
  cannot run is refused) and the email/phone validation types;
* ``conditional.hide`` written as ``=field != "value"``, ``=field = "value"``, ``=not(field)`` or
  ``=field``: the field is asked (and required) only when it is shown.

Anything else (another component, options taken from case data, a computed condition, a key that
is a path) is a ``Finding`` naming the component, and the map using the form is refused at check.
A form too large or nested too deep is refused before it is walked.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from . import formschema

MAX_BYTES = 512_000
MAX_COMPONENTS = 500
MAX_DEPTH = 8  # groups inside groups
MAX_TEXT = 20_000  # characters of one text block
SCHEMA_VERSION = "https://json-schema.org/draft/2020-12/schema"

_LAYOUT = {"button", "spacer", "separator"}
_WHY_NOT = {
    "html": "raw HTML is never shown on councilflow pages; use a text block (Markdown)",
    "iframe": "councilflow pages do not embed other sites",
    "image": "images are not shown on task pages; describe it in a text block",
    "dynamiclist": "repeating groups are not supported",
    "table": "tables of case data are not supported",
    "filepicker": "files are attached to the case as documents, not through a form",
    "expression": "computed fields are not supported; compute the value in a script task",
    "documentPreview": "documents are shown on the case page, not in a form",
}
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
_LITERAL = r'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false'
_COMPARE = re.compile(rf"^([A-Za-z_][A-Za-z0-9_]*)\s*(!=|=)\s*({_LITERAL})$")
_NOT = re.compile(r"^not\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$")
_NAME = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)$")
_TIME = r"^([01]\d|2[0-3]):[0-5]\d$"
_DATE_TIME = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[ T]([01]\d|2[0-3]):[0-5]\d$"
HIDE_FORMS = '=field != "value", =field = "value", =not(field) or =field'


@dataclass(frozen=True)
class Finding:
    """Why (part of) a Camunda Form cannot be used: ``where`` names the component (its key or id)."""

    where: str
    message: str


@dataclass
class Converted:
    schema: dict[str, Any]
    ui_schema: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)


def parse(text: str | bytes) -> tuple[dict[str, Any] | None, str | None]:
    """(form-js JSON, None) or (None, why it cannot be read); size is checked before parsing."""
    if len(text) > MAX_BYTES:
        return None, f"the form is larger than {MAX_BYTES // 1000} KB"
    try:
        form = json.loads(text)
    except (ValueError, RecursionError) as err:
        return None, f"the form is not valid JSON: {str(err)[:200]}"
    if not isinstance(form, dict) or not isinstance(form.get("components"), list):
        return None, "the file is not a Camunda Form: it has no \"components\" list"
    return form, None


def form_id(form: dict[str, Any]) -> str | None:
    found = form.get("id")
    return found if isinstance(found, str) and found else None


def _where(component: dict[str, Any], index: int) -> str:
    key = component.get("key") or component.get("id")
    kind = component.get("type")
    return f"{kind} '{key}'" if isinstance(key, str) and key else f"{kind} (component {index + 1})"


def _literal(text: str) -> Any:
    return json.loads(text)  # FEEL's string, number and boolean literals are JSON's


def _options(component: dict[str, Any]) -> list[dict[str, Any]] | str:
    """oneOf entries for the component's static options, or why they cannot be offered."""
    if component.get("valuesKey") or component.get("valuesExpression"):
        return "options taken from case data (valuesKey / valuesExpression) are not supported; list the options"
    values = component.get("values")
    if not isinstance(values, list) or not values:
        return "it has no options"
    found = []
    for value in values:
        if not isinstance(value, dict) or "value" not in value or isinstance(value["value"], (dict, list)):
            return "an option has no value"
        found.append({"const": value["value"], "title": str(value.get("label", value["value"]))})
    return found


class _Converter:
    def __init__(self) -> None:
        self.properties: dict[str, Any] = {}
        self.ui: dict[str, Any] = {}
        self.order: list[str] = []
        self.required: list[str] = []
        self.hides: list[tuple[str, str, str]] = []  # (key, expression, where)
        self.where: dict[str, str] = {}  # field key -> how findings name its component
        self.findings: list[Finding] = []
        self.count = 0
        self.texts = 0

    def refuse(self, where: str, message: str) -> None:
        self.findings.append(Finding(where, message))

    def walk(self, components: list[Any]) -> None:
        stack: list[tuple[list[Any], int, int]] = [(components, 0, 0)]  # (components, next index, depth)
        while stack:
            items, at, depth = stack.pop()
            if at >= len(items):
                continue
            stack.append((items, at + 1, depth))
            self.count += 1
            if self.count > MAX_COMPONENTS:
                self.refuse("the form", f"it has more than {MAX_COMPONENTS} components")
                return
            component = items[at]
            if not isinstance(component, dict):
                self.refuse(f"component {at + 1}", "it is not a component")
                continue
            kind = component.get("type")
            if kind == "group":
                if depth >= MAX_DEPTH:
                    self.refuse(_where(component, at), f"groups are nested more than {MAX_DEPTH} deep")
                    continue
                if component.get("path"):
                    self.refuse(_where(component, at), "a group that keeps its answers under a path is not "
                                                       "supported; clear the group's path")
                    continue
                if component.get("label"):
                    self.text(f"### {component['label']}")
                children = component.get("components")
                stack.append((children if isinstance(children, list) else [], 0, depth + 1))
            else:
                self.component(component, at)

    def text(self, markdown: str) -> None:
        self.texts += 1
        name = f"_text_{self.texts}"
        self.ui[name] = {"ui:widget": "markdown", "ui:text": markdown[:MAX_TEXT]}
        self.order.append(name)

    def component(self, c: dict[str, Any], index: int) -> None:
        kind, where = c.get("type"), _where(c, index)
        if kind in _LAYOUT:
            return
        if kind == "text":
            if isinstance(c.get("text"), str) and c["text"].strip():
                self.text(c["text"])
            return
        if not isinstance(kind, str) or kind not in _BUILDERS:
            why = _WHY_NOT.get(kind) if isinstance(kind, str) else None
            known = ", ".join([*sorted(_BUILDERS), "text", "group"])
            self.refuse(where, f"the component type '{kind}' is not supported" + (f": {why}" if why else f" ({known})"))
            return
        key = c.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            self.refuse(where, f"its key {key!r} must be a plain name (letters, digits and '_'; no dots or paths)")
            return
        if key in self.properties:
            self.refuse(where, f"the key '{key}' is used by two fields")
            return
        prop: dict[str, Any] = {"title": str(c.get("label") or c.get("dateLabel") or key)}
        if isinstance(c.get("description"), str) and c["description"]:
            prop["description"] = c["description"]
        ui: dict[str, Any] = {}
        why = _BUILDERS[kind](c, prop, ui)
        if why:
            self.refuse(where, why)
            return
        if "defaultValue" in c and c["defaultValue"] not in (None, ""):
            prop["default"] = c["defaultValue"]
        validate: dict[str, Any] = c["validate"] if isinstance(c.get("validate"), dict) else {}
        if why := _validation(kind, validate, prop):
            self.refuse(where, why)
            return
        self.properties[key] = prop
        self.where[key] = where
        if ui:
            self.ui[key] = ui
        self.order.append(key)
        hide = (c.get("conditional") or {}).get("hide") if isinstance(c.get("conditional"), dict) else None
        if isinstance(hide, str) and hide.strip():
            self.hides.append((key, hide, where))
        elif validate.get("required") is True:
            self.required.append(key)
        self._required_choice(kind, key, validate)

    def _required_choice(self, kind: str, key: str, validate: dict[str, Any]) -> None:
        if validate.get("required") is True and kind in ("checklist", "taglist"):
            self.properties[key]["minItems"] = 1
        if validate.get("required") is True and kind == "checkbox":
            self.properties[key]["const"] = True

    def conditions(self) -> list[dict[str, Any]]:
        """``conditional.hide`` as if/then (or if/else) rules: the field is required (or, optional, offered)
        only while it is shown; ``x-shows`` names the optional ones a page reveals (``webui.forms.reveals``)."""
        rules: list[dict[str, Any]] = []
        for key, hide, where in self.hides:
            text = hide.strip()[1:].strip() if hide.strip().startswith("=") else hide.strip()
            if m := _COMPARE.match(text):
                controller, shown_when_equal, value = m.group(1), m.group(2) == "!=", _literal(m.group(3))
            elif m := _NOT.match(text):
                controller, shown_when_equal, value = m.group(1), True, True
            elif m := _NAME.match(text):
                controller, shown_when_equal, value = m.group(1), False, True
            else:
                self.refuse(where, f"its condition hide '{_short(hide)}' is not supported: write it as {HIDE_FORMS}")
                continue
            if controller not in self.properties or controller == key:
                self.refuse(where, f"its condition hide '{_short(hide)}' names '{controller}', which is not another "
                                   f"field of this form")
                continue
            outcome = {"required": [key]} if self._was_required(key) else {"x-shows": [key]}
            rules.append({"if": {"properties": {controller: {"const": value}}, "required": [controller]},
                          "then" if shown_when_equal else "else": outcome})
        return rules

    def _was_required(self, key: str) -> bool:
        return bool(self.properties[key].pop("x-required", False))


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _textfield(c: dict[str, Any], prop: dict[str, Any], ui: dict[str, Any]) -> str | None:
    prop["type"] = "string"
    return None


def _textarea(c: dict[str, Any], prop: dict[str, Any], ui: dict[str, Any]) -> str | None:
    prop["type"] = "string"
    ui["ui:widget"] = "textarea"
    return None


def _number(c: dict[str, Any], prop: dict[str, Any], ui: dict[str, Any]) -> str | None:
    prop["type"] = "integer" if c.get("decimalDigits") == 0 else "number"
    return None


def _checkbox(c: dict[str, Any], prop: dict[str, Any], ui: dict[str, Any]) -> str | None:
    prop["type"] = "boolean"
    ui["ui:widget"] = "checkbox"
    return None


def _one(widget: str) -> Any:
    def build(c: dict[str, Any], prop: dict[str, Any], ui: dict[str, Any]) -> str | None:
        options = _options(c)
        if isinstance(options, str):
            return options
        prop["oneOf"] = options
        ui["ui:widget"] = widget
        return None
    return build


def _many(c: dict[str, Any], prop: dict[str, Any], ui: dict[str, Any]) -> str | None:
    options = _options(c)
    if isinstance(options, str):
        return options
    prop.update(type="array", items={"oneOf": options}, uniqueItems=True)
    return None


def _datetime(c: dict[str, Any], prop: dict[str, Any], ui: dict[str, Any]) -> str | None:
    prop["type"] = "string"
    subtype = c.get("subtype") or "date"
    if subtype == "date":
        prop["format"] = "date"
    elif subtype == "time":
        prop["title"] = str(c.get("label") or c.get("timeLabel") or c.get("key"))
        prop.update(pattern=_TIME, description=prop.get("description") or "For example, 14:30")
    elif subtype == "datetime":
        prop.update(pattern=_DATE_TIME, description=prop.get("description") or "For example, 2026-03-27 14:30")
    else:
        return f"the datetime subtype '{subtype}' is not supported (date, time or datetime)"
    return None


_BUILDERS = {"textfield": _textfield, "textarea": _textarea, "number": _number, "checkbox": _checkbox,
             "radio": _one("radio"), "select": _one("select"), "checklist": _many, "taglist": _many,
             "datetime": _datetime}
_LIMITS = {"minLength": "minLength", "maxLength": "maxLength", "min": "minimum", "max": "maximum"}


def _validation(kind: str, validate: dict[str, Any], prop: dict[str, Any]) -> str | None:
    for name, keyword in _LIMITS.items():
        value = validate.get(name)
        if value in (None, ""):
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"its validation {name} must be a number, not {value!r}"
        if keyword in ("minLength", "maxLength") and (value < 0 or value != int(value)):
            return f"its validation {name} must be a whole number of characters"
        prop[keyword] = int(value) if keyword in ("minLength", "maxLength") else value
    pattern = validate.get("pattern")
    if isinstance(pattern, str) and pattern:
        prop["pattern"] = pattern
    kind_of_text = validate.get("validationType")
    if kind_of_text == "email":
        prop["format"] = "email"
    elif kind_of_text == "phone":
        prop["format"] = "phone"
    if validate.get("required") is True:
        prop["x-required"] = True  # read back (and removed) by the conditions; see _Converter.component
    return None


def convert(form: dict[str, Any], title: str) -> Converted:
    """The JSON Schema and UI schema of one Camunda Form, and what in it cannot be used."""
    converter = _Converter()
    converter.walk(form.get("components") or [])
    rules = converter.conditions()
    for prop in converter.properties.values():
        prop.pop("x-required", None)
    schema: dict[str, Any] = {"$schema": SCHEMA_VERSION, "title": title, "type": "object",
                              "properties": converter.properties, "required": converter.required}
    if rules:
        schema["allOf"] = rules
    for found in formschema.check("the form", schema, lambda name: None).findings:
        key = found.pointer.split("/")[2] if found.pointer.startswith("/properties/") else ""
        converter.refuse(converter.where.get(key, "the form"), found.message)
    ui = {**converter.ui, "ui:order": converter.order}
    return Converted(schema, ui, converter.findings)
