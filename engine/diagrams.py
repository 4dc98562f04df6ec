"""What a process diagram shows on top of the map: how many cases wait at each task now, and for one
case which elements are completed and which are active. Reads the task projection only."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from .context import Context
from .errors import CaseNotFound
from .persistence.tables import Case, Task
from .types import TaskStatus


@dataclass(frozen=True)
class Highlights:
    completed: list[str]  # BPMN ids of tasks finished in this case
    active: list[str]     # BPMN ids of tasks open (or handed back) now


def waiting_counts(ctx: Context, process_key: str, version: int | None = None) -> dict[str, int]:
    """BPMN task id -> number of open tasks there now (of one version, or of all versions)."""
    with ctx.db.transaction(readonly=True) as session:
        query = (select(Task.bpmn_id, func.count()).where(Task.process_key == process_key,
                                                         Task.status.in_((TaskStatus.OPEN, TaskStatus.HANDED_BACK)))
                 .group_by(Task.bpmn_id))
        if version is not None:
            from .persistence.tables import ProcessVersion
            query = (query.join(Case, Case.id == Task.case_id)
                     .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
                     .where(ProcessVersion.version == version))
        return {bpmn_id: count for bpmn_id, count in session.execute(query)}


def case_highlights(ctx: Context, reference: str) -> Highlights:
    with ctx.db.transaction(readonly=True) as session:
        case_id = session.scalar(select(Case.id).where(Case.reference == reference))
        if case_id is None:
            raise CaseNotFound(f"There is no case {reference}")
        rows = session.execute(select(Task.bpmn_id, Task.status).where(Task.case_id == case_id))
        completed, active = [], []
        for bpmn_id, status in rows:
            if status in (TaskStatus.OPEN, TaskStatus.HANDED_BACK):
                active.append(bpmn_id)
            elif status == TaskStatus.COMPLETED:
                completed.append(bpmn_id)
        return Highlights(sorted(set(completed) - set(active)), sorted(set(active)))
