"""Read side of working on a task through its form: the task, its case's data, the form texts
(JSON Schema + UI schema, or the schema generated from Camunda ``formField``s), the instructions
for the person doing it, and the forms of the case's earlier tasks (for the summary of answers).

Forms are returned as the texts stored with the process version the case runs on, so a case
keeps the form it started with after a new version is deployed.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..bpmn import dialects, form_keys, registry, xmlsafe
from ..context import Context
from ..errors import CaseNotFound, TaskNotFound
from ..people import permissions, users
from ..persistence.tables import Case, Task
from ..types import TaskStatus
from .views import TaskView, case_reference


@dataclass
class FormTexts:
    """A task's form as stored: title (the task's name), schema text and UI schema text, and the
    files stored with the process version (where the schema's ``$ref``s to other forms resolve)."""

    title: str
    schema: str | None
    ui_schema: str | None
    files: Mapping[str, str] = field(default_factory=dict)
    name: str = "the form"  # the schema's file name


@dataclass
class TaskForm:
    task: TaskView
    case_status: str
    data: dict[str, Any]
    form: FormTexts
    instructions: str | None
    may_work: bool  # whether the person asking is in the task's team (or an admin)
    earlier: list[FormTexts] = field(default_factory=list)  # completed tasks' forms, oldest first
    channel: str = ""  # how the case came in (types.Channel): a web case's form starts from the resident's answers


def _texts(case: Case, task: Task) -> FormTexts:
    meta = case.version.user_tasks.get(task.bpmn_id, {})
    files = case.version.files
    ui_name = meta.get("form_ui_schema")
    return FormTexts(task.name, files.get(task.form) if task.form else None,
                     files.get(ui_name) if ui_name else None, files, task.form or "the form")


def _earlier(session: Session, case: Case) -> list[FormTexts]:
    done = session.scalars(select(Task).where(Task.case_id == case.id, Task.status == TaskStatus.COMPLETED,
                                              Task.form.is_not(None))
                           .order_by(Task.completed_at, Task.id))
    latest: dict[str, FormTexts] = {}
    for task in done:  # a task done again (a loop) is shown once, where it was last done
        assert task.form is not None, "the query asks only for tasks with a form"
        latest.pop(task.form, None)
        latest[task.form] = _texts(case, task)
    return list(latest.values())


def get_task_form(ctx: Context, task_id: int, user_email: str) -> TaskForm:
    """Everything needed to show task ``task_id`` to ``user_email``; raises TaskNotFound."""
    with ctx.db.transaction(readonly=True) as session:
        task = session.get(Task, task_id)
        if task is None:
            raise TaskNotFound(f"There is no task {task_id}")
        case = session.get_one(Case, task.case_id)
        user = users.get_user(session, user_email)
        if not permissions.may_see_case(session, user, case):
            raise TaskNotFound(f"There is no task {task_id}")  # as if it did not exist: no reference leaks
        meta = case.version.user_tasks.get(task.bpmn_id, {})
        return TaskForm(TaskView.of(task, case.reference or ""), case.status, dict(case.data or {}),
                        _texts(case, task), meta.get("instructions"),
                        permissions.may_work_on(session, user, task), _earlier(session, case), case.channel)


def case_forms(ctx: Context, reference: str) -> list[FormTexts]:
    """The forms of the tasks case ``reference`` went through, each once where it was last done, oldest
    first: which of its data a person entered, and the questions and option titles to show it with
    (everything else in its data was put there by the system). Raises CaseNotFound; whether the person
    asking may see the case is the caller's check, made before (``queries.case_header``)."""
    with ctx.db.transaction(readonly=True) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        if case is None:
            raise CaseNotFound(f"There is no case {reference}")
        return _earlier(session, case)


def next_task(ctx: Context, reference: str, user_email: str) -> TaskView | None:
    """The case's first open task that ``user_email`` may work on and nobody else has claimed."""
    with ctx.db.transaction(readonly=True) as session:
        user = users.get_user(session, user_email)
        rows = session.execute(select(Task, Case.reference).join(Case, Case.id == Task.case_id)
                               .where(Case.reference == reference, Task.status == TaskStatus.OPEN)
                               .order_by(Task.id))
        for task, ref in rows:
            if task.assignee_id in (None, user.id) and permissions.may_work_on(session, user, task):
                return TaskView.of(task, case_reference(ref))
        return None


def version_forms(ctx: Context, key: str, version: int) -> dict[str, FormTexts]:
    """The forms of a deployed version, by the BPMN id of the task that shows each, as stored with it
    (so analysts can preview forms they uploaded in the browser, which never reach the forms folder);
    ProcessNotFound if there is no such version."""
    with ctx.db.transaction(readonly=True) as session:
        row = registry.get_version(session, key, version)
        files = dict(row.files)
        forms = {}
        for bpmn_id, meta in row.user_tasks.items():
            name, ui_name = meta.get("form"), meta.get("form_ui_schema")
            if name and name in files:
                forms[bpmn_id] = FormTexts(meta.get("name") or bpmn_id, files[name],
                                           files.get(ui_name) if ui_name else None, files, name)
        return forms


def start_form(ctx: Context, key: str) -> FormTexts | None:
    """The form the current version of ``key`` asks for before a case starts (its start event's
    ``formJsonSchemaFilename``), as stored with that version; None if it names none."""
    with ctx.db.transaction(readonly=True) as session:
        row = registry.get_version(session, key)
        files = dict(row.files)
    for text in (t for n, t in files.items() if n.lower().endswith(".bpmn") and f'id="{key}"' in t):
        root, _ = xmlsafe.parse_xml(key, text.encode())
        schema, ui = dialects.start_form(root, key) if root is not None else (None, None)
        if root is not None and dialects.start_camunda_form(root, key):  # kept as bundle generated it
            schema, ui = f"start{form_keys.SUFFIX}", f"start{form_keys.UI_SUFFIX}"
        if schema and schema in files:
            return FormTexts(row.name, files[schema], files.get(ui) if ui else None, files, schema)
    return None
