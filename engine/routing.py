"""Teams and the mapping of BPMN lanes / candidate groups to them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .errors import TeamNotFound
from .persistence.tables import LaneMapping, Team


def ensure_team(session: Session, name: str, now: datetime) -> Team:
    team = session.scalar(select(Team).where(Team.name == name))
    if team is not None:
        return team
    try:
        # Two workers may meet the same new lane at once: the loser re-reads the winner's row.
        with session.begin_nested():
            team = Team(name=name, created_at=now)
            session.add(team)
    except IntegrityError:
        team = session.scalars(select(Team).where(Team.name == name)).one()
    return team


def get_team(session: Session, name: str) -> Team:
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        raise TeamNotFound(f"There is no team called '{name}'")
    return team


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
    mapping = session.get(LaneMapping, source)
    if mapping is None:
        session.add(LaneMapping(source=source, team_id=team.id))
    else:
        mapping.team_id = team.id


def team_for(session: Session, source: str | None, default_team: str, now: datetime) -> Team:
    """The team that works tasks from this lane/group (the default team when there is none)."""
    if source:
        mapping = session.get(LaneMapping, source)
        if mapping is not None:
            return session.get_one(Team, mapping.team_id)
        ensure_mapping(session, source, now)
        return team_for(session, source, default_team, now)
    return ensure_team(session, default_team, now)


def rename_team(session: Session, old: str, new: str) -> Team:
    team = get_team(session, old)
    team.name = new
    return team


def list_teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).order_by(Team.name)))
