"""Who may see which case and act on which task, and who may give a task to whom. Checked by the
engine so the web pages, the API and the CLI apply the same rules.

A case or task someone may not see is reported exactly as one that does not exist (CaseNotFound,
TaskNotFound), so staff cannot learn which references exist in other teams.

Cases of a restricted directory service (safeguarding, care triage, revenues disputes; the case keeps
the sensitivity it started with) are need-to-know on top of that: only members of the teams that
own it — a team with a task on it, or the team that delivers the service — see it, and anyone else
who would see an ordinary case learns only that it exists and whom to contact (CaseRestricted). A
team lead or admin may open one in an emergency with a reason, recorded in its history, for a short
time (``engine.people.restricted``). ``may_see_case`` is the one rule, and ``visible_cases`` the same rule
in SQL for lists, so pages, the API, search and exports cannot drift apart."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from ..errors import CaseNotFound, CaseRestricted, Forbidden, TaskClaimedByOther, TaskNotFound
from ..persistence.tables import Case, CaseAccessGrant, DirectoryEntry, Task, Team, User
from ..types import Role, Sensitivity
from .users import has_role, team_ids


def is_admin(user: User) -> bool:
    return Role.ADMIN.value in user.roles


def may_work_on(session: Session, user: User, task: Task) -> bool:
    return is_admin(user) or task.team_id in team_ids(session, user)


def may_assign_to_others(user: User) -> bool:
    """Team leads (and admins) hand work to people; everyone else takes it for themselves (claim)."""
    return has_role(user, Role.TEAM_LEAD)


def may_start_services(user: User) -> bool:
    """The front office (and admins) start cases for residents; the front office pages admit only them."""
    return has_role(user, Role.FRONT_OFFICE)


def require_team_member(session: Session, user: User | None, task: Task) -> None:
    """Raise unless ``user`` (None = the system itself) may act on ``task``: TaskNotFound when they
    may not even see its case, else Forbidden."""
    if user is not None and not may_work_on(session, user, task):
        if not may_see_case(session, user, session.get_one(Case, task.case_id)):
            raise TaskNotFound(f"There is no task {task.id}")
        team = task.team.name if task.team else "another team"
        raise Forbidden(f"Task {task.id} belongs to {team}; only its members can work on it")


def require_may_assign(session: Session, actor: User | None, task: Task, assignee: str | None,
                       target: User | None) -> None:
    """The one rule for giving ``task`` to ``assignee`` (None: back to the team's queue), whoever asks
    and through whichever door (web inbox, API, CLI). ``target`` is the assignee's user, if any.

    Anyone in the task's team may claim it for themselves and put their own task back; only a team lead
    (or an admin, or the system) gives a task to someone else, takes it back to the queue from someone
    else, or passes on a colleague's claimed work. An address without an active account is refused with
    the words used for anyone outside the team, so the answer never tells which addresses have accounts.
    """
    require_team_member(session, actor, task)
    lead = actor is None or may_assign_to_others(actor)
    to_someone_else = assignee is not None and (actor is None or assignee.strip().lower() != actor.email)
    if to_someone_else and not lead:
        raise Forbidden(f"Only a team lead can give task {task.id} to someone else; claim it to work on it "
                        f"yourself")
    if assignee is not None and (target is None or not target.active or not may_work_on(session, target, task)):
        team = task.team.name if task.team else "the task's team"
        raise Forbidden(f"{assignee} is not a member of {team}, so task {task.id} cannot be assigned to them")
    if not lead and actor is not None and task.assignee_id not in (None, actor.id):
        # Someone's claimed work is theirs: only they, a team lead or an admin may pass it on.
        raise TaskClaimedByOther(f"Task {task.id} is claimed by {claimant(task)}; only they or a "
                                 f"team lead can reassign it")


def claimant(task: Task) -> str:
    """The email of whoever has claimed ``task``, for a "claimed by" message: asked only once
    ``task.assignee_id`` is known to be set, so a task without its assignee here is a bug."""
    if task.assignee is None:
        raise RuntimeError(f"Task {task.id} is claimed by a user it cannot name")
    return task.assignee.email


def may_break_glass(user: User) -> bool:
    """Team leads and admins may open a restricted case outside their teams, with a reason."""
    return has_role(user, Role.TEAM_LEAD)


def _teams_task(teams: list[int]) -> ColumnElement[bool]:
    return exists().where(Task.case_id == Case.id, Task.team_id.in_(teams))


def known_cases(session: Session, viewer: User) -> ColumnElement[bool] | None:
    """The cases ``viewer`` may know exist, as a SQL term on ``Case`` (None: every case): front
    office and admins know every case; back office and team leads the cases with a task (of any
    status) in one of their teams, and the restricted cases they may open."""
    if has_role(viewer, Role.FRONT_OFFICE):
        return None
    teams = sorted(team_ids(session, viewer))
    return or_(_teams_task(teams) if teams else false(), restricted_open_to(session, viewer))


def restricted_open_to(session: Session, viewer: User, now: datetime | None = None) -> ColumnElement[bool]:
    """The restricted cases ``viewer`` may open, as a SQL term on ``Case``: those a team of theirs
    owns, and those they were granted for now."""
    teams = sorted(team_ids(session, viewer))
    granted = exists().where(CaseAccessGrant.case_id == Case.id, CaseAccessGrant.user_id == viewer.id,
                             CaseAccessGrant.expires_at > (now or datetime.now(timezone.utc)))
    if not teams:
        return granted
    delivers = exists().where(DirectoryEntry.key == Case.service_key, DirectoryEntry.team_id.in_(teams))
    return or_(_teams_task(teams), delivers, granted)


def visible_cases(session: Session, viewer: User) -> ColumnElement[bool] | None:
    """``may_see_case`` as a SQL term on ``Case`` for queries over many cases; None: every case."""
    known = known_cases(session, viewer)
    ordinary = Case.sensitivity != Sensitivity.RESTRICTED
    return or_(ordinary if known is None else and_(ordinary, known), restricted_open_to(session, viewer))


def _holds(session: Session, term: ColumnElement[bool] | None, case: Case) -> bool:
    return term is None or session.scalar(select(Case.id).where(Case.id == case.id, term)) is not None


def may_see_case(session: Session, viewer: User, case: Case) -> bool:
    """May ``viewer`` see the case and everything on it (the rule is in this module's docstring)?"""
    if case.sensitivity == Sensitivity.RESTRICTED:
        return _holds(session, restricted_open_to(session, viewer), case)
    return _holds(session, known_cases(session, viewer), case)


def owning_teams(session: Session, case: Case) -> list[str]:
    """The teams a restricted case's notice tells others to contact: those with tasks on it and the
    team that delivers its service."""
    on_tasks = select(Task.team_id).where(Task.case_id == case.id)
    delivers = select(DirectoryEntry.team_id).where(DirectoryEntry.key == case.service_key)
    return list(session.scalars(select(Team.name).where(or_(Team.id.in_(on_tasks), Team.id.in_(delivers)))
                                .order_by(Team.name)))


def require_case_visible(session: Session, viewer: User, case: Case) -> None:
    """CaseNotFound, in the words used for a reference that does not exist, unless ``viewer`` may see
    the case; CaseRestricted (whom to contact) when they may know a restricted case exists but not open it."""
    if may_see_case(session, viewer, case):
        return
    if case.sensitivity == Sensitivity.RESTRICTED and _holds(session, known_cases(session, viewer), case):
        raise CaseRestricted(case.reference or "", owning_teams(session, case), may_break_glass(viewer))
    raise CaseNotFound(f"There is no case {case.reference}")
