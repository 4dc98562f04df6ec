"""What an Open311 GeoReport v2 client sees of the services: the processes published on channel
``open311`` with a code (``engine.residents.publishing``), and each one's attributes, read from its intake form
(``engine.residents.intake``) so a partner is asked exactly what the front office would ask.

A form field becomes an attribute with the spec's datatype: choices are ``singlevaluelist`` (an array
of choices ``multivaluelist``), numbers ``number``, dates ``datetime``, long text ``text``, the rest
``string``. A field Open311 cannot carry (an object such as an address picked from the gazetteer, an
array of anything but choices) is left out; if the form requires one, the service is offered without
attributes it could fill and a request is refused with the form's own message.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..context import Context
from ..errors import NotFound
from ..residents import intake, publishing
from ..types import PublishChannel

LONG_TEXT = 300  # longer strings are Open311 "text" (a text area on FixMyStreet)


class ServiceCodeNotFound(NotFound):
    """No service is published on Open311 with that code."""


@dataclass(frozen=True)
class Choice:
    key: str  # the value a client sends
    name: str  # what it shows
    value: Any  # the value the form stores


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string, number, datetime, text, singlevaluelist, multivaluelist
    value_type: str  # the form's JSON type ("integer", "boolean", ...) values are read as
    required: bool
    description: str
    order: int
    hint: str | None = None
    values: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class Open311Service:
    code: str
    name: str
    description: str
    keywords: tuple[str, ...]
    process: str
    attributes: tuple[Attribute, ...] = ()
    intake: intake.Intake | None = None


def _text(value: Any) -> str:
    return "true" if value is True else "false" if value is False else str(value)


def _choices(prop: dict[str, Any], ui: dict[str, Any]) -> tuple[Choice, ...]:
    consts = prop.get("oneOf") or prop.get("anyOf")
    if consts and all(isinstance(c, dict) and "const" in c for c in consts):
        return tuple(Choice(_text(c["const"]), str(c.get("title", c["const"])), c["const"]) for c in consts)
    if isinstance(prop.get("enum"), list):
        names = ui.get("ui:enumNames") or prop.get("enumNames") or []
        return tuple(Choice(_text(v), str(names[i]) if i < len(names) else _text(v), v)
                     for i, v in enumerate(prop["enum"]))
    if prop.get("type") == "boolean":
        return (Choice("true", "Yes", True), Choice("false", "No", False))
    return ()


def attribute(code: str, prop: dict[str, Any], ui: dict[str, Any], required: bool, order: int) -> Attribute | None:
    """The field as an Open311 attribute, or None when Open311 cannot carry it."""
    kind, items = prop.get("type"), prop.get("items")
    label = str(ui.get("ui:title") or prop.get("title") or code.replace("_", " ").capitalize())
    hint = ui.get("ui:help") or ui.get("ui:description") or prop.get("description")

    def make(datatype: str, value_type: str, values: tuple[Choice, ...] = ()) -> Attribute:
        return Attribute(code, datatype, value_type, required, label, order, hint, values)

    if kind == "array":
        values = _choices(items, {}) if isinstance(items, dict) else ()
        return make("multivaluelist", str(items.get("type", "string")) if isinstance(items, dict) else "string",
                    values) if values else None
    if kind not in (None, "string", "integer", "number", "boolean"):
        return None
    values = _choices(prop, ui)
    if values:
        return make("singlevaluelist", str(kind or "string"), values)
    if kind in ("integer", "number"):
        return make("number", kind)
    if prop.get("format") in ("date", "date-time") or ui.get("ui:widget") == "date":
        return make("datetime", "string")
    if ui.get("ui:widget") == "textarea" or (prop.get("maxLength") or 0) > LONG_TEXT:
        return make("text", "string")
    return make("string", "string")


def attributes_of(form: intake.Intake | None) -> tuple[Attribute, ...]:
    if form is None:
        return ()
    schema, ui = form.schema(), form.ui_schema()
    props: dict[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    order = [n for n in ui.get("ui:order", []) if n in props] + [n for n in props if n not in ui.get("ui:order", [])]
    def ui_of(name: str) -> dict[str, Any]:
        found = ui.get(name)
        return found if isinstance(found, dict) else {}

    found = (attribute(name, props[name] if isinstance(props[name], dict) else {}, ui_of(name), name in required,
                       i + 1) for i, name in enumerate(order))
    return tuple(a for a in found if a is not None)


def _service(published: publishing.PublishedService, form: intake.Intake | None = None,
             full: bool = False) -> Open311Service:
    assert published.open311_code is not None
    return Open311Service(published.open311_code, published.title, published.description, published.keywords,
                          published.process, attributes_of(form) if full else (), form)


def services(ctx: Context) -> list[Open311Service]:
    """Every service a partner may report, by title."""
    return [_service(p) for p in publishing.published(ctx, PublishChannel.OPEN311) if p.open311_code]


def service(ctx: Context, code: str) -> Open311Service:
    """One service with its attributes; ServiceCodeNotFound if no service has that code on Open311."""
    found = publishing.find_published(ctx, channel=PublishChannel.OPEN311, open311_code=code)
    if found is None:
        raise ServiceCodeNotFound(f"There is no service with service_code '{code}'")
    return _service(found, intake.intake(ctx, found.process), full=True)
