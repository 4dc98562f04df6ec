"""Writes what people query (case row, task rows, history) from the workflow, in the same
transaction as the workflow state itself."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from SpiffWorkflow.bpmn import BpmnWorkflow

from ..bpmn.runtime import StepFailure
from ..bpmn.savedstate import SERIALIZER_VERSION, LoadedSpec
from ..context import Context
from ..deadlines import sla_rows
from ..members import enquiry_answers
from ..outbox import calls
from ..people import routing, users
from ..persistence.tables import Case, CaseState, Task, Timer
from ..residents import resident_updates
from ..types import CaseStatus, EventKind, TaskStatus
from .history import Entry, History

if TYPE_CHECKING:
    from .writer import SavedState

OUTSTANDING = (TaskStatus.OPEN, TaskStatus.HANDED_BACK)  # tasks a case still owes

_MISSING = object()
# Statements built once (building one costs about as much as running it).
_OUTSTANDING_TASKS = select(Task).where(Task.case_id == bindparam("case"), Task.status.in_(OUTSTANDING))
_DROP_TIMERS = delete(Timer).where(Timer.case_id == bindparam("case"))
_ADD_TIMER = insert(Timer)
_ADD_STATE = insert(CaseState)
_ADD_TASK = insert(Task).returning(Task.id)
_SAVE_STATE = update(CaseState).where(CaseState.case_id == bindparam("case")) \
    .values(state=bindparam("state"), serializer_version=bindparam("version"))


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Keys whose value changed (removed keys map to None)."""
    out = {k: v for k, v in after.items() if before.get(k, _MISSING) != v}
    out.update({k: None for k in before if k not in after})
    return out


class Projector:
    def __init__(self, ctx: Context, session: Session, case: Case, loaded: LoadedSpec, actor: str,
                 history: History, outstanding: list[Task] | None = None) -> None:
        self.ctx, self.session, self.case, self.loaded, self.actor = ctx, session, case, loaded, actor
        self.history = history  # the case writer's: events are written with its save
        self.now = ctx.clock.now()
        self._completion: Entry | None = None
        # Whether the saved workflow had timers waiting (None: not known, so the rows are replaced).
        self.timers_before: bool | None = None
        self._sla_tasks_ended = False  # a task with an SLA clock ended here: its clock must settle
        # The case's outstanding tasks once saved; before the first save, when the writer read them
        # with the lock (only this module adds task rows, so after that it knows them all).
        self.outstanding: list[Task] | None = outstanding
        self._created: list[Task] = []  # tasks this save opened
        self._before: list[str] = []  # the BPMN ids of the tasks open before it
        self.saved = ""  # the workflow's document as the last save wrote it

    def _event(self, kind: EventKind, task: Task | None = None, **detail: Any) -> Entry:
        return self.history.add(self.case.id, self.actor, self.now, kind, detail, task)

    def finish_task(self, task: Task, data: dict[str, Any]) -> None:
        task.status, task.completed_at, task.completed_by = TaskStatus.COMPLETED, self.now, self.actor
        self._sla_tasks_ended |= task.sla_state is not None
        self._completion = self._event(EventKind.TASK_COMPLETED, task, task_name=task.name, data=data)

    def save(self, workflow: BpmnWorkflow, failure: StepFailure | None, state_row: "SavedState | None",
             cancelled: bool = False, reason: str = "") -> None:
        case, runtime = self.case, self.ctx.runtime
        data = runtime.data(workflow)
        changed = changes(case.data or {}, data)
        if self._completion is not None:
            self._completion.detail = {**self._completion.detail, "changes": changed}
        case.data, case.updated_at = data, self.now
        if cancelled:
            case.status, case.completed_at = CaseStatus.CANCELLED, self.now
            self._event(EventKind.CASE_CANCELLED, reason=reason)
        elif failure is not None:
            case.status = CaseStatus.FAILED
            case.error = f"{failure.element}: {failure.reason}" if failure.element else failure.reason
            self._event(EventKind.STEP_FAILED, element=failure.element, reason=failure.reason)
        elif runtime.is_completed(workflow):
            case.status, case.completed_at, case.error = CaseStatus.COMPLETED, self.now, None
        else:
            case.status, case.error = CaseStatus.OPEN, None
        # The lookups below (open tasks, teams, SLA policies) need none of this transaction's changes
        # written first: they are flushed once, when the new tasks need their ids (each query
        # flushing everything pending cost more than the rest of the save).
        with self.session.no_autoflush:
            if state_row is None:  # a new case: its own SLA clock starts before its first tasks'
                sla_rows.start(self.session, case, None, self.now, self.actor)
            self._sync_tasks(workflow, keep_none=cancelled)
        if case.sla_state is not None or self._sla_tasks_ended:  # otherwise no clock can end now
            sla_rows.settle(self.session, case, self.now)
        with self.session.no_autoflush:
            self._sync_timers(workflow, keep_none=cancelled or case.status != CaseStatus.OPEN)
        if case.status == CaseStatus.COMPLETED:
            self._event(EventKind.CASE_COMPLETED, outcome=data.get("outcome"))
        if case.process_key == enquiry_answers.PROCESS:
            enquiry_answers.after_save(self.session, case, self.now)  # answered: tell the councillor
        resident_updates.after_save(self.session, case, self._created, self._before, state_row is None, self.now)
        if not cancelled:
            calls.record_calls(self.ctx, self.session, case, case.version, workflow, self.actor)
        text = self.saved = runtime.dump(self.loaded, workflow)
        # Straight to the table, like the timers: the saved state is never an ORM object in a writer's session.
        if state_row is None:
            self.session.connection().execute(_ADD_STATE, {"case_id": case.id, "serializer_version": SERIALIZER_VERSION,
                                                           "state": text})
        else:
            self.session.connection().execute(_SAVE_STATE, {"case": case.id, "state": text,
                                                            "version": SERIALIZER_VERSION})
            state_row.state, state_row.serializer_version = text, SERIALIZER_VERSION

    def cancel_unreadable(self, reason: str, problem: str) -> None:
        """Cancel a case whose saved workflow cannot be loaded: close its tasks, timers and clocks as
        a cancel does, without stepping (or rewriting) the workflow."""
        case = self.case
        case.status, case.completed_at, case.updated_at, case.error = CaseStatus.CANCELLED, self.now, self.now, problem
        self._event(EventKind.CASE_CANCELLED, reason=reason, problem=problem)
        self._sync_tasks(None, keep_none=True)
        sla_rows.settle(self.session, case, self.now)
        self._sync_timers(None, keep_none=True)

    def fail_unreadable(self, problem: str) -> None:
        """Mark a case whose saved workflow cannot be loaded as failed, and drop its timers (the
        worker would otherwise try it again on every round); its state is left as it is."""
        self.case.status, self.case.error, self.case.updated_at = CaseStatus.FAILED, problem, self.now
        self._event(EventKind.STEP_FAILED, element=None, reason=problem)
        self._sync_timers(None, keep_none=True)

    def _sync_tasks(self, workflow: BpmnWorkflow | None, keep_none: bool) -> None:
        ready = {} if keep_none or workflow is None else {t.spiff_id: t for t in self.ctx.runtime.ready_tasks(workflow)}
        # A task handed back to the front office is still its READY spiff task's row: neither a new
        # row for it nor a cancellation, but cancelled like an open one once the task is withdrawn.
        # Read without flushing first: a row this transaction finished is still open in the table, so
        # its status here (not the table's) decides. Only this module adds task rows, all flushed.
        known = self.outstanding if self.outstanding is not None else \
            self.session.scalars(_OUTSTANDING_TASKS, {"case": self.case.id})
        open_rows = {t.spiff_id: t for t in known if t.status in OUTSTANDING}
        outstanding = []
        self._before = [row.bpmn_id for row in open_rows.values()]
        for spiff_id, row in open_rows.items():
            if spiff_id not in ready:
                row.status, row.completed_at = TaskStatus.CANCELLED, self.now
                self._sla_tasks_ended |= row.sla_state is not None
                self._event(EventKind.TASK_CANCELLED, row, task_name=row.name)
            else:
                outstanding.append(row)
        self._created = [self._new_task(item.spiff_id, item.bpmn_id, item.name, item.lane)
                         for spiff_id, item in ready.items() if spiff_id not in open_rows]
        for task in self._created:
            assert task.team is not None, "a new task always goes to a team"
            self._event(EventKind.TASK_CREATED, task, task_name=task.name, team=task.team.name,
                        assignee=task.assignee.email if task.assignee else None)
            sla_rows.start(self.session, self.case, task, self.now, self.actor)
        self.outstanding = sorted(outstanding + self._created, key=lambda t: t.id)

    def _sync_timers(self, workflow: BpmnWorkflow | None, keep_none: bool) -> None:
        waiting = [] if keep_none or workflow is None else self.ctx.runtime.waiting_timers(workflow)
        # Timer rows are written straight to the table (only this module writes them, never through the session).
        conn = self.session.connection()
        if self.timers_before is not False or waiting:  # no rows before and none now: nothing to replace
            conn.execute(_DROP_TIMERS, {"case": self.case.id})
        if waiting:
            conn.execute(_ADD_TIMER, [{"case_id": self.case.id, "spiff_id": t.spiff_id, "bpmn_id": t.bpmn_id,
                                       "due_at": t.due_at} for t in waiting])

    def _new_task(self, spiff_id: str, bpmn_id: str, name: str, lane: str | None) -> Task:
        meta = self.case.version.user_tasks.get(bpmn_id, {})
        source = meta.get("team_source") or lane
        # A task routed by case data goes to the team the data names; the lane's team if it names none.
        named = routing.find_team(self.session, (self.case.data or {}).get(meta["team_variable"])) \
            if meta.get("team_variable") else None
        team = named or routing.team_for(self.session, source, self.ctx.settings.default_team, self.now)
        assignee = users.find_user(self.session, meta["assignee"]) if meta.get("assignee") else None
        if team is None or team.id is None:
            self.session.flush()  # a team made just now (the default team on a fresh database): its id
        assert team is not None and team.id is not None, "a new task always goes to a team"
        values = {"case_id": self.case.id, "spiff_id": spiff_id, "bpmn_id": bpmn_id, "name": meta.get("name") or name,
                  "process_key": self.case.process_key, "team_id": team.id,
                  "assignee_id": assignee.id if assignee is not None else None, "form": meta.get("form"),
                  "status": TaskStatus.OPEN, "created_at": self.now, "due_at": None, "sla_state": None,
                  "completed_at": None, "completed_by": None}
        # Inserted with Core and its id returned, then put in the session as if just read: the history, the
        # clocks and the view use the row at once, and the session's flush has no insert to order.
        task = Task(id=self.session.connection().execute(_ADD_TASK, values).scalar_one(), **values)
        make_transient_to_detached(task)
        # The team and assignee objects, not only their ids: the case's view shows them without reading them.
        set_committed_value(task, "team", team)
        set_committed_value(task, "assignee", assignee)
        self.session.add(task)
        return task
