"""One form, as a page needs it: fields from the schema, posted answers read and validated with
the engine's rules (the same the REST API and the CLI apply), and what the template renders."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine import bpmn
from engine.bpmn import Library, with_properties_followed

from .answers import Answer, answers
from .components import Component, Errors, Values, components, error_list
from .model import Field, fields_for, flatten
from .address import Find
from .submission import FormData, Pick, Submission, defaults, read, values_from


@dataclass
class Form:
    schema: dict[str, Any]
    ui_schema: dict[str, Any] | None = None
    library: Library | None = None  # the forms its $refs may point into (the process version's files)
    fields: list[Field] = field(init=False)
    shown: dict[str, Any] = field(init=False)  # the schema with properties defined by $ref followed

    def __post_init__(self) -> None:
        self.shown = with_properties_followed(self.schema, self.library)
        self.fields = fields_for(self.shown, self.ui_schema)

    @classmethod
    def from_texts(cls, schema: str, ui_schema: str | None = None, library: Library | None = None,
                   name: str = "the form", data: dict[str, Any] | None = None) -> "Form":
        """``data``: the case's, for options a SpiffArena form takes from it (engine.bpmn.forms.with_task_data)."""
        loaded = bpmn.load_schema(schema, library, name)
        return cls(loaded if data is None else bpmn.with_task_data(loaded, data),
                   json.loads(ui_schema) if ui_schema else None, library)

    @property
    def title(self) -> str:
        return str(self.schema.get("title") or "Form")

    def read(self, posted: FormData, find: Find | None = None, pick: Pick | None = None) -> Submission:
        return read(self.fields, posted, find, pick)

    def errors(self, data: dict[str, Any], today: date | None = None) -> Errors:
        """``today``: the UK day a SpiffArena ``minimumDate``/``maximumDate`` of "today" means."""
        return bpmn.errors_for(self.schema, data, self.library, self.ui_schema, today)

    def values(self, data: dict[str, Any] | None = None) -> Values:
        """Form values for saved answers (None: the form's defaults)."""
        return values_from(self.fields, defaults(self.shown) if data is None else data)

    def first_values(self, case_data: dict[str, Any], prefill: bool = False) -> Values:
        """What a task page shows before anything is typed: the form's defaults, and, when its UI schema
        says ``"ui:options": {"prefill": true}``, the case's answers to its fields already given (a
        councillor's enquiry that Member Services log, docs/councillors.md); opt-in, so no other form
        shows an earlier pass's answers as if they were this one's (``prefill``: the caller opts in)."""
        prefill = prefill or bool(((self.ui_schema or {}).get("ui:options") or {}).get("prefill"))
        given = {f.name: case_data[f.name] for f in flatten(self.fields) if prefill and case_data.get(f.name) not in (None, "")}
        return values_from(self.fields, {**defaults(self.shown), **given})

    def view(self, values: Values, errors: Errors | None = None) -> dict[str, Any]:
        """Template context: the components and, on error, the error summary's list."""
        errors = errors or {}
        rendered: list[Component] = components(self.fields, values, errors)
        return {"components": rendered, "error_list": error_list(self.fields, errors)}

    def answers(self, data: dict[str, Any], answered_only: bool = False) -> list[Answer]:
        return answers(self.fields, data, answered_only)
