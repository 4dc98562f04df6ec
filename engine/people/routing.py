"""Teams and the mapping of BPMN lanes / candidate groups to them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached

from ..casework import history
from ..casework.caselock import lock_case
from ..errors import Conflict, TeamNotFound, UserError
from ..governance import audit
from ..persistence import configuration
from ..persistence.tables import LaneMapping, Membership, ProcessVersion, Task, Team, User
from ..types import AuditKind, EventKind, TaskStatus

if TYPE_CHECKING:
    from ..context import Context


# Built once: a task with no lane goes to the default team at every step.
_TEAM_BY_NAME = select(Team).where(Team.name == bindparam("name"))


def ensure_team(session: Session, name: str, now: datetime) -> Team:
    team = session.scalar(_TEAM_BY_NAME, {"name": name})
    if team is not None:
        return team
    try:
        # Two workers may meet the same new lane at once: the loser re-reads the winner's row.
        with session.begin_nested():
            team = Team(name=name, created_at=now)
            session.add(team)
    except IntegrityError:
        team = session.scalars(_TEAM_BY_NAME, {"name": name}).one()
    return team


def get_team(session: Session, name: str) -> Team:
    team = session.scalar(_TEAM_BY_NAME, {"name": name})
    if team is None:
        raise TeamNotFound(f"There is no team called '{name}'")
    return team


def find_team(session: Session, name: object) -> Team | None:
    """The team called ``name`` (None if there is none, or ``name`` is not a text): a task routed by
    case data (``team_variable``) goes only to a team that exists, never to one the data invents."""
    if not isinstance(name, str) or not name.strip():
        return None
    return session.scalar(_TEAM_BY_NAME, {"name": name.strip()})


def ensure_mapping(session: Session, source: str, now: datetime) -> None:
    """A lane or group seen for the first time gets a team of the same name."""
    if session.get(LaneMapping, source) is not None:
        return
    team_id = ensure_team(session, source, now).id
    try:
        with session.begin_nested():
            session.add(LaneMapping(source=source, team_id=team_id))
    except IntegrityError:
        pass  # another writer mapped it at the same moment


def map_lane(session: Session, source: str, team_name: str) -> None:
    team = get_team(session, team_name)
    session.info.pop("lane_teams", None)  # team_for's memo of this transaction
    mapping = session.get(LaneMapping, source)
    if mapping is None:
        session.add(LaneMapping(source=source, team_id=team.id))
    else:
        mapping.team_id = team.id


_LANE_TEAM = select(Team).join(LaneMapping, LaneMapping.team_id == Team.id) \
    .where(LaneMapping.source == bindparam("source"))  # built once: a task is routed at every step


def _kept_team(session: Session, source: str) -> Team | None:
    """The lane's team from this process's copy, joined to the session without reading it."""
    kept = configuration.lookup(session, "lanes", source)
    if kept is None:
        return None
    team = Team(id=kept[0], name=kept[1], created_at=kept[2])
    make_transient_to_detached(team)
    return session.merge(team, load=False)


def team_for(session: Session, source: str | None, default_team: str, now: datetime) -> Team:
    """The team that works tasks from this lane/group (the default team when there is none). A lane's team
    is read once per transaction (a sweep's batch opens many tasks in the same lanes), and not at all while
    this process's copy is current (``engine.persistence.configuration``)."""
    if source:
        memo: dict[str, Team] = session.info.setdefault("lane_teams", {})
        team = memo.get(source) or _kept_team(session, source)
        if team is None:
            team = session.scalar(_LANE_TEAM, {"source": source})
            if team is not None:
                configuration.remember(session, "lanes", source, (team.id, team.name, team.created_at))
        if team is not None:
            memo[source] = team
            return team
        ensure_mapping(session, source, now)
        return team_for(session, source, default_team, now)
    return ensure_team(session, default_team, now)


def _free_name(session: Session, name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise UserError("Enter a team name")
    if len(name) > 200:
        raise UserError("A team name must be 200 characters or fewer")
    if session.scalar(select(Team.id).where(func.lower(Team.name) == name.lower())) is not None:
        raise Conflict(f"There is already a team called '{name}'")
    return name


def create_team(session: Session, name: str, now: datetime) -> Team:
    """A new team; unlike ensure_team, a name already taken (in any letter case) is an error."""
    team = Team(name=_free_name(session, name), created_at=now)
    session.add(team)
    session.flush()
    return team


def rename_team(session: Session, old: str, new: str) -> Team:
    team = get_team(session, old)
    if " ".join(new.split()) != team.name:
        if " ".join(new.split()).lower() == team.name.lower():
            team.name = " ".join(new.split())  # only the letter case changes
        else:
            team.name = _free_name(session, new)
    return team


def list_teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).order_by(Team.name)))


def list_mappings(session: Session) -> dict[str, str]:
    """Lane or candidate group -> the name of the team that works its tasks."""
    rows = session.execute(select(LaneMapping.source, Team.name).join(Team, Team.id == LaneMapping.team_id))
    return dict(sorted((source, name) for source, name in rows))


def remove_mapping(session: Session, source: str) -> None:
    """Forget a mapping: the lane falls back to a team of its own name when next met."""
    mapping = session.get(LaneMapping, source)
    if mapping is None:
        raise UserError(f"The lane '{source}' is not mapped to a team")
    session.delete(mapping)


# -- the admin pages' view of teams and lanes ----------------------------------------------------

@dataclass(frozen=True)
class TeamSummary:
    id: int
    name: str
    members: int
    open_tasks: int


@dataclass(frozen=True)
class Lane:
    """A lane or candidate group seen in deployed maps (or mapped by hand), and where it goes now."""

    source: str
    team: str
    mapped: bool  # False: no mapping yet, so a team of the lane's own name gets its tasks
    processes: list[str]
    tasks: list[tuple[str, str]]  # (process key, BPMN task id) of the user tasks in the lane


def active_members(session: Session) -> dict[int, int]:
    """Team id -> how many active people are in it (teams nobody active is in are left out)."""
    return dict(session.execute(select(Membership.team_id, func.count()).join(User, User.id == Membership.user_id)
                                .where(User.active.is_(True)).group_by(Membership.team_id)).all())


def unstaffed_teams_with_work(ctx: "Context") -> list[TeamSummary]:
    """Teams with open tasks and no active member: work nobody can see in an inbox (admins' and
    team leads' inboxes list them)."""
    return [t for t in team_summaries(ctx) if t.open_tasks and not t.members]


def team_summaries(ctx: "Context") -> list[TeamSummary]:
    """Every team with its active members and open tasks, by name."""
    with ctx.db.transaction(readonly=True) as session:
        members = active_members(session)
        tasks = {team: n for team, n in session.execute(
            select(Task.team_id, func.count()).where(Task.status == TaskStatus.OPEN).group_by(Task.team_id))}
        return [TeamSummary(t.id, t.name, members.get(t.id, 0), tasks.get(t.id, 0)) for t in list_teams(session)]


def add_team(ctx: "Context", name: str, actor: str = "system") -> str:
    with ctx.db.transaction() as session:
        team = create_team(session, name, ctx.clock.now())
        audit.record(session, AuditKind.TEAM_CREATED, actor, ctx.clock.now(), team.name)
        return team.name


def team_names(ctx: "Context") -> list[tuple[int, str]]:
    """Every team's id and name, by name."""
    with ctx.db.transaction(readonly=True) as session:
        return [(t.id, t.name) for t in list_teams(session)]


def ready_team(ctx: "Context", name: str, actor: str = "system") -> tuple[int, str]:
    """The team called ``name``, created if new."""
    with ctx.db.transaction() as session:
        new = session.scalar(select(Team.id).where(Team.name == name)) is None
        team = ensure_team(session, name, ctx.clock.now())
        if new:
            audit.record(session, AuditKind.TEAM_CREATED, actor, ctx.clock.now(), team.name)
        return team.id, team.name


def send_lane_to(ctx: "Context", source: str, team_name: str, actor: str = "system") -> None:
    """Tasks from the lane or candidate group ``source`` go to the team from now on."""
    with ctx.db.transaction() as session:
        map_lane(session, source, team_name)
        audit.record(session, AuditKind.LANE_MAPPED, actor, ctx.clock.now(), source, team=team_name)


def _renamed(ctx: "Context", session: Session, old: str, new: str, actor: str) -> str:
    name = rename_team(session, old, new).name
    audit.record(session, AuditKind.TEAM_RENAMED, actor, ctx.clock.now(), name, previous=old)
    return name


def rename_named(ctx: "Context", old: str, new: str, actor: str = "system") -> str:
    with ctx.db.transaction() as session:
        return _renamed(ctx, session, old, new, actor)


def rename(ctx: "Context", team_id: int, new: str, actor: str = "system") -> str:
    with ctx.db.transaction() as session:
        team = session.get(Team, team_id)
        if team is None:
            raise TeamNotFound(f"There is no team with id {team_id}")
        return _renamed(ctx, session, team.name, new, actor)


def _sources(session: Session) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for key, user_tasks in session.execute(select(ProcessVersion.process_key, ProcessVersion.user_tasks)):
        for task_id, meta in (user_tasks or {}).items():
            if meta.get("team_source") and (key, task_id) not in found.setdefault(meta["team_source"], []):
                found[meta["team_source"]].append((key, task_id))
    return found


def lanes(ctx: "Context") -> list[Lane]:
    """Every lane and candidate group of every deployed version, with its team now."""
    with ctx.db.transaction(readonly=True) as session:
        mappings, sources = list_mappings(session), _sources(session)
    names = sorted(set(sources) | set(mappings), key=str.lower)
    return [Lane(name, mappings.get(name, name), name in mappings,
                 sorted({key for key, _ in sources.get(name, [])}), sorted(sources.get(name, [])))
            for name in names]


def map_lanes(ctx: "Context", wanted: dict[str, str], move_open_tasks: bool = False,
              actor: str = "system") -> tuple[list[str], int]:
    """Send each lane's NEW tasks to the named team; with ``move_open_tasks`` its open tasks move
    too (an assignee who is not in the new team is unassigned; each move is in its case's history).
    Returns the changed lanes and the number of tasks moved."""
    changed, moved = [], 0
    with ctx.db.transaction() as session:
        sources = _sources(session)
        for source, team_name in wanted.items():
            team = get_team(session, team_name)
            old = session.get(LaneMapping, source)
            if old is not None and old.team_id == team.id:
                continue
            old_team_id = old.team_id if old is not None else None
            map_lane(session, source, team.name)
            audit.record(session, AuditKind.LANE_MAPPED, actor, ctx.clock.now(), source, team=team.name,
                         move_open_tasks=move_open_tasks)
            changed.append(source)
            if move_open_tasks and old_team_id is not None:
                moved += _move_open_tasks(session, sources.get(source, []), old_team_id, team,
                                          actor, ctx.clock.now())
    return changed, moved


def _move_open_tasks(session: Session, places: list[tuple[str, str]], old: int, new: Team, actor: str,
                     now: datetime) -> int:
    members = set(session.scalars(select(Membership.user_id).where(Membership.team_id == new.id)))
    old_name = session.get_one(Team, old).name
    moved = 0
    for key, task_id in places:
        waiting = list(session.scalars(select(Task.id).where(Task.process_key == key, Task.bpmn_id == task_id,
                                                             Task.team_id == old, Task.status == TaskStatus.OPEN)))
        for row_id in waiting:
            # The case lock every other writer takes: a task completed meanwhile is left alone.
            case_id = session.scalar(select(Task.case_id).where(Task.id == row_id))
            lock_case(session, case_id=case_id)
            task = session.get_one(Task, row_id, populate_existing=True)
            if task.status != TaskStatus.OPEN or task.team_id != old:
                continue
            task.team_id = new.id
            unassigned = task.assignee_id is not None and task.assignee_id not in members
            if unassigned:
                task.assignee_id = None
            history.add_event(session, task.case_id, task.id, actor, now, EventKind.TASK_MOVED,
                              {"task_name": task.name, "from_team": old_name, "team": new.name,
                               "unassigned": unassigned})
            moved += 1
    return moved
