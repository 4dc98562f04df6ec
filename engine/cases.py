"""Use cases on cases and tasks: start, claim, assign (one or many), complete, cancel, retry. One
transaction each (bulk assignment: one per task, so one refusal never undoes the others).

Every write locks the case row first (``FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite)
and the case row carries a version column, so two people acting on the same case at the same
moment are serialised: one succeeds, the other is told who got there first.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import casedata, forms, permissions, registry, users
from .context import Context
from .errors import (CaseNotFound, CaseNotOpen, ConcurrentUpdate, Conflict, TaskAlreadyCompleted,
                     StateUnreadable, TaskClaimedByOther, TaskNotFound, UserError)
from .persistence.tables import Case, CaseState, Customer, Event, Task, Team, User
from .projection import Projector
from .runtime import LoadedSpec, StepFailure
from .types import CaseStatus, Channel, EventKind, TaskStatus
from .views import CaseDetail, CaseView, EventView, TaskView, iso


def actor_user(session: Session, email: str | None) -> User | None:
    """The user acting (None: the system itself)."""
    return users.get_user(session, email) if email else None


def actor_name(user: User | None) -> str:
    return user.email if user is not None else users.SYSTEM_ACTOR


# Tasks a case still owes: open ones, and ones handed back to the front office with a question.
OUTSTANDING = (TaskStatus.OPEN, TaskStatus.HANDED_BACK)


def _open_tasks(session: Session, case: Case) -> list[Task]:
    return list(session.scalars(select(Task).where(Task.case_id == case.id, Task.status.in_(OUTSTANDING))
                                .order_by(Task.id)))


def _customer_data(session: Session, customer_id: int | None) -> dict[str, Any]:
    if customer_id is None:
        return {}
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise UserError(f"There is no customer with id {customer_id}")
    return {"customer_name": customer.name, "customer_email": customer.email,
            "customer_phone": customer.phone, "address": customer.address, "postcode": customer.postcode}


def start_case(ctx: Context, process_key: str, data: dict[str, Any] | None = None,
               channel: Channel | str = Channel.PHONE, customer_id: int | None = None,
               actor: str | None = None) -> CaseView:
    try:
        channel = Channel(channel)
    except ValueError:
        raise UserError(f"'{channel}' is not a channel; use one of: {', '.join(c.value for c in Channel)}") from None
    if data is not None and not isinstance(data, dict):
        raise UserError("Case data must be a JSON object")
    casedata.check_bounds(data, "case data")
    with ctx.db.transaction() as session:
        user = actor_user(session, actor)
        version = registry.get_version(session, process_key)
        loaded = registry.loaded_spec(ctx, version)
        initial = {**_customer_data(session, customer_id), **(data or {})}
        now = ctx.clock.now()
        case = Case(process_version_id=version.id, process_key=version.process_key, status=CaseStatus.OPEN,
                    channel=channel, customer_id=customer_id, data=initial, created_by=actor_name(user),
                    created_at=now, updated_at=now)
        session.add(case)
        session.flush()
        case.reference = f"CF-{case.id:06d}"
        # Maps quote the reference to residents and back offices (Notify, Open311, EDRMS).
        initial = {**initial, "case_reference": case.reference}
        session.add(Event(case_id=case.id, actor=actor_name(user), at=now, kind=EventKind.CASE_STARTED,
                          detail={"process": version.process_key, "version": version.version,
                                  "channel": channel.value, "data": initial}))
        workflow = ctx.runtime.new(loaded, initial)
        projector = Projector(ctx, session, case, loaded, actor_name(user))
        failure = _run(lambda: ctx.runtime.advance(workflow))
        projector.save(workflow, failure, state_row=None)
        return CaseView.of(case, _open_tasks(session, case))


def load_workflow(ctx: Context, case: Case, loaded: LoadedSpec, state: CaseState) -> Any:
    """The case's saved workflow, or StateUnreadable naming the case and what can still be done."""
    try:
        return ctx.runtime.load(loaded, state.state)
    except StateUnreadable as err:
        raise StateUnreadable(f"Case {case.reference} cannot be worked on: {err.message}. It can still be "
                              f"shown and cancelled; report it as an incident") from err


def state_problem(ctx: Context, session: Session, case: Case) -> str | None:
    """Why an open or failed case's saved state cannot be loaded (None: it loads, or the case is closed)."""
    if case.status not in (CaseStatus.OPEN, CaseStatus.FAILED):
        return None
    state = session.get(CaseState, case.id)
    if state is None:
        return "This case has no saved state"
    try:
        ctx.runtime.load(registry.loaded_spec(ctx, case.version), state.state)
    except StateUnreadable as err:
        return f"This case's {err.message.removeprefix('its ')}"
    return None


def _run(step) -> StepFailure | None:  # type: ignore[no-untyped-def]
    try:
        step()
    except StepFailure as failure:
        return failure
    return None


def lock_case_of_task(session: Session, task_id: int) -> tuple[Case, Task]:
    """Lock the task's case row (every writer of a case does, case first) and read the task again
    after the lock, so a change someone made a moment ago is seen."""
    case_id = session.scalar(select(Task.case_id).where(Task.id == task_id))
    if case_id is None:
        raise TaskNotFound(f"There is no task {task_id}")
    case = session.get_one(Case, case_id, with_for_update=True, populate_existing=True)
    task = session.get_one(Task, task_id, populate_existing=True)
    return case, task


def require_open(task: Task) -> None:
    if task.status == TaskStatus.HANDED_BACK:
        raise Conflict(f"Task {task.id} ({task.name}) was handed back to the front office with a question; "
                       f"it can be worked on again once the question is answered")
    if task.status == TaskStatus.COMPLETED:
        raise TaskAlreadyCompleted(f"Task {task.id} ({task.name}) was already completed by "
                                   f"{task.completed_by or 'someone else'}")
    if task.status != TaskStatus.OPEN:
        raise TaskAlreadyCompleted(f"Task {task.id} ({task.name}) is no longer open ({task.status})")


def record_event(session: Session, case: Case, actor: str, kind: EventKind, task: Task | None = None,
                 **detail: Any) -> None:
    """Add an event to the case's history, dated ``case.updated_at`` (set it first)."""
    session.add(Event(case_id=case.id, task_id=task.id if task else None, actor=actor,
                      at=case.updated_at, kind=kind, detail=detail))


def claim_task(ctx: Context, task_id: int, user_email: str) -> TaskView:
    return assign_task(ctx, task_id, user_email, actor=user_email, claim=True)


def assign_task(ctx: Context, task_id: int, assignee: str | None, actor: str | None = None,
                claim: bool = False) -> TaskView:
    """Give the task to ``assignee`` (None: back to the team's queue)."""
    with ctx.db.transaction() as session:
        case, task = lock_case_of_task(session, task_id)
        require_open(task)
        who = actor_user(session, actor)
        target = users.find_user(session, assignee) if assignee else None
        permissions.require_may_assign(session, who, task, assignee or None, target)  # the one rule
        if claim and task.assignee_id not in (None, target.id if target else None):
            raise TaskClaimedByOther(f"Task {task.id} is already claimed by {task.assignee.email}")
        previous = task.assignee.email if task.assignee else None
        task.assignee_id = target.id if target else None
        case.updated_at = ctx.clock.now()
        kind = EventKind.TASK_CLAIMED if claim else (
            EventKind.TASK_ASSIGNED if target else EventKind.TASK_UNCLAIMED)
        record_event(session, case, actor_name(who), kind, task, task_name=task.name, previous=previous,
                     assignee=target.email if target else None)
        session.flush()
        session.refresh(task)
        return TaskView.of(task, case.reference or "")


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


def task_schema(ctx: Context, session: Session, case: Case, task: Task) -> dict[str, Any] | None:
    if not task.form:
        return None
    text = case.version.files.get(task.form)
    return forms.load_schema(text, case.version.files.get, task.form) if text else None


def complete_task(ctx: Context, task_id: int, data: dict[str, Any] | None = None,
                  actor: str | None = None) -> CaseView:
    if data is not None and not isinstance(data, dict):
        raise UserError("Task data must be a JSON object")
    data = data or {}
    casedata.check_bounds(data, "task data")
    try:
        with ctx.db.transaction() as session:
            case, task = lock_case_of_task(session, task_id)
            require_open(task)
            who = actor_user(session, actor)
            permissions.require_team_member(session, who, task)
            if who is not None and task.assignee_id not in (None, who.id):
                raise TaskClaimedByOther(f"Task {task.id} is claimed by {task.assignee.email}; "
                                         f"ask them or a team lead to reassign it")
            schema = task_schema(ctx, session, case, task)
            casedata.check_task_fields(task.name, schema, data, case.version.files.get)  # before the form: its fields only
            forms.validate(schema, data, case.version.files.get)
            if schema is not None and (task.form or "").endswith(forms.CAMUNDA_SUFFIX):
                # Camunda's Tasklist submits unanswered fields as null; maps rely on that.
                data = {**{name: None for name in schema.get("properties", {})}, **data}
            loaded = registry.loaded_spec(ctx, case.version)
            state = session.get_one(CaseState, case.id)
            workflow = load_workflow(ctx, case, loaded, state)
            projector = Projector(ctx, session, case, loaded, actor_name(who))
            projector.finish_task(task, data)
            failure = _run(lambda: ctx.runtime.complete(workflow, task.spiff_id, data))
            projector.save(workflow, failure, state_row=state)
            return CaseView.of(case, _open_tasks(session, case))
    except StaleDataError:
        raise ConcurrentUpdate("The case was changed by someone else at the same moment; "
                               "reload it and try again") from None


def _locked_case(session: Session, reference: str) -> Case:
    case = session.scalar(select(Case).where(Case.reference == reference).with_for_update())
    if case is None:
        raise CaseNotFound(f"There is no case {reference}")
    return case


def cancel_case(ctx: Context, reference: str, actor: str | None = None, reason: str = "") -> CaseView:
    with ctx.db.transaction() as session:
        case = _locked_case(session, reference)
        if case.status in (CaseStatus.COMPLETED, CaseStatus.CANCELLED):
            raise CaseNotOpen(f"Case {reference} is already {case.status}")
        who = actor_user(session, actor)
        loaded = registry.loaded_spec(ctx, case.version)
        state = session.get_one(CaseState, case.id)
        projector = Projector(ctx, session, case, loaded, actor_name(who))
        try:
            workflow = ctx.runtime.load(loaded, state.state)
        except StateUnreadable as err:
            # Nothing can be stepped: close what people see, and keep the state as it is for the
            # investigation. A case that cannot be loaded must still be closable.
            projector.cancel_unreadable(reason, f"The case's {err.message.removeprefix('its ')}")
            return CaseView.of(case, [])
        ctx.runtime.cancel(workflow)
        projector.save(workflow, None, state_row=state, cancelled=True, reason=reason)
        return CaseView.of(case, [])


def retry_case(ctx: Context, reference: str, actor: str | None = None) -> CaseView:
    """Run a failed case's failed step again (after the cause, e.g. an adapter, was fixed)."""
    with ctx.db.transaction() as session:
        case = _locked_case(session, reference)
        if case.status != CaseStatus.FAILED:
            raise CaseNotOpen(f"Case {reference} has not failed (it is {case.status})")
        who = actor_user(session, actor)
        loaded = registry.loaded_spec(ctx, case.version)
        state = session.get_one(CaseState, case.id)
        workflow = load_workflow(ctx, case, loaded, state)
        projector = Projector(ctx, session, case, loaded, actor_name(who))
        record_event(session, case, actor_name(who), EventKind.CASE_RETRIED, previous_error=case.error)
        failure = _run(lambda: ctx.runtime.retry(workflow))
        projector.save(workflow, failure, state_row=state)
        return CaseView.of(case, _open_tasks(session, case))


def show_case(ctx: Context, reference: str) -> CaseDetail:
    with ctx.db.transaction(readonly=True) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        if case is None:
            raise CaseNotFound(f"There is no case {reference}")
        events = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id))
        return CaseDetail(CaseView.of(case, _open_tasks(session, case)), case.data,
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
        return [TaskView.of(task, ref) for task, ref in session.execute(query)]
