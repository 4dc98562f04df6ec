"""Between HTML forms and JSON: posted strings become typed answers (whole numbers, yes/no, lists,
ISO dates from three boxes) for JSON Schema validation, and saved answers become form values.

What was typed is kept as typed, so a page shown again after an error loses nothing. A date that
is not a real date is passed on as text that fails the schema's ``format: date``, so its message
comes from the form (``x-error-messages``) like every other message.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Protocol

from engine.bpmn import date_range, date_range_parts, item_text, number_from_text, number_text, stored_item

from . import address
from .components import Values
from .model import Field, Kind, flatten, form_value

DATE_PARTS = ("day", "month", "year")
_EMPTY = object()
Pick = Callable[[str, str], "str | None"]  # typeahead field, what was typed -> the stored item (None: no such item)


class FormData(Protocol):
    def get(self, key: str, default: str = "") -> str: ...
    def getlist(self, key: str) -> list[str]: ...


@dataclass
class Submission:
    data: dict[str, Any] = field(default_factory=dict)  # typed answers, for validation and the case
    values: Values = field(default_factory=dict)  # as typed, for showing the form again


def _iso(parts: Mapping[str, str]) -> str:
    day, month, year = (parts[p] for p in DATE_PARTS)
    if day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4:
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return f"{year}-{month}-{day}"  # not a date: fails format "date" with the form's own message


def _number(text: str, value_type: str) -> Any:
    cleaned = text.replace(",", "").replace(" ", "")
    try:
        return int(cleaned) if value_type == "integer" else float(cleaned)
    except ValueError:
        return text  # fails "type" with the form's own message


def _dates(f: Field, form: FormData) -> tuple[Any, Any]:
    typed = {end: {p: form.get(f"{f.name}-{end}-{p}", "").strip() for p in DATE_PARTS} for end in ("start", "end")}
    iso = {end: _iso(parts) if any(parts.values()) else "" for end, parts in typed.items()}
    stored = date_range(iso["start"], iso["end"])
    return typed, _EMPTY if stored is None else stored


def _range(f: Field, form: FormData) -> tuple[Any, Any]:
    typed = {end: form.get(f"{f.name}-{end}", "").strip() for end in ("min", "max")}
    inner = f.prop.get("properties") if isinstance(f.prop.get("properties"), dict) else {}
    numbers = {end: number_from_text(text, inner.get(end) or {"type": "number"}) for end, text in typed.items()}
    answer = {end: n for end, n in numbers.items() if n is not None}
    return typed, answer or _EMPTY


def _read_one(f: Field, form: FormData, find: address.Find | None, pick: Pick | None) -> tuple[Any, Any]:
    """(value as typed, typed answer or _EMPTY) for one field."""
    if f.kind is Kind.CONTENT:
        return "", _EMPTY
    if f.kind is Kind.DATE_RANGE:
        return _dates(f, form)
    if f.kind is Kind.NUMERIC_RANGE:
        return _range(f, form)
    if f.kind is Kind.TYPEAHEAD:  # what was typed stays, and fails the form's check, unless it names an item
        typed = " ".join(form.get(f.name, "").split())
        return {"text": typed}, ((pick(f.name, typed) if pick else None) or typed) if typed else _EMPTY
    if f.kind is Kind.FORMATTED_NUMBER:
        text = form.get(f.name, "").strip()
        number = number_from_text(text, f.prop, f.settings)
        return text, _EMPTY if number is None else number
    if f.kind is Kind.ADDRESS:
        value = address.read(f.name, form)
        answer = address.answer(value, find or (lambda uprn: {"uprn": uprn}))
        return value, _EMPTY if answer is None else answer
    if f.kind is Kind.CHECKBOXES:
        chosen = form.getlist(f.name)
        return chosen, [o.data if (o := f.option(v)) else v for v in chosen] if chosen else _EMPTY
    if f.kind is Kind.DATE:
        parts = {p: form.get(f"{f.name}-{p}", "").strip() for p in DATE_PARTS}
        return parts, _iso(parts) if any(parts.values()) else _EMPTY
    text = form.get(f.name, "").replace("\r\n", "\n").strip()  # browsers count a line break as 1
    if not text and f.kind is Kind.CHECKBOX and f.value_type == "boolean" and not (f.required or f.declaration):
        # As SpiffArena's forms submit it: a box left unticked is false, so maps can test it in conditions.
        return text, False
    if not text:
        return text, _EMPTY
    if f.kind is Kind.CHECKBOX:
        return text, True if text == "true" else text
    if f.options:
        option = f.option(text)
        return text, option.data if option else text
    if f.kind is Kind.NUMBER:
        return text, _number(text, f.value_type)
    return text, text


def _read(fields: list[Field], form: FormData, out: Submission, asked: bool, find: address.Find | None,
          pick: Pick | None = None) -> None:
    for f in fields:
        value, answer = _read_one(f, form, find, pick)
        out.values[f.name] = value
        if asked and answer is not _EMPTY:
            out.data[f.name] = answer
        for option, followers in f.reveals.items():
            # A follow-up hidden under another answer is not part of the submission.
            _read(followers, form, out, asked and value == option, find, pick)


def read(fields: list[Field], form: FormData, find: address.Find | None = None, pick: Pick | None = None) -> Submission:
    """The answers posted for these fields; ``find`` gives the gazetteer's address for a picked UPRN
    (without it, a picked address is kept as its UPRN alone), ``pick`` the typeahead item typed."""
    out = Submission()
    _read(fields, form, out, True, find, pick)
    return out


def _date_parts(value: Any) -> dict[str, str]:
    try:
        parsed = date.fromisoformat(str(value))
    except ValueError:
        return {}
    return {"day": str(parsed.day), "month": str(parsed.month), "year": str(parsed.year)}


def values_from(fields: list[Field], data: Mapping[str, Any]) -> Values:
    """Form values showing saved answers (to change them, or a form's defaults)."""
    values: Values = {}
    for f in flatten(fields):
        if f.name not in data or data[f.name] is None:
            continue
        answer = data[f.name]
        if f.kind is Kind.DATE:
            values[f.name] = _date_parts(answer)
        elif f.kind is Kind.ADDRESS:
            values[f.name] = address.value_of(answer)
        elif f.kind is Kind.CHECKBOXES:
            values[f.name] = [form_value(v) for v in answer] if isinstance(answer, list) else []
        elif f.kind is Kind.DATE_RANGE:
            values[f.name] = dict(zip(("start", "end"), (_date_parts(d) for d in date_range_parts(answer))))
        elif f.kind is Kind.NUMERIC_RANGE:
            values[f.name] = {end: form_value(answer.get(end)) for end in ("min", "max")} if isinstance(answer, dict) else {}
        elif f.kind is Kind.TYPEAHEAD:
            item = stored_item(answer)
            values[f.name] = {"text": item_text(item, f.settings.get("itemFormat")) if item else form_value(answer)}
        elif f.kind is Kind.FORMATTED_NUMBER and isinstance(answer, (int, float)) and not isinstance(answer, bool):
            values[f.name] = number_text(answer, f.settings)
        else:
            values[f.name] = form_value(answer)
    return values


def defaults(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema's ``default`` answers (Camunda's ``defaultValue`` arrives as these)."""
    return {name: prop["default"] for name, prop in schema.get("properties", {}).items() if "default" in prop}
