"""Read-only queries the interfaces page through: the task inbox with its filters and counts,
process versions and their files, and teams with their open workload.

Every query reads projection tables only (``task``, ``case``, ``process_version``, ``team``), never
workflow state, so its cost does not grow with the size of cases.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, undefer

from . import permissions, routing, users
from .context import Context
from .errors import Forbidden, NotFound, ProcessNotFound
from .persistence.tables import Case, ProcessVersion, Task, Team, User
from .types import TaskStatus
from .views import TaskView, iso

TASK_SORTS = ("created_at", "due_at")


@dataclass(frozen=True)
class TaskFilter:
    """What an inbox shows. ``assignee`` is an email; ``unassigned`` selects the team queue."""

    team: str | None = None
    case: str | None = None
    assignee: str | None = None
    unassigned: bool = False
    process: str | None = None
    task: str | None = None  # a task's BPMN id or its name
    status: TaskStatus = TaskStatus.OPEN
    sort: str = "created_at"
    descending: bool = False


@dataclass
class TaskPage:
    items: list[TaskView]
    page: int
    page_size: int
    total: int

    def to_dict(self) -> dict[str, Any]:
        return {"items": [t.to_dict() for t in self.items], "page": self.page,
                "page_size": self.page_size, "total": self.total}


def visible_team_ids(session: Session, viewer: User) -> set[int] | None:
    """The teams whose tasks ``viewer`` may see; None means every team (admins)."""
    return None if permissions.is_admin(viewer) else users.team_ids(session, viewer)


def _filtered(session: Session, wanted: TaskFilter, viewer: User) -> Select[Any]:
    query = select(Task, Case.reference).join(Case, Case.id == Task.case_id).where(Task.status == wanted.status)
    visible = visible_team_ids(session, viewer)
    if wanted.team is not None:
        team = routing.get_team(session, wanted.team)
        if visible is not None and team.id not in visible:
            raise Forbidden(f"You are not a member of {team.name}, so you cannot see its tasks")
        query = query.where(Task.team_id == team.id)
    elif visible is not None:
        query = query.where(Task.team_id.in_(visible))
    if wanted.case is not None:
        query = query.where(Case.reference == wanted.case)
    if wanted.assignee is not None:
        query = query.where(Task.assignee_id == users.get_user(session, wanted.assignee).id)
    elif wanted.unassigned:
        query = query.where(Task.assignee_id.is_(None))
    if wanted.process is not None:
        query = query.where(Task.process_key == wanted.process)
    if wanted.task is not None:
        query = query.where((Task.bpmn_id == wanted.task) | (Task.name == wanted.task))
    return query


def task_page(ctx: Context, wanted: TaskFilter, viewer_email: str, page: int = 1,
              page_size: int = 50) -> TaskPage:
    """One page of the tasks ``viewer_email`` may see, and how many there are in all.

    Non-admins see only their teams' tasks; naming another team raises Forbidden."""
    if wanted.sort not in TASK_SORTS:
        raise ValueError(f"unknown sort {wanted.sort!r}")
    with ctx.db.transaction(readonly=True) as session:
        viewer = users.get_user(session, viewer_email)
        query = _filtered(session, wanted, viewer)
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        column = getattr(Task, wanted.sort)
        ordered = column.desc() if wanted.descending else column.asc()
        tie = Task.id.desc() if wanted.descending else Task.id.asc()
        # Tasks without a due date go last either way (portable NULLS LAST).
        query = query.order_by(column.is_(None), ordered, tie)
        rows = session.execute(query.limit(page_size).offset((page - 1) * page_size))
        return TaskPage([TaskView.of(task, ref) for task, ref in rows], page, page_size, total)


@dataclass
class VersionView:
    version: int
    name: str
    deployed_by: str
    deployed_at: str | None
    content_hash: str
    files: list[str]

    @classmethod
    def of(cls, row: ProcessVersion) -> "VersionView":
        return cls(row.version, row.name, row.deployed_by, iso(row.deployed_at), row.content_hash,
                   sorted(row.files))

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def process_versions(session: Session, key: str) -> list[VersionView]:
    """Every deployed version of a process, oldest first; ProcessNotFound if there is none."""
    rows = list(session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == key)
                                .options(undefer(ProcessVersion.files)).order_by(ProcessVersion.version)))
    if not rows:
        raise ProcessNotFound(f"There is no process '{key}' deployed")
    return [VersionView.of(row) for row in rows]


def version_file(session: Session, key: str, version: int, name: str) -> str:
    """The text of one file (BPMN, DMN or form) as deployed in a version."""
    row = session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == key,
                                                      ProcessVersion.version == version)
                         .options(undefer(ProcessVersion.files)))
    if row is None:
        raise ProcessNotFound(f"There is no version {version} of process '{key}' deployed")
    if name not in row.files:
        raise NotFound(f"Version {version} of '{key}' has no file called '{name}'")
    return row.files[name]


def teams_with_open_tasks(session: Session) -> list[tuple[Team, int]]:
    """Every team with its number of open tasks, by name."""
    rows = session.execute(select(Task.team_id, func.count()).where(Task.status == TaskStatus.OPEN)
                           .group_by(Task.team_id))
    counts = {team_id: count for team_id, count in rows}
    return [(team, counts.get(team.id, 0)) for team in routing.list_teams(session)]
