"""Who may act on which task: members of the task's team, and admins. Checked by the engine so the
web pages, the API and the CLI apply the same rule."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import Forbidden
from .persistence.tables import Case, Task, User
from .types import Role
from .users import has_role, team_ids


def is_admin(user: User) -> bool:
    return Role.ADMIN.value in user.roles


def may_work_on(session: Session, user: User, task: Task) -> bool:
    return is_admin(user) or task.team_id in team_ids(session, user)


def require_team_member(session: Session, user: User | None, task: Task) -> None:
    """Raise Forbidden unless ``user`` (None = the system itself) may act on ``task``."""
    if user is not None and not may_work_on(session, user, task):
        team = task.team.name if task.team else "another team"
        raise Forbidden(f"Task {task.id} belongs to {team}; only its members can work on it")


def may_see_case(session: Session, viewer: User, case: Case) -> bool:
    """Front office and admins see every case; back office and team leads only the cases with a
    task (of any status) in one of their teams."""
    if has_role(viewer, Role.FRONT_OFFICE):
        return True
    teams = team_ids(session, viewer)
    return bool(teams) and session.scalar(
        select(Task.id).where(Task.case_id == case.id, Task.team_id.in_(teams)).limit(1)) is not None


def require_case_visible(session: Session, viewer: User, case: Case) -> None:
    if not may_see_case(session, viewer, case):
        raise Forbidden(f"Case {case.reference} has no tasks for your teams, so you cannot see it")
