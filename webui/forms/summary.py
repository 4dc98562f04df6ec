"""A case's data as people read it: what each form the case went through captured, under the form's
title, with its questions and option titles ("Where was the bin left? At the kerb or edge of the
property", not "bin_location: kerbside"); and, apart, everything no form asked (notification ids,
statuses, back-office systems' answers), which staff rarely need and which is shown folded away.

Which data a person entered is known only from the forms, so the split is made here, beside the
form model, for the case page and the task page's "Case so far" alike. The API keeps the raw data.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.casework import FormTexts

from .form import Form
from .model import flatten

# Who the case is for, as recorded when it started (from the customer record or the start data).
RESIDENT = {"customer_name": "Name", "address": "Address", "postcode": "Postcode",
            "customer_phone": "Phone", "customer_email": "Email"}
INTERNAL_KEYS = {"case_reference"}  # data the engine adds for maps, shown elsewhere on the page
SHOWN_DEPTH = 4  # nested values shown; deeper ones (never entered by a form) are elided
Row = dict[str, Any]  # a govukSummaryList row


@dataclass
class Card:
    title: str
    rows: list[Row]


@dataclass
class CaseData:
    cards: list[Card] = field(default_factory=list)  # the resident, then each form's answers
    technical: list[Row] = field(default_factory=list)  # what no form asked, by key


def plain(value: Any, depth: int = 0) -> str:
    """A value no form describes, as text: Yes/No, lists and objects on one line, rear_lane as rear lane."""
    if isinstance(value, (list, dict)) and depth >= SHOWN_DEPTH:
        return "…"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {plain(v, depth + 1)}" for k, v in value.items())
    text = str(value)
    return text.replace("_", " ") if isinstance(value, str) and " " not in text else text


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def read_case(data: Mapping[str, Any], forms: Sequence[FormTexts]) -> CaseData:
    """The resident's details, each form's answers (only the questions answered) and the rest of ``data``."""
    result = CaseData()
    captured = set(RESIDENT) | INTERNAL_KEYS
    resident = [{"key": {"text": label}, "value": {"text": str(data[key])}}
                for key, label in RESIDENT.items() if not _empty(data.get(key))]
    if resident:
        result.cards.append(Card("Resident", resident))
    for texts in forms:
        if not texts.schema:
            continue
        form = Form.from_texts(texts.schema, texts.ui_schema, texts.files.get, texts.name)
        captured.update(f.name for f in flatten(form.fields))
        rows = [a.row() for a in form.answers(dict(data), True)]
        if rows:
            result.cards.append(Card(texts.title, rows))
    result.technical = [{"key": {"text": key.replace("_", " ").capitalize()}, "value": {"text": plain(value)}}
                        for key, value in sorted(data.items())
                        if key not in captured and not key.startswith("_") and not _empty(value)]
    return result
