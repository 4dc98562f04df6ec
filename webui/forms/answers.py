"""Answers as people read them: option titles instead of codes, "27 March 2025" instead of
ISO dates, Yes/No, one line per chosen item. Used by "Check your answers" and by the summary
of a case's earlier answers."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from markupsafe import Markup, escape

from engine.bpmn import date_range_parts, item_text, number_text, stored_item

from . import address
from .model import Field, Kind, form_value

NOT_ANSWERED = "Not answered"


@dataclass
class Answer:
    field: Field
    text: Markup  # safe HTML: escaped, line breaks kept

    def row(self) -> dict[str, Any]:
        """A govukSummaryList row."""
        return {"key": {"text": self.field.label}, "value": {"html": self.text}}


def _lines(items: list[str]) -> Markup:
    return Markup("<br>").join(escape(item) for item in items)


def _label(f: Field, value: Any) -> str:
    option = f.option(form_value(value))
    return option.label if option else form_value(value)


def _date(value: Any) -> str:
    try:
        parsed = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{parsed.day} {parsed:%B %Y}"


def readable(f: Field, value: Any) -> Markup:
    """One saved answer as text for people."""
    if value is None or value == "" or value == []:
        return Markup(NOT_ANSWERED)
    if f.kind is Kind.ADDRESS:
        return _lines(address.readable(value))
    if f.kind is Kind.CHECKBOXES and isinstance(value, list):
        return _lines([_label(f, v) for v in value])
    if f.kind is Kind.CHECKBOX:
        return Markup("Yes") if value is True else escape(form_value(value))
    if f.kind is Kind.DATE:
        return escape(_date(value))
    if f.kind is Kind.DATE_RANGE:
        return escape(" to ".join(_date(d) if d else "…" for d in date_range_parts(value)))
    if f.kind is Kind.NUMERIC_RANGE and isinstance(value, dict):
        return escape(" to ".join(number_text(value.get(end)) or "…" for end in ("min", "max")))
    if f.kind is Kind.FORMATTED_NUMBER:
        return escape(number_text(value, f.settings, str(f.settings.get("prefix") or "")))
    if f.kind is Kind.TYPEAHEAD:
        item = stored_item(value)
        return escape(item_text(item, f.settings.get("itemFormat")) if item else str(value))
    if f.options:
        return escape(_label(f, value))
    return _lines(str(value).split("\n"))


def asked(fields: list[Field], data: Mapping[str, Any]) -> Iterator[Field]:
    """The fields that were asked, in page order: follow-ups only under the answer given."""
    for f in fields:
        if f.kind is Kind.CONTENT:  # text shown on the form, not a question
            continue
        yield f
        for option, followers in f.reveals.items():
            if form_value(data.get(f.name)) == option:
                yield from asked(followers, data)


def answers(fields: list[Field], data: Mapping[str, Any], answered_only: bool = False) -> list[Answer]:
    """Every question asked with its answer ("Not answered" for skipped optional ones)."""
    return [Answer(f, readable(f, data.get(f.name))) for f in asked(fields, data)
            if not answered_only or data.get(f.name) not in (None, "", [])]
