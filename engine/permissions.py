"""Who may act on which task: members of the task's team, and admins. Checked by the engine so the
web pages, the API and the CLI apply the same rule."""
from __future__ import annotations

from sqlalchemy.orm import Session

from .errors import Forbidden
from .persistence.tables import Task, User
from .types import Role
from .users import team_ids


def is_admin(user: User) -> bool:
    return Role.ADMIN.value in user.roles


def may_work_on(session: Session, user: User, task: Task) -> bool:
    return is_admin(user) or task.team_id in team_ids(session, user)


def require_team_member(session: Session, user: User | None, task: Task) -> None:
    """Raise Forbidden unless ``user`` (None = the system itself) may act on ``task``."""
    if user is not None and not may_work_on(session, user, task):
        team = task.team.name if task.team else "another team"
        raise Forbidden(f"Task {task.id} belongs to {team}; only its members can work on it")
