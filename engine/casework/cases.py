"""Use cases on cases and tasks: start, claim, assign (one or many), complete, cancel, retry. One
transaction each (bulk assignment: one per task, so one refusal never undoes the others).

Every write goes through the case writer (``engine.casework.writer``): it locks the case row first, and the
row carries a version column, so two people acting on the same case at the same moment are
serialised: one succeeds, the other is told who got there first.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..appointments import appointment_booking
from ..bpmn import forms, registry
from ..clock import local_today
from ..context import Context
from ..errors import (AlreadyStarted, CaseNotFound, CaseNotOpen, Conflict, TaskAlreadyCompleted, StateUnreadable,
                     TaskClaimedByOther, UserError)
from ..people import notifications, permissions, users
from ..persistence.tables import Case, CaseStartKey, CaseState, Event, Task, Team
from ..types import CaseStatus, Channel, EventKind, TaskStatus
from . import casedata, writer
from .views import CaseDetail, CaseView, EventView, TaskView, case_reference, iso


def start_case(ctx: Context, process_key: str, data: dict[str, Any] | None = None,
               channel: Channel | str = Channel.PHONE, customer_id: int | None = None,
               actor: str | None = None, service: str | None = None, new_customer: dict[str, Any] | None = None,
               start_key: str | None = None, person: bool = True,
               then: Callable[[writer.CaseWriter], None] | None = None) -> CaseView:
    """Start a case of the process's current version and run it to its first wait. ``service`` is the
    directory entry the contact is about when it is not the process's own (a generic hand-off map).
    ``new_customer``: a customer recorded with the case, in one transaction. ``start_key``: a key only
    one case may be started with; AlreadyStarted (naming that case) for the second, however close.
    ``person=False``: ``actor`` names an organisation or a part of the system (``writer.new_case``).
    ``then``: more work on the new case in the same transaction, after its first save (its intake form
    answered, ``engine.residents.intake``)."""
    if data is not None and not isinstance(data, dict):
        raise UserError("Case data must be a JSON object")
    casedata.check_bounds(data, "case data")
    if start_key is not None:
        _refuse_started(ctx, start_key)
    try:
        with writer.new_case(ctx, process_key, data or {}, as_channel(channel), customer_id, actor, service,
                             new_customer=new_customer, start_key=start_key, person=person) as w:
            w.step(ctx.runtime.advance)
            w.save()
            if then is not None:
                then(w)
            return w.view()
    except IntegrityError:
        if start_key is not None:  # started at the same moment by the other one
            _refuse_started(ctx, start_key)
        raise


def _refuse_started(ctx: Context, start_key: str) -> None:
    with ctx.db.transaction(readonly=True) as session:
        reference = session.scalar(select(Case.reference).join(CaseStartKey, CaseStartKey.case_id == Case.id)
                                   .where(CaseStartKey.key == start_key))
    if reference is not None:
        raise AlreadyStarted(reference)


def as_channel(channel: Channel | str) -> Channel:
    try:
        return Channel(channel)
    except ValueError:
        raise UserError(f"'{channel}' is not a channel; use one of: {', '.join(c.value for c in Channel)}") from None


def state_problem(ctx: Context, session: Session, case: Case) -> str | None:
    """Why an open or failed case's saved state cannot be loaded (None: it loads, or the case is closed)."""
    if case.status not in (CaseStatus.OPEN, CaseStatus.FAILED):
        return None
    state = session.get(CaseState, case.id)
    if state is None:
        return "This case has no saved state"
    try:
        ctx.runtime.load(registry.loaded_spec(ctx, case.version), state.state, state.serializer_version)
    except StateUnreadable as err:
        return f"This case's {err.message.removeprefix('its ')}"
    return None


def require_open(task: Task) -> None:
    if task.status == TaskStatus.HANDED_BACK:
        raise Conflict(f"Task {task.id} ({task.name}) was handed back to the front office with a question; "
                       f"it can be worked on again once the question is answered")
    if task.status == TaskStatus.COMPLETED:
        raise TaskAlreadyCompleted(f"Task {task.id} ({task.name}) was already completed by "
                                   f"{task.completed_by or 'someone else'}")
    if task.status != TaskStatus.OPEN:
        raise TaskAlreadyCompleted(f"Task {task.id} ({task.name}) is no longer open ({task.status})")


def claim_task(ctx: Context, task_id: int, user_email: str) -> TaskView:
    return assign_task(ctx, task_id, user_email, actor=user_email, claim=True)


def assign_task(ctx: Context, task_id: int, assignee: str | None, actor: str | None = None,
                claim: bool = False) -> TaskView:
    """Give the task to ``assignee`` (None: back to the team's queue)."""
    with writer.open_case(ctx, task_id=task_id, actor=actor) as w:
        task = w.task
        assert task is not None
        require_open(task)
        target = users.find_user(w.session, assignee) if assignee else None
        permissions.require_may_assign(w.session, w.user, task, assignee or None, target)  # the one rule
        if claim and task.assignee_id not in (None, target.id if target else None):
            raise TaskClaimedByOther(f"Task {task.id} is already claimed by {permissions.claimant(task)}")
        previous = task.assignee.email if task.assignee else None
        task.assignee_id = target.id if target else None
        kind = EventKind.TASK_CLAIMED if claim else (
            EventKind.TASK_ASSIGNED if target else EventKind.TASK_UNCLAIMED)
        w.record(kind, task, task_name=task.name, previous=previous, assignee=target.email if target else None)
        if target is not None and w.user is not None and not claim and previous != target.email:
            # Someone else gave it to them (a lead, an admin): tell them; taking it oneself is no news.
            notifications.notify(w.session, [target], f"{w.user.name} assigned you {task.name} on {w.case.reference}",
                                 w.now, w.case, task, actor=w.user)
        w.session.flush()
        w.session.refresh(task)
        return TaskView.of(task, w.case.reference or "")


def unclaim_task(ctx: Context, task_id: int, actor: str | None = None) -> TaskView:
    return assign_task(ctx, task_id, None, actor=actor)


@dataclass
class BulkAssignment:
    """What a bulk assignment did: the tasks assigned, and each refused task with the reason."""

    assigned: list[TaskView] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


MAX_BULK = 200


def bulk_assign(ctx: Context, task_ids: list[int], assignee: str, actor: str | None = None) -> BulkAssignment:
    """Give several tasks to one colleague. Each task is checked and assigned on its own (its own
    transaction and case lock, in id order), so a task someone else just completed, or one outside
    the assignee's teams, is reported in ``refused`` without undoing the others. A task the actor may
    not see is refused as one that does not exist."""
    wanted = sorted(set(task_ids))
    if not wanted:
        raise UserError("Select at least one task to assign")
    if len(wanted) > MAX_BULK:
        raise UserError(f"Assign at most {MAX_BULK} tasks at a time")
    # An unknown assignee is refused task by task, in the words used for anyone outside the team.
    result = BulkAssignment()
    for task_id in wanted:
        try:
            result.assigned.append(assign_task(ctx, task_id, assignee, actor=actor))
        except UserError as err:
            result.refused[task_id] = err.message
    return result


def task_ui_schema(case: Case, task: Task) -> Any:
    """The task's UI schema as stored with its version (None if it has none, or it is not JSON)."""
    name = case.version.user_tasks.get(task.bpmn_id, {}).get("form_ui_schema")
    text = case.version.files.get(name) if name else None
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def task_schema(ctx: Context, session: Session, case: Case, task: Task) -> dict[str, Any] | None:
    if not task.form:
        return None
    text = case.version.files.get(task.form)
    return forms.with_task_data(forms.load_schema(text, case.version.files.get, task.form), case.data) if text else None


def complete_task(ctx: Context, task_id: int, data: dict[str, Any] | None = None,
                  actor: str | None = None) -> CaseView:
    if data is not None and not isinstance(data, dict):
        raise UserError("Task data must be a JSON object")
    data = data or {}
    casedata.check_bounds(data, "task data")
    with writer.open_case(ctx, task_id=task_id, actor=actor) as w:
        case, task, who = w.case, w.task, w.user
        assert task is not None
        require_open(task)
        permissions.require_team_member(w.session, who, task)
        if who is not None and task.assignee_id not in (None, who.id):
            raise TaskClaimedByOther(f"Task {task.id} is claimed by {permissions.claimant(task)}; "
                                     f"ask them or a team lead to reassign it")
        finish_task(w, task, data)
        return w.view()


def finish_task(w: writer.CaseWriter, task: Task, data: dict[str, Any]) -> None:
    """Complete ``task`` of the case ``w`` holds with ``data``, checked against its form (FormInvalid),
    and save: ``complete_task`` once the person may, and a case's intake form answered as it starts."""
    ctx, case = w.ctx, w.case
    schema = task_schema(ctx, w.session, case, task)
    casedata.check_task_fields(task.name, schema, data, case.version.files.get)  # before the form: its fields only
    forms.validate(schema, data, case.version.files.get, task_ui_schema(case, task), local_today(ctx.clock))
    data = appointment_booking.book_answers(w, schema, data)  # a slot picked on the form is booked with the task
    if schema is not None and (task.form or "").endswith(forms.CAMUNDA_SUFFIX):
        # Camunda's Tasklist submits unanswered fields as null; maps rely on that.
        data = {**{name: None for name in schema.get("properties", {})}, **data}
    w.workflow()  # an unreadable case is refused before the task is marked done
    w.projector.finish_task(task, data)
    w.step(lambda workflow: ctx.runtime.complete(workflow, task.spiff_id, data))
    w.save()


def cancel_case(ctx: Context, reference: str, actor: str | None = None, reason: str = "") -> CaseView:
    with writer.open_case(ctx, reference=reference, actor=actor) as w:
        if w.case.status in (CaseStatus.COMPLETED, CaseStatus.CANCELLED):
            raise CaseNotOpen(f"Case {reference} is already {w.case.status}")
        appointment_booking.release_for_cancelled_case(w, reason)
        try:
            w.load()
        except StateUnreadable as err:
            # Nothing can be stepped: close what people see, and keep the state as it is for the
            # investigation. A case that cannot be loaded must still be closable.
            w.projector.cancel_unreadable(reason, f"The case's {err.message.removeprefix('its ')}")
            return CaseView.of(w.case, [])
        w.step(ctx.runtime.cancel)
        w.save(cancelled=True, reason=reason)
        return CaseView.of(w.case, [])


def retry_case(ctx: Context, reference: str, actor: str | None = None) -> CaseView:
    """Run a failed case's failed step again (after the cause, e.g. an adapter, was fixed)."""
    with writer.open_case(ctx, reference=reference, actor=actor) as w:
        if w.case.status != CaseStatus.FAILED:
            raise CaseNotOpen(f"Case {reference} has not failed (it is {w.case.status})")
        w.workflow()
        w.record(EventKind.CASE_RETRIED, previous_error=w.case.error)
        w.step(ctx.runtime.retry)
        w.save()
        return w.view()


def show_case(ctx: Context, reference: str) -> CaseDetail:
    with ctx.db.transaction(readonly=True) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        if case is None:
            raise CaseNotFound(f"There is no case {reference}")
        events = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id))
        open_tasks = session.scalars(select(Task).where(Task.case_id == case.id, Task.status.in_(writer.OUTSTANDING))
                                     .order_by(Task.id))
        return CaseDetail(CaseView.of(case, list(open_tasks)), case.data,
                          [EventView.of(e) for e in events], iso(case.created_at), iso(case.completed_at),
                          state_problem(ctx, session, case))


def list_tasks(ctx: Context, team: str | None = None, case: str | None = None,
               assignee: str | None = None, status: TaskStatus = TaskStatus.OPEN,
               limit: int = 500, offset: int = 0) -> list[TaskView]:
    with ctx.db.transaction(readonly=True) as session:
        query = select(Task, Case.reference).join(Case, Case.id == Task.case_id).where(Task.status == status)
        if team is not None:
            team_row = session.scalar(select(Team).where(Team.name == team))
            if team_row is None:
                raise UserError(f"There is no team called '{team}'")
            query = query.where(Task.team_id == team_row.id)
        if case is not None:
            query = query.where(Case.reference == case)
        if assignee is not None:
            query = query.where(Task.assignee_id == users.get_user(session, assignee).id)
        query = query.order_by(Task.created_at, Task.id).limit(limit).offset(offset)
        return [TaskView.of(task, case_reference(ref)) for task, ref in session.execute(query)]
