"""A task form's typeahead questions (SpiffArena's ``"ui:widget": "typeahead"``): suggestions from
the typeahead data stores of the case's service, and the item a typed answer names.

The category is read from the task's own UI schema, never from the person asking, so a page can
only look up what its form offers; and only someone who may work on the task may ask
(``TaskNotFound`` otherwise, as if it did not exist). See ``engine.bpmn.widgets`` for what is stored.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ..bpmn import data_stores, widgets
from ..context import Context
from ..errors import TaskNotFound
from ..people import permissions, users
from ..persistence.tables import Case, Task
from .cases import task_ui_schema

MAX_SUGGESTIONS = 20  # what a list under a text box can usefully show; typing more narrows it


@dataclass(frozen=True)
class Suggestion:
    term: str  # the store's search term
    text: str  # the item as the form's itemFormat shows it
    value: str  # what is stored: the item as JSON text


@dataclass(frozen=True)
class _Question:
    group: str
    category: str
    item_format: Any


def _question(session: Session, task_id: int, user_email: str, field: str) -> _Question:
    task = session.get(Task, task_id)
    case = session.get(Case, task.case_id) if task is not None else None
    user = users.get_user(session, user_email)
    if task is None or case is None or not permissions.may_work_on(session, user, task):
        raise TaskNotFound(f"There is no task {task_id}")
    ui = task_ui_schema(case, task)
    entry = ui.get(field) if isinstance(ui, dict) else None
    entry = entry if isinstance(entry, dict) else {}
    category = widgets.options(entry).get("category")
    if widgets.widget_of(entry) != widgets.TYPEAHEAD or not isinstance(category, str):
        raise TaskNotFound(f"Task {task_id} asks no typeahead question '{field}'")
    return _Question(case.service_key or case.process_key, category, widgets.options(entry).get("itemFormat"))


def _suggestion(question: _Question, term: str, result: Any) -> Suggestion:
    item = result if isinstance(result, dict) else {"value": result}
    return Suggestion(term, widgets.item_text(item, question.item_format), widgets.item_value(item))


def typeahead_suggestions(ctx: Context, task_id: int, user_email: str, field: str, prefix: str,
                          limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """The items of the question's category whose search term starts with ``prefix`` (ignoring case)."""
    with ctx.db.transaction(readonly=True) as session:
        question = _question(session, task_id, user_email, field)
        found = data_stores.typeahead_search(session, question.group, question.category, prefix.strip()[:200],
                                             limit=max(1, min(limit, MAX_SUGGESTIONS)))
        return [_suggestion(question, term, result) for term, result in found]


def typeahead_answer(ctx: Context, task_id: int, user_email: str, field: str, typed: str) -> str | None:
    """The stored answer for what was typed or picked: the item whose search term, or whose text as the
    form shows it, is ``typed`` (ignoring case); None when no item is."""
    typed = " ".join(typed.split())
    if not typed:
        return None
    with ctx.db.transaction(readonly=True) as session:
        question = _question(session, task_id, user_email, field)
        exact = data_stores.typeahead_search(session, question.group, question.category, typed[:200], exact=True, limit=1)
        candidates = exact or data_stores.typeahead_search(session, question.group, question.category,
                                                           limit=data_stores.MAX_ENTRIES)
        for term, result in candidates:
            found = _suggestion(question, term, result)
            if typed.lower() in (term.lower(), " ".join(found.text.split()).lower()):
                return found.value
    return None
