"""Read models the interfaces show: plain dataclasses with the JSON shapes councils script against."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..persistence.tables import Case, Event, Task


def iso(value: date | None) -> str | None:
    """A date or datetime (a subclass of date) as ISO 8601, for JSON."""
    return value.isoformat() if value is not None else None


def case_reference(value: str | None) -> str:
    """A case's reference as read from the database. Every case is given one in the transaction that
    creates it, so a missing one is a bug: reported as such rather than shown as a blank."""
    if value is None:
        raise RuntimeError("A case was read without a reference, which every case is given when it is created")
    return value


@dataclass
class TaskView:
    id: int
    case: str
    name: str
    bpmn_id: str
    team: str | None
    assignee: str | None
    status: str
    form: str | None
    created_at: str | None
    due_at: str | None
    completed_by: str | None = None
    sla_state: str | None = None  # on_track, at_risk, breached, paused, met (None: no SLA)

    @classmethod
    def of(cls, task: Task, reference: str) -> "TaskView":
        return cls(task.id, reference, task.name, task.bpmn_id, task.team.name if task.team else None,
                   task.assignee.email if task.assignee else None, task.status, task.form,
                   iso(task.created_at), iso(task.due_at), task.completed_by, task.sla_state)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def brief(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "team": self.team, "bpmn_id": self.bpmn_id}


@dataclass
class CaseView:
    reference: str
    status: str
    process: str
    version: int
    channel: str
    tasks: list[TaskView] = field(default_factory=list)
    error: str | None = None
    due_at: str | None = None  # the whole-case SLA, if the process has one
    sla_state: str | None = None

    @classmethod
    def of(cls, case: Case, tasks: list[Task]) -> "CaseView":
        return cls(case.reference or "", case.status, case.process_key, case.version.version, case.channel,
                   [TaskView.of(t, case.reference or "") for t in tasks], case.error, iso(case.due_at),
                   case.sla_state)

    def to_dict(self) -> dict[str, Any]:
        out = {"reference": self.reference, "status": self.status, "process": self.process,
               "version": self.version, "channel": self.channel, "tasks": [t.brief() for t in self.tasks]}
        if self.error:
            out["error"] = self.error
        if self.sla_state:
            out.update(due_at=self.due_at, sla_state=self.sla_state)
        return out


@dataclass
class EventView:
    at: str | None
    actor: str
    kind: str
    task_id: int | None
    detail: dict[str, Any]

    @classmethod
    def of(cls, event: Event) -> "EventView":
        return cls(iso(event.at), event.actor, event.kind, event.task_id, event.detail)


@dataclass
class CaseDetail:
    case: CaseView
    data: dict[str, Any]
    history: list[EventView]
    created_at: str | None
    completed_at: str | None
    state_problem: str | None = None  # why the saved workflow cannot be loaded, if it cannot

    def to_dict(self) -> dict[str, Any]:
        out = self.case.to_dict()
        out["tasks"] = [t.to_dict() for t in self.case.tasks]
        out.update(data=self.data, created_at=self.created_at, completed_at=self.completed_at,
                   history=[e.__dict__ for e in self.history], state_problem=self.state_problem)
        return out
