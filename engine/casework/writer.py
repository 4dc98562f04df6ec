"""The case writer: the one unit of work through which every change to a case is made.

``open_case`` locks the case row first (``engine.casework.caselock``, the one spelling of the lock), then lends
the caller the case, the task it named, the actor and, loaded only when asked for, the version's spec,
the saved workflow and the projector. The caller steps the workflow; ``save`` projects tasks, timers,
events and SLA clocks and writes the state, all in that one transaction. Two people acting on one case
are serialised; a write that lost a race on the case's version column is reported as ConcurrentUpdate,
the same way on every path. ``new_case`` is its twin for a case that does not exist yet, and
``try_open_case`` the background workers' form, which skips a case someone else holds.

Only this module and ``caselock`` lock a case, and only this module builds a Projector
(tests/test_architecture.py).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, or_, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from SpiffWorkflow.bpmn import BpmnWorkflow

from ..bpmn import data_stores, registry, script_helpers
from ..bpmn.runtime import StepFailure
from ..bpmn.savedstate import SERIALIZER_VERSION, LoadedSpec
from ..catalogue import directory_entries
from ..context import Context
from ..errors import CaseNotFound, ConcurrentUpdate, StateUnreadable, TaskNotFound, UserError
from ..people import users
from ..persistence import row_updates
from ..persistence.configuration import read_generation
from ..persistence.tables import (Case, CaseStartKey, CaseState, Customer, GazetteerAddress, Membership, Task, Team,
                                 User)
from ..places.gazetteer import Address
from ..types import CaseStatus, Channel, EventKind, TaskStatus
from . import customers, projection
from .caselock import lock_case_and_state, lock_free_cases, lock_task_case
from .history import History
from .views import CaseView

# Tasks a case still owes: open ones, and ones handed back to the front office with a question.
OUTSTANDING = projection.OUTSTANDING


_ADD_CASE = insert(Case).returning(Case.id)
_STATE = select(CaseState.serializer_version, CaseState.state).where(CaseState.case_id == bindparam("case"))


@dataclass
class SavedState:
    """A case's saved workflow, read with Core after the lock: the document is only ever read whole and replaced
    whole (by the projector's one statement), so it never needs to be an ORM object in the Session."""

    case_id: int
    serializer_version: str
    state: str


_OUTSTANDING_OF = select(Task).where(Task.case_id.in_(bindparam("cases", expanding=True)),
                                     Task.status.in_(OUTSTANDING)).order_by(Task.id) \
    .execution_options(populate_existing=True)


_TASK_AND_OUTSTANDING = select(Task).where(Task.case_id == bindparam("case"), or_(
    Task.id == bindparam("task"), Task.status.in_(OUTSTANDING))).execution_options(populate_existing=True)


def _saved(case: Case, state: tuple[str, str] | None) -> SavedState | None:
    return SavedState(case.id, *state) if state is not None else None


def _lock_task(session: Session, task_id: int) -> tuple[Case, SavedState | None, Task, list[Task]]:
    """Lock the task's case (case first, like every writer) with its saved state, and read the task again
    after the lock, so a change someone made a moment ago is seen; with it, in the same statement, the case's
    outstanding tasks (the projector's starting point)."""
    found = lock_task_case(session, task_id)
    if found is None:
        raise TaskNotFound(f"There is no task {task_id}")
    case, state = found
    rows = list(session.scalars(_TASK_AND_OUTSTANDING, {"case": case.id, "task": task_id}))
    task = next(t for t in rows if t.id == task_id)
    return case, _saved(case, state), task, sorted((t for t in rows if t.status in OUTSTANDING), key=lambda t: t.id)


class CaseWriter:
    """One case, locked for the length of a transaction."""

    def __init__(self, ctx: Context, session: Session, case: Case, actor: str, user: User | None,
                 task: Task | None = None, state: SavedState | None = None,
                 outstanding: list[Task] | None = None) -> None:
        self.ctx, self.session, self.case, self.task = ctx, session, case, task
        self.actor, self.user = actor, user
        self.now = ctx.clock.now()
        self._state, self._workflow = state, None
        self._loaded: LoadedSpec | None = None
        self._projector: projection.Projector | None = None
        self._failure: StepFailure | None = None
        self._new = False  # set by new_case: no saved state yet
        self._outstanding = outstanding  # the case's outstanding tasks, when read with the lock
        self._saved: tuple[int, int, str, BpmnWorkflow] | None = None  # the case, its version, state, workflow
        self.history = History.of(session)  # the events of this transaction (engine/casework/history.py)

    @property
    def loaded(self) -> LoadedSpec:
        """The case's process version, parsed (cached per version by the registry)."""
        if self._loaded is None:
            self._loaded = registry.loaded_spec(self.ctx, self.case.version)
        return self._loaded

    @property
    def projector(self) -> projection.Projector:
        if self._projector is None:
            self._projector = projection.Projector(self.ctx, self.session, self.case, self.loaded, self.actor,
                                                   self.history, self._outstanding)
        return self._projector

    @property
    def state(self) -> SavedState:
        if self._state is None:
            version, text = self.session.connection().execute(_STATE, {"case": self.case.id}).one()
            self._state = SavedState(self.case.id, version, text)
        return self._state

    def load(self) -> BpmnWorkflow:
        """The saved workflow; StateUnreadable (its own words) when it cannot be loaded. The live one
        this process saved last, when the case has not been saved since (``livecache``)."""
        self._saved = None  # taken again after its save: it may change
        if self._workflow is None:
            saved = self.state
            live = self.ctx.live.take(self.case.id, self.case.lock_version, saved.state) \
                if saved.serializer_version == SERIALIZER_VERSION else None
            self._workflow = live if live is not None else \
                self.ctx.runtime.load(self.loaded, self.state.state, self.state.serializer_version)
            # Timer rows mirror the saved workflow's waiting timers: none then, none to delete at save.
            self.projector.timers_before = bool(self.ctx.runtime.waiting_timers(self._workflow))
        return self._workflow

    def workflow(self) -> BpmnWorkflow:
        """The saved workflow, or StateUnreadable naming the case and what can still be done."""
        try:
            return self.load()
        except StateUnreadable as err:
            raise StateUnreadable(f"Case {self.case.reference} cannot be worked on: {err.message}. It can still "
                                  f"be shown and cancelled; report it as an incident") from err

    def step(self, action: Callable[[BpmnWorkflow], Any]) -> StepFailure | None:
        """Run ``action`` on the workflow; a failing step is kept for ``save`` (the case fails) and returned."""
        self._saved = None
        try:
            stores = data_stores.StoreAccess(self.session, self.case.service_key or self.case.process_key,
                                             self.actor, self.now)
            with script_helpers.serving(self._script_facts()), data_stores.serving(stores):
                action(self.workflow())
        except StepFailure as failure:
            self._failure = failure
        return self._failure

    def _script_facts(self) -> script_helpers.ScriptFacts:
        """What SpiffArena's script helpers answer for this case (engine/bpmn/script_helpers.py)."""
        session, case_id = self.session, self.case.id

        def someone(actor: str | None) -> dict[str, Any] | None:
            if not actor:
                return None
            user = session.scalar(select(User).where(User.email == actor))
            return script_helpers.person(user.id, user.email, user.name) if user is not None else \
                script_helpers.person(None, actor, actor)  # a part of the system, or a partner's system

        def last_completing(process: str, bpmn_id: str) -> dict[str, Any] | None:
            return someone(session.scalar(
                select(Task.completed_by).where(Task.case_id == case_id, Task.process_key == process,
                                                Task.bpmn_id == bpmn_id, Task.completed_by.is_not(None))
                .order_by(Task.completed_at.desc(), Task.id.desc()).limit(1)))

        def members(team: str) -> list[str]:
            return list(session.scalars(
                select(User.email).join(Membership, Membership.user_id == User.id)
                .join(Team, Team.id == Membership.team_id).where(Team.name == team, User.active)))

        current = script_helpers.person(self.user.id, self.user.email, self.user.name) if self.user else None
        return script_helpers.ScriptFacts(current_user=current, initiator=lambda: someone(self.case.created_by),
                                          last_completing=last_completing, group_members=members,
                                          frontend_url=self.ctx.settings.public_url)

    def save(self, *, cancelled: bool = False, reason: str = "") -> None:
        """Project the workflow into the case, its tasks, timers, events and SLA clocks; save its state."""
        workflow = self.workflow()
        self.projector.save(workflow, self._failure, state_row=None if self._new else self.state,
                            cancelled=cancelled, reason=reason)
        self._new, self._failure = False, None
        # The case and its tasks, the rows every step changes, each with one UPDATE (engine/persistence/row_updates.py);
        # then whatever else is pending. The case row's version is then as saved: the workflow is kept under it.
        row_updates.write(self.session, [row for row in self.session.dirty if isinstance(row, (Case, Task))])
        self.session.flush()
        self.history.write()
        self._saved = (self.case.id, self.case.lock_version, self.projector.saved, workflow)

    def done(self) -> None:
        """The caller's block ended without an error: write what is left of the history before the commit."""
        self.history.write()

    def kept(self) -> None:
        """The transaction committed: keep the workflow as saved for the case's next step."""
        if self._saved is not None:
            self.ctx.live.put(*self._saved)

    def record(self, kind: EventKind, task: Task | None = None, **detail: Any) -> None:
        """Add an event to the case's history, and mark the case changed now."""
        self.case.updated_at = self.now
        self.history.add(self.case.id, self.actor, self.now, kind, detail, task)

    def open_tasks(self) -> list[Task]:
        return list(self.session.scalars(select(Task).where(Task.case_id == self.case.id,
                                                            Task.status.in_(OUTSTANDING)).order_by(Task.id)))

    def view(self) -> CaseView:
        """The case and its outstanding tasks (as the last ``save`` left them, without reading them again)."""
        saved = self._projector.outstanding if self._projector is not None else None
        tasks = self.open_tasks() if saved is None else [t for t in saved if t.status in OUTSTANDING]
        return CaseView.of(self.case, tasks)


def _actor(session: Session, actor: str | None, person: bool) -> tuple[str, User | None]:
    """Who acts: a person (``get_user``: an unknown one is refused) or, with ``person=False``, a
    named part of the system (the worker, a back-office system's callback)."""
    if not person or not actor:
        return actor or users.SYSTEM_ACTOR, None
    user = users.get_user(session, actor)
    return user.email, user


def _with_version(ctx: Context, session: Session, case: Case) -> Case:
    """The case, its process version joined to the session from the process's cache (a deployed
    version never changes), so ``case.version`` and its files read no row."""
    set_committed_value(case, "version", registry.attach_version(ctx, session, case.process_version_id))
    return case


@contextmanager
def _stale_is_conflict() -> Iterator[None]:
    try:
        yield
    except StaleDataError:
        raise ConcurrentUpdate("The case was changed by someone else at the same moment; "
                               "reload it and try again") from None


@contextmanager
def open_case(ctx: Context, *, reference: str | None = None, task_id: int | None = None,
              case_id: int | None = None, actor: str | None = None, person: bool = True) -> Iterator[CaseWriter]:
    """Lock the case named by exactly one of ``reference``, ``task_id`` or ``case_id`` and lend it to
    the caller's block; commits when the block ends, rolls back if it raises."""
    if sum(x is not None for x in (reference, task_id, case_id)) != 1:
        raise ValueError("name the case by exactly one of reference, task_id or case_id")
    with _stale_is_conflict(), ctx.db.transaction() as session:
        task, outstanding = None, None
        if task_id is not None:
            case, state, task, outstanding = _lock_task(session, task_id)
        else:
            found = lock_case_and_state(session, case_id=case_id, reference=reference)
            if found is None:
                raise CaseNotFound(f"There is no case {reference if reference is not None else case_id}")
            case, state = found[0], _saved(*found)
        name, user = _actor(session, actor, person)
        w = CaseWriter(ctx, session, _with_version(ctx, session, case), name, user, task, state, outstanding)
        yield w
        w.done()
    w.kept()


@contextmanager
def try_open_case(ctx: Context, case_id: int, actor: str) -> Iterator[CaseWriter | None]:
    """The background form: None (and nothing written) when another worker, or a person, holds the
    case right now — it is taken on the next round instead of waiting."""
    with _stale_is_conflict(), ctx.db.transaction() as session:
        found = lock_case_and_state(session, case_id=case_id, skip_locked=True)
        w = CaseWriter(ctx, session, _with_version(ctx, session, found[0]), actor, None, state=_saved(*found)) \
            if found is not None else None
        yield w
        if w is not None:
            w.done()
    if w is not None:
        w.kept()


@contextmanager
def try_open_cases(ctx: Context, case_ids: list[int], actor: str) -> Iterator[list[CaseWriter]]:
    """The background form for a batch: the cases of ``case_ids`` nobody holds right now, locked with one
    statement with their saved workflows, their outstanding tasks read with one more, all worked in one
    transaction (one begin and one commit for the batch, not per case). The block works them one after
    another; if it raises, nothing of any of them is kept, and the caller takes them one by one with
    ``try_open_case`` so that a case that fails costs only itself."""
    with _stale_is_conflict(), ctx.db.transaction() as session:
        locked = lock_free_cases(session, case_ids)
        outstanding: dict[int, list[Task]] = {case.id: [] for case, _ in locked}
        if locked:  # else every one of them is held by someone else
            for task in session.scalars(_OUTSTANDING_OF, {"cases": list(outstanding)}):
                outstanding[task.case_id].append(task)
        writers = [CaseWriter(ctx, session, _with_version(ctx, session, case), actor, None, state=_saved(case, state),
                              outstanding=outstanding[case.id]) for case, state in locked]
        yield writers
        for w in writers:
            w.done()
    for w in writers:
        w.kept()


def _customer_data(session: Session, customer_id: int | None) -> dict[str, Any]:
    if customer_id is None:
        return {}
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise UserError(f"There is no customer with id {customer_id}")
    data = {"customer_name": customer.name, "customer_email": customer.email,
            "customer_phone": customer.phone, "address": customer.address, "postcode": customer.postcode}
    # The gazetteer address picked for them, in the shape of an address field's answer (engine.places.gazetteer).
    picked = session.get(GazetteerAddress, customer.uprn) if customer.uprn is not None else None
    return {**data, "customer_address": Address.of(picked).to_dict()} if picked is not None else data


@contextmanager
def new_case(ctx: Context, process_key: str, data: dict[str, Any], channel: Channel,
             customer_id: int | None = None, actor: str | None = None,
             service: str | None = None, person: bool = True, new_customer: dict[str, Any] | None = None,
             start_key: str | None = None) -> Iterator[CaseWriter]:
    """A new case of the process's current version, numbered, with its start in the history and its
    workflow created (not yet run) from the customer's details and ``data``; the caller steps and saves.
    The case belongs to the directory ``service`` (default: the process's own entry or key) and takes
    its sensitivity from that entry. ``person=False``: the actor names a part of the system or an
    organisation (a partner's system over Open311), not a user. ``new_customer``: details of a customer
    to record with the case, in its transaction (instead of ``customer_id``). ``start_key``: recorded
    with the case, so starting again with it fails (IntegrityError) and nothing of this one is kept."""
    with ctx.db.transaction() as session:
        read_generation(session)  # the configuration's, as a lock would (engine/persistence/configuration.py)
        name, user = _actor(session, actor, person)
        version = registry.current_version(ctx, session, process_key)
        loaded = registry.loaded_spec(ctx, version)
        now = ctx.clock.now()
        if new_customer is not None:
            customer_id = customers.add_customer(session, new_customer, now).id
        initial = {**_customer_data(session, customer_id), **data}
        service_key, sensitivity = directory_entries.service_of(session, version.process_key, service)
        values = {"process_version_id": version.id, "process_key": version.process_key, "status": CaseStatus.OPEN,
                  "channel": channel, "customer_id": customer_id, "data": initial, "created_by": name,
                  "created_at": now, "updated_at": now, "service_key": service_key, "sensitivity": sensitivity,
                  "reference": None, "error": None, "completed_at": None, "due_at": None, "sla_state": None,
                  "lock_version": 1, "personal_data_removed_at": None}
        # Inserted with Core and put in the session as if just read, like the projector's new tasks: the
        # Session's flush of one new row cost as much as the statement several times over.
        case = Case(id=session.connection().execute(_ADD_CASE, values).scalar_one(), **values)
        make_transient_to_detached(case)
        set_committed_value(case, "version", version)
        session.add(case)
        case.reference = f"CF-{case.id:06d}"
        # Maps quote the reference to residents and back offices (Notify, Open311, EDRMS).
        initial = {**initial, "case_reference": case.reference}
        if start_key is not None:
            session.add(CaseStartKey(key=start_key, case_id=case.id, created_at=now))
            session.flush()  # a key already used fails here, before any work is done
        writer = CaseWriter(ctx, session, case, name, user, outstanding=[])  # a new case owes no task yet
        writer._loaded, writer._workflow, writer._new = loaded, ctx.runtime.new(loaded, initial), True
        writer.projector.timers_before = False  # no timer rows yet
        writer.record(EventKind.CASE_STARTED, process=version.process_key, version=version.version,
                      channel=channel.value, data=initial)
        yield writer
        writer.done()
    writer.kept()
