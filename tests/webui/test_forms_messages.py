"""Validation messages are plain English in the GOV.UK style ("Enter the date of the missed
collection", never "'x' is a required property"), from the form's own x-error-messages first."""
from __future__ import annotations

import json
import re

import pytest

from engine.bpmn.forms import errors_for
from tests.conftest import FORMS

SHIPPED = sorted(FORMS.glob("*-schema.json"))
TECHNICAL = re.compile(r"is a required property|is not valid under|is not of type|is too (short|long)|"
                       r"does not match|\[\]|\{|'[a-z_]+'|[a-z]_[a-z]")


def messages(prop: dict, value=None, required: bool = False) -> str:
    schema = {"type": "object", "properties": {"when": prop}, "required": ["when"] if required else []}
    return errors_for(schema, {} if value is None else {"when": value})["when"]


@pytest.mark.parametrize("prop,value,expected", [
    ({"type": "string", "title": "The date of the missed collection"}, None, "Enter the date of the missed collection"),
    ({"type": "string", "title": "Which bin was missed?", "enum": ["a"]}, None, "Select which bin was missed"),
    ({"type": "array", "title": "What was dumped?", "items": {"enum": ["a"]}}, None, "Select what was dumped"),
    ({"type": "string", "title": "Colour", "enum": ["red"]}, "blue", "Select colour from the list"),
    ({"type": "string", "format": "date", "title": "Date missed"}, "2025-02-30", "Date missed must be a real date"),
    ({"type": "string", "format": "email", "title": "Email"}, "nope",
     "Enter an email address in the correct format, like name@example.com"),
    ({"type": "integer", "title": "How many adults?"}, "two", "How many adults must be a whole number"),
    ({"type": "integer", "title": "Depth", "minimum": 0, "maximum": 500}, 900, "Depth must be between 0 and 500"),
    ({"type": "integer", "title": "Nights", "minimum": 1}, 0, "Nights must be 1 or more"),
    ({"type": "string", "title": "Notes", "maxLength": 3}, "long", "Notes must be 3 characters or fewer"),
    ({"type": "string", "title": "NI number", "pattern": "^[A-Z]+$"}, "1", "Enter NI number in the correct format"),
    ({"type": "array", "title": "Evidence", "minItems": 2, "items": {}}, ["a"],
     "Select at least 2 options for evidence"),
    ({"type": "boolean", "title": "the resident agrees", "const": True}, False, "Confirm that the resident agrees"),
])
def test_default_messages_are_plain_english(prop, value, expected):
    assert messages(prop, value, required=value is None) == expected


def test_the_forms_own_messages_win_per_keyword():
    prop = {"type": "string", "format": "date", "title": "Date",
            "x-error-messages": {"required": "Enter the date of the missed collection",
                                 "format": "Date of the missed collection must be a real date"}}
    assert messages(prop, required=True) == "Enter the date of the missed collection"
    assert messages(prop, "31/02/2025") == "Date of the missed collection must be a real date"


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_every_shipped_form_explains_what_is_missing_in_plain_english(path):
    schema = json.loads(path.read_text())
    wrong = {name: ("x" * (prop["maxLength"] + 1) if "maxLength" in prop else 10 ** 6 if "maximum" in prop
                    else "not-a-date" if prop.get("format") == "date" else None)
             for name, prop in schema["properties"].items()}
    for data in ({}, {k: v for k, v in wrong.items() if v is not None}):
        for field, message in errors_for(schema, data).items():
            assert not TECHNICAL.search(message), f"{field}: {message}"
            assert message[0].isupper() and not message.endswith("."), message
