"""What a process diagram shows on top of the map, and what analysts see of each process: how many
cases wait at each task now, a version's diagram file and user tasks, each process's latest
deployment and open cases, and for one case which elements are completed and which are active.

Reads the projections (case, task, outbox call and event rows) and the stored files of a version;
never a case's workflow state.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..context import Context
from ..errors import CaseNotFound, ProcessNotFound
from ..persistence.tables import Case, Event, OutboxCall, Process, ProcessVersion, Task
from ..types import CallKind, CallStatus, CaseStatus, EventKind, TaskStatus
from . import registry
from .bundle import BPMN_SUFFIXES
from .dialects import NS
from .xmlsafe import parse_xml

WAITING = (TaskStatus.OPEN, TaskStatus.HANDED_BACK)
CALL_WAITING = (CallStatus.PENDING, CallStatus.IN_PROGRESS, CallStatus.FAILED)


@dataclass(frozen=True)
class Highlights:
    completed: list[str]  # BPMN ids of tasks (user and service) finished in this case
    active: list[str]     # BPMN ids of elements the case waits at now (open or handed-back tasks,
                          # back-office calls not yet answered, the step that failed)


@dataclass(frozen=True)
class ProcessSummary:
    """One row of the analysts' process list."""

    key: str
    name: str
    latest_version: int
    deployed_by: str
    deployed_at: datetime
    open_cases: int


@dataclass(frozen=True)
class WaitingTask:
    bpmn_id: str
    name: str
    waiting: int


@dataclass(frozen=True)
class Diagram:
    """A version's map: its main BPMN file and its user tasks with the cases waiting at each now."""

    key: str
    version: int
    name: str
    file: str
    xml: str
    tasks: list[WaitingTask]

    @property
    def counts(self) -> dict[str, int]:
        return {t.bpmn_id: t.waiting for t in self.tasks if t.waiting}


def _waiting_counts(session: Session, process_key: str, version: int | None) -> dict[str, int]:
    query = (select(Task.bpmn_id, func.count()).where(Task.process_key == process_key, Task.status.in_(WAITING))
             .group_by(Task.bpmn_id))
    if version is not None:
        query = (query.join(Case, Case.id == Task.case_id)
                 .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
                 .where(ProcessVersion.version == version))
    return {bpmn_id: count for bpmn_id, count in session.execute(query)}


def waiting_counts(ctx: Context, process_key: str, version: int | None = None) -> dict[str, int]:
    """BPMN task id -> number of open tasks there now (of one version, or of all versions)."""
    with ctx.db.transaction(readonly=True) as session:
        return _waiting_counts(session, process_key, version)


def main_file(row: ProcessVersion) -> tuple[str, str]:
    """The name and text of the BPMN file that defines the version's own process (a version also
    stores the files of the processes it calls and its decisions and forms)."""
    for name, text in sorted(row.files.items()):
        if not name.lower().endswith(BPMN_SUFFIXES):
            continue
        root, _ = parse_xml(name, text.encode("utf-8"))
        if root is not None and root.find(f"bpmn:process[@id='{row.process_key}']", NS) is not None:
            return name, text
    raise ProcessNotFound(f"Version {row.version} of '{row.process_key}' has no BPMN file defining it")


def diagram_xml(ctx: Context, process_key: str, version: int) -> str:
    """The BPMN XML of a version's own process, for the diagram viewer."""
    with ctx.db.transaction(readonly=True) as session:
        return main_file(registry.get_version(session, process_key, version))[1]


def diagram(ctx: Context, process_key: str, version: int | None = None) -> Diagram:
    """A version (the latest if none is given) with the cases of that version waiting at each task."""
    with ctx.db.transaction(readonly=True) as session:
        row = registry.get_version(session, process_key, version)
        name, xml = main_file(row)
        counts = _waiting_counts(session, process_key, row.version)
        declared = sorted(row.user_tasks.items(), key=lambda item: (item[1].get("line") or 0, item[0]))
        tasks = [WaitingTask(bpmn_id, meta.get("name") or bpmn_id, counts.pop(bpmn_id, 0))
                 for bpmn_id, meta in declared]
        tasks += [WaitingTask(bpmn_id, bpmn_id, n) for bpmn_id, n in sorted(counts.items())]  # in called maps
        return Diagram(row.process_key, row.version, row.name, name, xml, tasks)


def process_summaries(ctx: Context) -> list[ProcessSummary]:
    """Every deployed process by name: its latest version, who deployed it and when, open cases."""
    with ctx.db.transaction(readonly=True) as session:
        open_cases = {key: n for key, n in session.execute(
            select(Case.process_key, func.count()).where(Case.status == CaseStatus.OPEN).group_by(Case.process_key))}
        rows = session.execute(
            select(Process, ProcessVersion.deployed_by, ProcessVersion.deployed_at)
            .join(ProcessVersion, (ProcessVersion.process_key == Process.key)
                  & (ProcessVersion.version == Process.latest_version))
            .order_by(func.lower(Process.name), Process.key))
        return [ProcessSummary(p.key, p.name, p.latest_version, by, at, open_cases.get(p.key, 0))
                for p, by, at in rows]


def case_highlights(ctx: Context, reference: str) -> Highlights:
    """The elements one case has finished and the ones it waits at now."""
    with ctx.db.transaction(readonly=True) as session:
        case = session.execute(select(Case.id, Case.status).where(Case.reference == reference)).first()
        if case is None:
            raise CaseNotFound(f"There is no case {reference}")
        completed: set[str] = set()
        active: set[str] = set()
        for bpmn_id, status in session.execute(select(Task.bpmn_id, Task.status).where(Task.case_id == case.id)):
            if status in WAITING:
                active.add(bpmn_id)
            elif status == TaskStatus.COMPLETED:
                completed.add(bpmn_id)
        calls = select(OutboxCall.bpmn_id, OutboxCall.status).where(OutboxCall.case_id == case.id,
                                                                    OutboxCall.kind == CallKind.SERVICE_TASK)
        for bpmn_id, status in session.execute(calls):
            if status == CallStatus.DONE:
                completed.add(bpmn_id)
            elif status in CALL_WAITING:
                active.add(bpmn_id)
        if case.status == CaseStatus.FAILED:
            failed = session.scalar(select(Event.detail).where(Event.case_id == case.id,
                                                               Event.kind == EventKind.STEP_FAILED)
                                    .order_by(Event.id.desc()).limit(1))
            if failed and failed.get("element"):
                active.add(failed["element"])
        return Highlights(sorted(completed - active), sorted(active))
