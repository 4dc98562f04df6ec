"""The only module that touches SpiffWorkflow's BpmnWorkflow: create, advance, inspect, save, load.

What a saved document holds, its versions and their upgrade on load are ``engine.bpmn.savedstate``'s and
``engine.bpmn.statemigrations``'s; only this module restores a workflow from one.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask as ServiceTaskMixin
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from ..clock import Clock, SystemClock
from ..outbox.servicetasks import CALL
from . import compaction, savedstate, timeshift
from .savedstate import LoadedSpec
from .scripting import SandboxScriptEngine, ServiceHandler


@dataclass(frozen=True)
class WaitingTimer:
    spiff_id: str
    bpmn_id: str
    due_at: datetime


@dataclass(frozen=True)
class PendingCall:
    """A service task parked in STARTED, waiting for the worker to call its adapter."""

    spiff_id: str
    bpmn_id: str
    operation: str | None  # None for Camunda external tasks: the version's metadata names it
    params: dict[str, Any]
    result_variable: str | None
    process: str = ""  # the id of the (sub)process the task is in


@dataclass(frozen=True)
class ReadyTask:
    spiff_id: str
    bpmn_id: str
    name: str
    lane: str | None
    process: str = ""  # the id of the (sub)process the task is in
    kind: str = ""  # its SpiffWorkflow spec type: UserTask, ManualTask, NoneTask...


MAX_STEPS = 2_500  # engine steps without a wait state before we call it an endless loop
_FAILED_FROM = "councilflow_failed_from_state"
_TAKEN = "councilflow_outboxed"


class StepFailure(Exception):
    """SpiffWorkflow could not run an element; carries the element and a readable reason."""

    def __init__(self, element: str | None, reason: str) -> None:
        super().__init__(reason)
        self.element, self.reason = element, reason


class _StepBudget:
    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self, task: SpiffTask) -> None:
        self.left -= 1
        if self.left < 0:
            raise StepFailure(_element(task), f"the case ran {MAX_STEPS:,} steps without waiting for anyone; "
                                              "the map probably loops forever")


def _all_tasks(workflow: BpmnWorkflow) -> Iterator[SpiffTask]:
    # Walk the task dictionaries, not the tree: SpiffWorkflow's tree iterator stops at depth 1000
    # and would hide a READY task at the bottom of a long hand-off loop.
    yield from workflow.tasks.values()
    for sub in workflow.subprocesses.values():
        yield from sub.tasks.values()


def _message_catchers(workflow: BpmnWorkflow) -> list[SpiffTask]:
    return [t for t in _all_tasks(workflow)
            if t.state == TaskState.WAITING
            and isinstance(getattr(t.task_spec, "event_definition", None), MessageEventDefinition)]


def _element(task: SpiffTask | None) -> str | None:
    return getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name if task else None


class Runtime:
    """Runs SpiffWorkflow with our sandboxed script engine."""

    def __init__(self, services: ServiceHandler | None = None, script_time_limit_s: float = 2.0,
                 clock: Clock | None = None) -> None:
        self.script_engine = SandboxScriptEngine(services, script_time_limit_s)
        self.clock = clock or SystemClock()

    def new(self, loaded: LoadedSpec, data: dict[str, Any]) -> BpmnWorkflow:
        workflow = BpmnWorkflow(loaded.spec, loaded.subprocess_specs, script_engine=self.script_engine)
        start = workflow.task_tree
        start.data.update(data)
        for child in start.children:
            child.data.update(data)
        return workflow

    def load(self, loaded: LoadedSpec, text: str, version: str) -> BpmnWorkflow:
        """The workflow saved as ``text`` in format ``version`` (``case_state.serializer_version``),
        upgraded first if an older release saved it; StateUnreadable if it cannot be restored."""
        workflow = savedstate.restore(loaded, text, version)
        workflow.script_engine = self.script_engine
        return workflow

    def dump(self, loaded: LoadedSpec, workflow: BpmnWorkflow) -> str:
        """The workflow's document, in the current format (``savedstate.SERIALIZER_VERSION``)."""
        return savedstate.dump(loaded, workflow)

    def advance(self, workflow: BpmnWorkflow) -> None:
        """Run every engine step that is ready; raise StepFailure if one of them fails, or if the
        map runs MAX_STEPS steps without waiting (an endless loop of scripts and gateways)."""
        budget = _StepBudget(MAX_STEPS)
        while True:
            self._guarded(workflow, lambda: workflow.do_engine_steps(will_complete_task=budget.spend))
            # SpiffWorkflow looks for READY tasks with a depth-limited iterator: a long run of
            # engine steps can leave one out of its sight. Compaction (done by _guarded) brings
            # it back into view, so go round again until nothing is left to run.
            if not any(t.state == TaskState.READY and not t.task_spec.manual for t in _all_tasks(workflow)):
                return

    def _guarded(self, workflow: BpmnWorkflow, action: Callable[[], Any]) -> None:
        """Run ``action`` on the clock; any failure becomes a StepFailure naming the element."""
        try:
            with timeshift.using(self.clock):
                action()
        except StepFailure:
            raise
        except RecursionError as err:
            raise StepFailure(None, "the case's history is too deep to run") from err
        except Exception as err:  # a failing map must fail its case, never the request
            task = getattr(err, "task", None) or _failing_task(err)
            if task is not None and not task.has_state(TaskState.FINISHED_MASK | TaskState.ERROR):
                # Failed while being updated (e.g. a timer's value), not while running: remember
                # the state so that a retry updates it again rather than running it.
                task.internal_data[_FAILED_FROM] = int(task.state)
                task._set_state(TaskState.ERROR)
            raise StepFailure(_element(task), _reason(err)) from err
        finally:
            compaction.compact(workflow)

    def ready_tasks(self, workflow: BpmnWorkflow) -> list[ReadyTask]:
        return [ReadyTask(str(t.id), t.task_spec.bpmn_id, t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                          t.task_spec.lane, t.workflow.spec.name, type(t.task_spec).__name__)
                for t in _all_tasks(workflow)
                if t.state == TaskState.READY and t.task_spec.manual]

    def waiting_timers(self, workflow: BpmnWorkflow) -> list[WaitingTimer]:
        """Timers the case waits on, with the instant each is due."""
        found = []
        for task in _all_tasks(workflow):
            definition = getattr(task.task_spec, "event_definition", None)
            if task.state != TaskState.WAITING or not isinstance(definition, TimerEventDefinition):
                continue
            due = _timer_due(task.internal_data.get("event_value"))
            if due is not None:
                found.append(WaitingTimer(str(task.id), task.task_spec.bpmn_id, due))
        return found

    def fire_timers(self, workflow: BpmnWorkflow) -> None:
        """Let due timers fire and run whatever follows them."""
        with timeshift.using(self.clock):
            workflow.refresh_timers()
        self.advance(workflow)

    def take_pending_calls(self, workflow: BpmnWorkflow) -> list[PendingCall]:
        """Service tasks newly parked for the outbox; each is returned once (marked as taken)."""
        found = []
        for task in _all_tasks(workflow):
            if task.state != TaskState.STARTED or not isinstance(task.task_spec, ServiceTaskMixin) \
                    or task.internal_data.get(_TAKEN):
                continue
            call = task.internal_data.get(CALL) or {}
            found.append(PendingCall(str(task.id), task.task_spec.bpmn_id, call.get("operation"),
                                     call.get("params", json.loads(json.dumps(task.data, default=str))),
                                     call.get("result_variable"), task.workflow.spec.name))
            task.internal_data[_TAKEN] = True
        return found

    def finish_call(self, workflow: BpmnWorkflow, spiff_id: str, result: dict[str, Any],
                    result_variable: str | None) -> None:
        """Complete a parked service task with its adapter's result and run what follows."""
        task = workflow.get_task_from_id(UUID(spiff_id))
        if result_variable:
            task.data[result_variable] = result
        else:
            task.data.update(result)
        self._guarded(workflow, task.complete)
        self.advance(workflow)

    def throw_error(self, workflow: BpmnWorkflow, spiff_id: str, code: str, message: str) -> bool:
        """Raise BPMN error ``code`` on a parked service task; False if no boundary event of the
        task catches it (the caller then raises an incident instead)."""
        task = workflow.get_task_from_id(UUID(spiff_id))
        catchers = [t for t in _all_tasks(workflow)
                    if t.state == TaskState.WAITING and t.parent is task.parent and t is not task
                    and isinstance(getattr(t.task_spec, "event_definition", None), ErrorEventDefinition)
                    and t.task_spec.event_definition.code in (None, code)]
        if not catchers:
            return False
        definition = catchers[0].task_spec.event_definition
        event = BpmnEvent(definition, {"error_code": code, "error_message": message}, target=task.workflow)
        self._guarded(workflow, lambda: workflow.top_workflow.catch(event))
        self.advance(workflow)
        return True

    def waiting_messages(self, workflow: BpmnWorkflow) -> list[str]:
        """Names of the BPMN messages the case is waiting for."""
        return sorted({t.task_spec.event_definition.name for t in _message_catchers(workflow)})

    def correlation_keys(self, workflow: BpmnWorkflow, name: str, keys: dict[str, str]) -> list[Any] | None:
        """The values the events waiting for message ``name`` are keyed on (``keys``: element id -> the
        Python of its Camunda 8 correlation key), each evaluated in its event's data; None when one
        waits without a key (it takes the message whatever key it carries)."""
        values = []
        for task in _message_catchers(workflow):
            if task.task_spec.event_definition.name != name:
                continue
            python = keys.get(_element(task) or "")
            if python is None:
                return None
            try:
                values.append(task.workflow.script_engine.evaluate(task, python))
            except SpiffWorkflowException:
                values.append(None)  # a key the case has no value for matches no message
        return values

    def deliver(self, workflow: BpmnWorkflow, name: str, payload: dict[str, Any] | None) -> bool:
        """Deliver message ``name`` and run what follows; False if nothing waits for it.

        The payload reaches the process data as the catch event says: SpiffArena's
        ``messageVariable`` (or, without one, merged into the data); Camunda's result variable."""
        catchers = [t for t in _message_catchers(workflow) if t.task_spec.event_definition.name == name]
        if not catchers:
            return False
        definition = catchers[0].task_spec.event_definition
        if hasattr(definition, "result_var"):  # Camunda's definition wraps the payload
            value: Any = {"payload": payload or {}, "result_var": definition.result_var}
        else:
            value = payload or {}
            if getattr(definition, "message_var", None) is None:
                for task in catchers:
                    task.data.update(value)
        try:
            with timeshift.using(self.clock):
                workflow.catch(BpmnEvent(definition, value))
        except SpiffWorkflowException as err:
            raise StepFailure(_element(catchers[0]), _reason(err)) from err
        self.advance(workflow)
        return True

    def failed_tasks(self, workflow: BpmnWorkflow) -> list[SpiffTask]:
        return [t for t in _all_tasks(workflow) if t.state == TaskState.ERROR]

    def complete(self, workflow: BpmnWorkflow, spiff_id: str, data: dict[str, Any]) -> None:
        task = workflow.get_task_from_id(UUID(spiff_id))
        task.data.update(data)
        try:
            with timeshift.using(self.clock):
                task.run()
        except Exception as err:  # a failing map must fail its case, never the request
            raise StepFailure(_element(task), _reason(err)) from err
        self.advance(workflow)

    def retry(self, workflow: BpmnWorkflow) -> None:
        """Run failed elements again (after the cause has been fixed)."""
        def again() -> None:
            for task in self.failed_tasks(workflow):
                previous = task.internal_data.pop(_FAILED_FROM, None)
                if previous is None:
                    task._set_state(TaskState.READY)
                else:
                    task._set_state(previous)
                    task.task_spec._update(task)
        self._guarded(workflow, again)
        self.advance(workflow)

    def cancel(self, workflow: BpmnWorkflow) -> None:
        workflow.cancel()

    def is_completed(self, workflow: BpmnWorkflow) -> bool:
        done: bool = workflow.is_completed()
        return done

    def data(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        """The case data people see: the latest data a finished step left behind."""
        if workflow.is_completed() and workflow.data:
            source = dict(workflow.data)
        else:
            last = workflow.last_task
            source = dict(last.data) if last is not None else {}
            for task in _all_tasks(workflow):
                if task.state == TaskState.READY:
                    source.update(task.data)
        source.pop("data_objects", None)
        plain: dict[str, Any] = json.loads(json.dumps(source, default=str))
        return plain


def _timer_due(value: Any) -> datetime | None:
    if isinstance(value, dict):  # a cycle: the next firing
        value = value.get("next")
    if not isinstance(value, str):
        return None
    try:
        due: datetime = TimerEventDefinition.get_datetime(value)
    except (ValueError, TypeError):
        return None
    return due if due.tzinfo else due.replace(tzinfo=timezone.utc)


def _failing_task(err: Exception) -> SpiffTask | None:
    """The task SpiffWorkflow was working on when a plain exception escaped it (SpiffWorkflow's
    own errors carry the task; a bare Exception from, say, a timer does not)."""
    found, tb = None, err.__traceback__
    while tb is not None:
        candidate = tb.tb_frame.f_locals.get("my_task")
        if isinstance(candidate, SpiffTask):
            found = candidate
        tb = tb.tb_next
    return found


def _reason(err: Exception) -> str:
    text = str(err) if isinstance(err, SpiffWorkflowException) else f"{type(err).__name__}: {err}"
    inner = getattr(err, "exception", None)
    if inner is not None and str(inner) and str(inner) not in text:
        text = f"{text}: {inner}"
    return text.replace("\n", " ")
