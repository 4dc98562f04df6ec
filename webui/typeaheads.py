"""A task form's typeahead questions (SpiffArena's ``"ui:widget": "typeahead"``) for pages: the item
a typed answer names, the suggestions shown under each box when the page is made, and the address
/static/typeahead.js asks for more as the person types (``tasks.suggestions``)."""
from __future__ import annotations

from flask import g, url_for

from engine import casework

from .current import context
from .forms.components import Values
from .forms.model import Field, Kind, flatten
from .forms.submission import Pick


def pick(task_id: int) -> Pick:
    """The stored item for what was typed in a typeahead box of task ``task_id`` (None: no item)."""
    return lambda field, typed: casework.typeahead_answer(context(), task_id, g.user.email, field, typed)


def with_suggestions(fields: list[Field], values: Values, task_id: int) -> Values:
    """``values`` with each typeahead box's suggestions for what it holds, and where to ask for more."""
    shown = dict(values)
    for f in flatten(fields):
        if f.kind is Kind.TYPEAHEAD:
            value = shown.get(f.name)
            text = str(value.get("text") or "") if isinstance(value, dict) else str(value or "")
            found = casework.typeahead_suggestions(context(), task_id, g.user.email, f.name, text)
            shown[f.name] = {"text": text, "suggestions": found,
                             "source": url_for("tasks.suggestions", task_id=task_id, field=f.name)}
    return shown
