"""Read-only queries the interfaces page through: the task inbox with its filters and counts, who
may see a case, process versions and their files, and teams with their open workload.

Every query reads projection tables only (``task``, ``case``, ``process_version``, ``team``), never
workflow state, so its cost does not grow with the size of cases.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select, union_all
from sqlalchemy.orm import Session, undefer

from ..bpmn import registry
from ..context import Context
from ..deadlines import calendar_settings, sla, sla_rows
from ..errors import CaseNotFound, Forbidden, NotFound, ProcessNotFound
from ..people import permissions, routing, users
from ..persistence.tables import (Case, Customer, DirectoryEntry, Membership, ProcessVersion, SlaClock, Task, Team,
                                 User)
from ..types import TaskStatus
from . import capped
from .capped import capped_counts
from .views import TaskView, case_reference, iso

TASK_SORTS = ("created_at", "due_at")
ACTIVE = (TaskStatus.OPEN, TaskStatus.HANDED_BACK)  # what still needs someone: open or awaiting an answer
TOTAL_CAP = 10_000  # an inbox's total is exact up to here, then "10,000 or more" (see engine.casework.capped)
TAB_CAP = 1_000  # the tabs count four figures for each of the viewer's teams on every page, so stop sooner
MAX_TEAM_PARTS = 10  # beyond this many teams, read each status once and skip other teams' tasks


@dataclass(frozen=True)
class TaskFilter:
    """What an inbox shows. ``assignee`` is an email; ``unassigned`` selects the team queue."""

    team: str | None = None
    case: str | None = None
    assignee: str | None = None
    unassigned: bool = False
    process: str | None = None
    task: str | None = None  # a task's BPMN id or its name
    status: TaskStatus | tuple[TaskStatus, ...] = TaskStatus.OPEN  # one status, or any of several
    sort: str = "created_at"
    descending: bool = False


@dataclass
class TaskPage:
    items: list[TaskView]
    page: int
    page_size: int
    total: int
    process_keys: dict[int, str] = field(default_factory=dict)  # task id -> its process's key
    total_capped: bool = False  # there are more than ``total`` (= TOTAL_CAP) tasks

    def to_dict(self) -> dict[str, Any]:
        found = {"items": [t.to_dict() for t in self.items], "page": self.page,
                 "page_size": self.page_size, "total": self.total}
        # Only when it applies, so every answer under the cap reads exactly as before.
        return {**found, "total_capped": True} if self.total_capped else found


def visible_team_ids(session: Session, viewer: User) -> set[int] | None:
    """The teams whose tasks ``viewer`` may see; None means every team (admins)."""
    return None if permissions.is_admin(viewer) else users.team_ids(session, viewer)


@dataclass(frozen=True)
class _Where:
    """An inbox filter as SQL: the teams to look in (None: every team), the statuses, and the other terms."""

    teams: list[int] | None
    statuses: tuple[TaskStatus, ...]
    terms: list[ColumnElement[bool]]
    selective: bool  # a case or an assignee: few rows, so one plain query beats one per team

    def all_terms(self) -> list[ColumnElement[bool]]:
        teams = [] if self.teams is None else [Task.team_id.in_(self.teams)]
        return [Task.status.in_(self.statuses), *teams, *self.terms]


def _where(session: Session, wanted: TaskFilter, viewer: User) -> _Where:
    statuses = wanted.status if isinstance(wanted.status, tuple) else (wanted.status,)
    visible = visible_team_ids(session, viewer)
    teams = None if visible is None else sorted(visible)
    if wanted.team is not None:
        team = routing.get_team(session, wanted.team)
        if visible is not None and team.id not in visible:
            raise Forbidden(f"You are not a member of {team.name}, so you cannot see its tasks")
        teams = [team.id]
    terms: list[ColumnElement[bool]] = []
    if wanted.case is not None:
        terms.append(Task.case_id.in_(select(Case.id).where(Case.reference == wanted.case)))
    if wanted.assignee is not None:
        # A filter, not a look-up: an address without an account matches nothing, exactly like one
        # whose tasks are all outside the viewer's teams, so the answer never says who has an account.
        terms.append(Task.assignee_id.in_(
            select(User.id).where(User.email == wanted.assignee.strip().lower())))
    elif wanted.unassigned:
        terms.append(Task.assignee_id.is_(None))
    if wanted.process is not None:
        terms.append(Task.process_key == wanted.process)
    if wanted.task is not None:
        terms.append((Task.bpmn_id == wanted.task) | (Task.name == wanted.task))
    return _Where(teams, statuses, terms, wanted.case is not None or wanted.assignee is not None)


def _page_ids(session: Session, where: _Where, wanted: TaskFilter, limit: int, offset: int) -> list[int]:
    """The ids of one page of tasks, in inbox order: ``sort`` (tasks without one last), then id.

    An ORDER BY across several teams or statuses cannot walk one index, so the database would sort
    every matching task (20,000 per team at a million open tasks) to return 25. Instead each
    (team, status) — or each status, for admins and people in many teams — reads just its first
    ``offset + limit`` tasks in index order, and only those few are merged and sorted."""
    column = getattr(Task, wanted.sort)
    key = column.desc() if wanted.descending else column.asc()
    tie = Task.id.desc() if wanted.descending else Task.id.asc()
    nullable = bool(column.nullable)
    if where.selective:
        keys = (column.is_(None), key, tie) if nullable else (key, tie)
        return list(session.scalars(select(Task.id).where(*where.all_terms()).order_by(*keys)
                                    .limit(limit).offset(offset)))
    if where.teams is None or len(where.teams) > MAX_TEAM_PARTS:
        parts = [[Task.status == s, *_teams_term(where.teams)] for s in where.statuses]
    else:
        parts = [[Task.team_id == t, Task.status == s] for t in where.teams for s in where.statuses]
    # A nullable sort key (due date) puts its NULLs last: each part then reads its dated tasks, and
    # its undated ones (in id order) after them.
    halves = [(0, column.is_not(None), key), (1, column.is_(None), tie)] if nullable else [(0, None, key)]
    subqueries = []
    for part in parts:
        for last, term, order in halves:
            sub = (select(Task.id.label("id"), literal(last).label("last"), column.label("key"))
                   .where(*part, *where.terms, *([] if term is None else [term]))
                   .order_by(order, tie).limit(offset + limit).subquery())
            subqueries.append(select(sub.c.id, sub.c.last, sub.c.key))
    if not subqueries:
        return []
    merged = (union_all(*subqueries) if len(subqueries) > 1 else subqueries[0]).subquery()
    order = merged.c.key.desc() if wanted.descending else merged.c.key.asc()
    merged_tie = merged.c.id.desc() if wanted.descending else merged.c.id.asc()
    return list(session.scalars(select(merged.c.id).order_by(merged.c.last, order, merged_tie)
                                .limit(limit).offset(offset)))


def _teams_term(teams: list[int] | None) -> list[ColumnElement[bool]]:
    return [] if teams is None else [Task.team_id.in_(teams)]


def task_page(ctx: Context, wanted: TaskFilter, viewer_email: str, page: int = 1,
              page_size: int = 50) -> TaskPage:
    """One page of the tasks ``viewer_email`` may see, and how many there are in all (exact up to
    ``TOTAL_CAP``; beyond it ``total_capped`` says the total is "at least").

    Non-admins see only their teams' tasks; naming another team raises Forbidden."""
    if wanted.sort not in TASK_SORTS:
        raise ValueError(f"unknown sort {wanted.sort!r}")
    with ctx.db.transaction(readonly=True) as session:
        viewer = users.get_user(session, viewer_email)
        where = _where(session, wanted, viewer)
        if where.teams == []:
            return TaskPage([], page, page_size, 0)
        counted = capped_counts(session, {"total": select(Task.id).where(*where.all_terms())}, TOTAL_CAP)["total"]
        ids = _page_ids(session, where, wanted, page_size, (page - 1) * page_size)
        rows = {task.id: (task, ref) for task, ref in
                session.execute(select(Task, Case.reference).join(Case, Case.id == Task.case_id)
                                .where(Task.id.in_(ids)))}
        found = [rows[i] for i in ids if i in rows]
        return TaskPage([TaskView.of(task, case_reference(ref)) for task, ref in found], page, page_size,
                        min(counted, TOTAL_CAP), {task.id: task.process_key for task, _ in found},
                        total_capped=counted > TOTAL_CAP)


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
    text: str = row.files[name]  # file name -> its text
    return text


@dataclass(frozen=True)
class ProcessListing:
    process: str
    name: str
    latest_version: int
    versions: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def processes(ctx: Context) -> list[ProcessListing]:
    """Every deployed process with its latest version and number of versions, by key."""
    with ctx.db.transaction(readonly=True) as session:
        return [ProcessListing(p.key, p.name, p.latest_version, n) for p, n in registry.list_processes(session)]


def versions(ctx: Context, key: str) -> list[VersionView]:
    with ctx.db.transaction(readonly=True) as session:
        return process_versions(session, key)


def deployed_file(ctx: Context, key: str, version: int, name: str) -> str:
    with ctx.db.transaction(readonly=True) as session:
        return version_file(session, key, version, name)


def open_tasks_by_team(ctx: Context) -> list[tuple[int, str, int]]:
    """(id, name, open tasks) of every team, by name."""
    with ctx.db.transaction(readonly=True) as session:
        return [(team.id, team.name, n) for team, n in teams_with_open_tasks(session)]


def teams_with_open_tasks(session: Session) -> list[tuple[Team, int]]:
    """Every team with its number of open tasks, by name."""
    rows = session.execute(select(Task.team_id, func.count()).where(Task.status == TaskStatus.OPEN)
                           .group_by(Task.team_id))
    counts = {team_id: count for team_id, count in rows}
    return [(team, counts.get(team.id, 0)) for team in routing.list_teams(session)]


@dataclass(frozen=True)
class TeamCounts:
    team: str
    open: int          # open tasks (not handed back)
    unassigned: int    # open tasks nobody has claimed
    mine: int          # open tasks assigned to the viewer
    handed_back: int   # tasks waiting for the front office to answer a question
    over_cap: tuple[str, ...] = ()  # the counts above that stopped at TAB_CAP

    def text(self, name: str) -> str:
        """A count as the tabs show it: "12", or "1,000 or more" once it reached the cap."""
        return f"{TAB_CAP:,} or more" if name in self.over_cap else str(getattr(self, name))


_TABS = {"open": (TaskStatus.OPEN, None), "unassigned": (TaskStatus.OPEN, Task.assignee_id.is_(None)),
         "handed_back": (TaskStatus.HANDED_BACK, None)}


@lru_cache(maxsize=256)
def _tab_counts(team_ids: tuple[int, ...], tabs: tuple[str, ...]) -> capped.Prepared[tuple[int, str]]:
    """The tabs' counting statements for these teams, built once: for an admin's 50 teams, building
    the 150 counts and their cache key took 12 ms of every inbox page, twice what counting did."""
    return capped.prepare({
        (team_id, name): select(Task.id).where(Task.team_id == team_id, Task.status == status,
                                               *([] if term is None else [term]))
        for team_id in team_ids for name, (status, term) in _TABS.items() if name in tabs}, TAB_CAP)


def team_counts(ctx: Context, viewer_email: str) -> list[TeamCounts]:
    """The inbox tabs: each of the viewer's teams (every team for admins) with its counts, by name.

    Counts stop at TAB_CAP (``TeamCounts.text`` says "or more"): grouping every active task costs
    1.7 s for an admin at a million open tasks, while a capped count per team reads one index range.
    Unassigned tasks are counted first: a team with more than TAB_CAP of them has more than TAB_CAP
    open tasks too, so only the other teams' open tasks are counted (at a million open tasks, a third
    of the index ranges the page read)."""
    with ctx.db.transaction(readonly=True) as session:
        viewer = users.get_user(session, viewer_email)
        visible = visible_team_ids(session, viewer)
        teams = [t for t in routing.list_teams(session) if visible is None or t.id in visible]
        counted = capped.run(session, _tab_counts(tuple(team.id for team in teams), ("unassigned", "handed_back")))
        crowded = {team.id for team in teams if counted[team.id, "unassigned"] > TAB_CAP}
        counted.update({(team_id, "open"): counted[team_id, "unassigned"] for team_id in crowded})
        counted.update(capped.run(session, _tab_counts(tuple(t.id for t in teams if t.id not in crowded), ("open",))))
        # One's own open tasks are few, so they are counted exactly, through the assignee index.
        mine = dict(session.execute(select(Task.team_id, func.count())
                                    .where(Task.assignee_id == viewer.id, Task.status == TaskStatus.OPEN)
                                    .group_by(Task.team_id)).all())
        result = []
        for team in teams:
            values = {name: min(counted[team.id, name], TAB_CAP) for name in _TABS}
            over = tuple(name for name in _TABS if counted[team.id, name] > TAB_CAP)
            result.append(TeamCounts(team.name, values["open"], values["unassigned"], mine.get(team.id, 0),
                                     values["handed_back"], over))
        return result


def team_members(ctx: Context, team: str, viewer_email: str) -> list[tuple[str, str]]:
    """(email, name) of a team's active members, by name, for a member of it (or an admin)."""
    with ctx.db.transaction(readonly=True) as session:
        row = routing.get_team(session, team)
        visible = visible_team_ids(session, users.get_user(session, viewer_email))
        if visible is not None and row.id not in visible:
            raise Forbidden(f"You are not a member of {row.name}")
        people = session.scalars(select(User).join(Membership, Membership.user_id == User.id)
                                 .where(Membership.team_id == row.id, User.active.is_(True)).order_by(User.name))
        return [(u.email, u.name) for u in people]


def display_names(ctx: Context, emails: set[str]) -> dict[str, str]:
    """email -> the person's name, for the emails that belong to someone."""
    with ctx.db.transaction(readonly=True) as session:
        return dict(session.execute(select(User.email, User.name).where(User.email.in_(sorted(emails)))).all())


def sla_remaining(ctx: Context, task_ids: list[int]) -> dict[int, str]:
    """Task id -> "2 working days left" (or "due today", "1 working day overdue", "paused") for the
    tasks with a running SLA clock, counted in the council's working calendar."""
    if not task_ids:
        return {}
    with ctx.db.transaction(readonly=True) as session:
        clocks = list(session.scalars(select(SlaClock).where(SlaClock.task_id.in_(task_ids),
                                                             SlaClock.stopped_at.is_(None))))
        if not clocks:
            return {}
        calendar, now = calendar_settings.load(session), ctx.clock.now()
        return {c.task_id: sla.remaining_text(calendar, sla_rows.terms_of(c).unit, now, c.due_at, c.state)
                for c in clocks if c.task_id is not None}


@dataclass(frozen=True)
class CaseHeader:
    """What the case page's summary needs beyond ``cases.show_case``."""

    reference: str
    process_name: str
    created_by: str
    customer: str | None
    service_name: str = ""  # the directory's name for the service (a generic map stands for many), else the process's


def _visible_case(session: Session, reference: str, viewer_email: str) -> Case:
    """The case, or CaseNotFound — also when ``viewer_email`` may not see it (``permissions.may_see_case``),
    so another team's reference reads exactly as one that does not exist."""
    case = session.scalar(select(Case).where(Case.reference == reference))
    if case is None:
        raise CaseNotFound(f"There is no case {reference}")
    permissions.require_case_visible(session, users.get_user(session, viewer_email), case)
    return case


def require_case_visible(ctx: Context, reference: str, viewer_email: str, missing_ok: bool = False) -> None:
    """CaseNotFound unless the case exists and ``viewer_email`` may see it (``missing_ok``: a case that
    does not exist passes, for an engine use case that answers a missing case itself)."""
    with ctx.db.transaction(readonly=True) as session:
        if missing_ok and session.scalar(select(Case.id).where(Case.reference == reference)) is None:
            return
        _visible_case(session, reference, viewer_email)


def case_header(ctx: Context, reference: str, viewer_email: str) -> CaseHeader:
    """The case's process name, creator and customer, for someone allowed to see the case."""
    with ctx.db.transaction(readonly=True) as session:
        case = _visible_case(session, reference, viewer_email)
        customer = session.get(Customer, case.customer_id) if case.customer_id is not None else None
        name = customer.name if customer else (case.data or {}).get("customer_name")
        entry = session.get(DirectoryEntry, case.service_key) if case.service_key else None
        process_name = case.version.name or case.process_key
        return CaseHeader(reference, process_name, case.created_by, str(name) if name else None,
                          entry.name if entry is not None else process_name)
