"""The form model: a JSON Schema (draft 2020-12) plus an optional SpiffArena/rjsf UI schema become
an ordered list of ``Field``s, each naming the GOV.UK component that renders it.

Camunda ``formField`` forms arrive here already converted to JSON Schema by
``engine.bpmn.forms.camunda_schema``, and Camunda Forms (form-js) by ``engine.bpmn.camunda_forms``, so one
model (and one renderer) serves every dialect. A UI schema entry with ``"ui:widget": "markdown"``
and no property (a Camunda Form's text block) is text shown between the questions (``Kind.CONTENT``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from engine.bpmn import Widget, widget_of, widget_options

from .reveals import Condition, conditions

RADIO_LIMIT = 6  # more options than this become a select, unless the UI schema asks for radios
LONG_TEXT = 200  # a string allowed to be longer than this is a textarea


class Kind(StrEnum):
    TEXT = "text"
    EMAIL = "email"
    TEL = "tel"
    NUMBER = "number"
    TEXTAREA = "textarea"
    DATE = "date"
    RADIOS = "radios"
    SELECT = "select"
    CHECKBOXES = "checkboxes"
    CHECKBOX = "checkbox"  # one box to tick, e.g. a declaration (boolean)
    ADDRESS = "address"  # "ui:widget": "address": picked from the gazetteer by postcode (forms/address.py)
    CONTENT = "content"  # Markdown shown between the questions; asks nothing
    # SpiffArena's own widgets (engine/bpmn/widgets.py says what each stores)
    TYPEAHEAD = "typeahead"  # text with suggestions from a typeahead data store
    DATE_RANGE = "date-range"  # two dates, stored "start:::end"
    NUMERIC_RANGE = "numeric-range"  # two numbers, stored {"min", "max"}
    FORMATTED_NUMBER = "formatted-number"  # a number typed with separators or a currency sign


@dataclass(frozen=True)
class Option:
    value: str  # as posted by the browser
    label: str
    data: Any  # as stored in the case data
    hint: str | None = None
    group: str | None = None  # a heading shown above the first option of its group (a day's slots)
    short: str | None = None  # what the radio shows under its group's heading (the time); ``label`` in answers


@dataclass
class Field:
    kind: Kind
    name: str
    label: str
    hint: str | None = None
    required: bool = False
    conditional: bool = False  # required only for some answers to another question
    options: list[Option] = field(default_factory=list)
    max_length: int | None = None
    rows: int | None = None
    value_type: str = "string"  # the JSON type stored: string, integer, number, boolean, array
    inline: bool = False
    autocomplete: str | None = None
    reveals: dict[str, list["Field"]] = field(default_factory=dict)  # option value -> follow-ups
    booking: str | None = None  # "format": "appointment": the appointment type whose free slots are the options
    declaration: bool = False  # a checkbox that must be ticked ("const": true): unticked is no answer at all
    text: str | None = None  # Kind.CONTENT's Markdown
    settings: dict[str, Any] = field(default_factory=dict)  # the UI schema's "ui:options" (category, itemFormat, prefix)
    prop: dict[str, Any] = field(default_factory=dict)  # the property's schema, for the widgets that read it

    @property
    def anchor(self) -> str:
        """The id of the field's first input, where the error summary links to."""
        if self.kind is Kind.ADDRESS:
            return f"{self.name}-postcode"
        if self.kind is Kind.DATE_RANGE:
            return f"{self.name}-start-day"
        if self.kind is Kind.NUMERIC_RANGE:
            return f"{self.name}-min"
        return f"{self.name}-day" if self.kind is Kind.DATE else self.name

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


def form_value(data: Any) -> str:
    """How a JSON value is written in an HTML form."""
    if isinstance(data, bool):
        return "true" if data else "false"
    return "" if data is None else str(data)


def _options(prop: dict[str, Any], ui: dict[str, Any]) -> list[Option]:
    choices = prop.get("oneOf") or prop.get("anyOf")
    if choices and all(isinstance(c, dict) and "const" in c for c in choices):
        return [Option(form_value(c["const"]), str(c.get("title", c["const"])), c["const"], c.get("description"))
                for c in choices]
    if "enum" in prop:
        names = ui.get("ui:enumNames") or prop.get("enumNames") or []
        return [Option(form_value(v), str(names[i]) if i < len(names) else form_value(v), v)
                for i, v in enumerate(prop["enum"])]
    return []


def _kind(name: str, prop: dict[str, Any], ui: dict[str, Any], options: list[Option]) -> Kind:
    widget = ui.get("ui:widget")
    kind, fmt = prop.get("type"), prop.get("format")
    if widget == "address":
        return Kind.ADDRESS
    spiff = widget_of(ui)
    if spiff is not None and spiff is not Widget.CHECKBOX:
        return {Widget.TYPEAHEAD: Kind.TYPEAHEAD, Widget.DATE_RANGE: Kind.DATE_RANGE,
                Widget.NUMERIC_RANGE: Kind.NUMERIC_RANGE, Widget.FORMATTED_NUMBER: Kind.FORMATTED_NUMBER}[spiff]
    if fmt == "appointment":  # the next free slots, offered when the page is shown (webui/appointment_fields.py)
        return Kind.RADIOS
    if kind == "array":
        return Kind.CHECKBOXES
    if kind == "boolean":
        return Kind.CHECKBOX if widget == "checkbox" or prop.get("const") is True else Kind.RADIOS
    if options:
        if widget == "select" or (widget != "radio" and len(options) > RADIO_LIMIT):
            return Kind.SELECT
        return Kind.RADIOS
    if kind in ("integer", "number") or widget == "updown":
        return Kind.NUMBER
    if fmt == "date" or widget == "date":
        return Kind.DATE
    if fmt == "email" or widget == "email":
        return Kind.EMAIL
    if fmt == "phone" or widget == "tel" or "phone" in name:
        return Kind.TEL
    if widget in ("textarea", "markdown") or (prop.get("maxLength") or 0) > LONG_TEXT:
        return Kind.TEXTAREA
    return Kind.TEXT


_YES_NO = [Option("true", "Yes", True), Option("false", "No", False)]


def make_field(name: str, prop: dict[str, Any], ui: dict[str, Any], required: bool) -> Field:
    """One property as a field (no follow-up questions yet: see ``fields_for``)."""
    items = prop.get("items")
    choices = (items if isinstance(items, dict) else {}) if prop.get("type") == "array" else prop
    options = _options(choices, ui)
    kind = _kind(name, prop, ui, options)
    if prop.get("type") == "boolean" and kind is Kind.RADIOS:
        options = options or _YES_NO
    ui_options = ui.get("ui:options", {})
    return Field(
        kind=kind, name=name, label=str(ui.get("ui:title") or prop.get("title") or name.replace("_", " ").capitalize()),
        hint=ui.get("ui:help") or ui.get("ui:description") or prop.get("description"),
        required=required, options=options, max_length=prop.get("maxLength"), rows=ui_options.get("rows"),
        value_type=str(prop.get("type") or "string"), autocomplete=ui.get("ui:autocomplete"),
        inline=bool(ui_options.get("inline", prop.get("type") == "boolean" and kind is Kind.RADIOS)),
        booking=str(prop.get("appointment_type")) if prop.get("format") == "appointment" else None,
        declaration=prop.get("const") is True, settings=widget_options(ui), prop=prop)


def _is_content(ui: Any) -> bool:
    return isinstance(ui, dict) and ui.get("ui:widget") == "markdown" and isinstance(ui.get("ui:text"), str)


def _order(properties: dict[str, Any], ui_schema: dict[str, Any]) -> list[str]:
    """Property names (and text blocks) in "ui:order" (with its "*" wildcard), then any not mentioned."""
    order = list(ui_schema.get("ui:order", []))
    rest = [p for p in properties if p not in order]
    if "*" in order:
        at = order.index("*")
        order[at:at + 1] = rest
    else:
        order += rest
    return [p for p in order if p in properties or (p not in properties and _is_content(ui_schema.get(p)))]


def _holds(field: Field, name: str) -> bool:
    return any(f.name == name or _holds(f, name) for fs in field.reveals.values() for f in fs)


def _reveal_under(controller: Field | None, condition: Condition, target: Field) -> str | None:
    """The option of ``controller`` to show ``target`` under, if it can be a revealed follow-up:
    radios, one answer, and ``target`` not asked anyway nor holding the controller itself."""
    if controller is None or controller.kind is not Kind.RADIOS or len(condition.values) != 1:
        return None
    option = controller.option(form_value(condition.values[0]))
    if option is None or target.required or target is controller or _holds(target, controller.name):
        return None
    return option.value


def fields_for(schema: dict[str, Any], ui_schema: dict[str, Any] | None = None) -> list[Field]:
    """The fields of a form, in page order; follow-up questions sit under the answer that reveals them."""
    ui_schema = ui_schema or {}
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    fields: dict[str, Field] = {}
    for name in _order(properties, ui_schema):
        ui, prop = ui_schema.get(name), properties.get(name)
        if prop is None:  # a text block (see _order)
            fields[name] = Field(Kind.CONTENT, name, "", text=ui["ui:text"])
            continue
        ui, prop = ui if isinstance(ui, dict) else {}, prop if isinstance(prop, dict) else {}
        if ui.get("ui:widget") == "hidden":
            continue
        fields[name] = make_field(name, prop, ui, name in required)
    nested: set[str] = set()
    for condition in conditions(schema):
        for name in (*condition.requires, *condition.shows):
            target = fields.get(name)
            if target is None or target.kind is Kind.CONTENT:
                continue
            target.conditional = name in condition.requires
            value = _reveal_under(fields.get(condition.field), condition, target)
            if value is not None and name not in nested:
                fields[condition.field].reveals.setdefault(value, []).append(target)
                nested.add(name)
    position = {name: i for i, name in enumerate(fields)}
    for f in fields.values():
        for followers in f.reveals.values():
            followers.sort(key=lambda follower: position[follower.name])
    return [f for name, f in fields.items() if name not in nested]


def flatten(fields: list[Field]) -> list[Field]:
    """Every field in page order, follow-ups right after the option that reveals them."""
    out: list[Field] = []
    for f in fields:
        out.append(f)
        for option in f.options:
            out += flatten(f.reveals.get(option.value, []))
    return out
