"""The inbox pages people use, timed through ``engine.casework.queries`` as the web inbox and the API call it.

``benchmarks/inbox.py`` seeds the tasks; this module adds the people who look at them and times what
each one's page asks the engine for:

* ``member_1_team``: someone in one team opens their team's inbox (``task_page`` with that team,
  open or handed back, oldest first, 25 a page: the web inbox's defaults);
* ``member_5_teams``: someone in five teams lists every task they may see (``task_page`` with no
  team: the API's ``GET /api/v1/tasks``), so five teams' tasks are merged;
* ``admin``: an admin lists every team's tasks the same way;
* ``team_counts``: the tab counts an admin's inbox shows on every page, for all teams.

Samples rotate through the four in turn, so other load on the machine weighs on each alike.
``slowest_statements`` finds the statement a page spends its time in, with the database's plan.
"""
from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event

from engine.casework import queries
from engine.people import users
from engine.context import Context
from engine.persistence.db import Database
from engine.types import Role

TEAMS = 50
PAGE = 25
FIVE = 5
FIVE_TEAM_MEMBERS = TEAMS // FIVE
ADMIN = "admin@example.gov.uk"


def team_name(index: int) -> str:
    return f"Inbox team {index:02d}"


@dataclass
class Timings:
    label: str
    samples_ms: list[float] = field(default_factory=list)

    def pct(self, fraction: float) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return self.pct(0.95)

    def to_dict(self) -> dict[str, float]:
        return {"p50_ms": round(self.p50, 2), "p95_ms": round(self.p95, 2)}


@dataclass(frozen=True)
class Viewers:
    """Who looks: one member per team, a member of each run of five teams, and an admin."""

    member_of_team: dict[int, str]   # team index -> email of its one-team member
    member_ids: dict[int, int]       # team index -> that member's user id (tasks are assigned to them)
    five_team_members: list[str]


def seed_viewers(db: Database, now: datetime) -> Viewers:
    """The people, through the engine's own ``add_user`` (teams must exist already)."""
    member_of_team, member_ids, five = {}, {}, []
    with db.transaction() as session:
        for t in range(1, TEAMS + 1):
            email = f"member{t:02d}@example.gov.uk"
            user = users.add_user(session, email, f"Member {t}", [Role.BACK_OFFICE], now, [team_name(t)])
            session.flush()
            member_of_team[t], member_ids[t] = email, user.id
        for k in range(FIVE_TEAM_MEMBERS):
            email = f"five{k:02d}@example.gov.uk"
            users.add_user(session, email, f"Five teams {k}", [Role.BACK_OFFICE], now,
                           [team_name(FIVE * k + j) for j in range(1, FIVE + 1)])
            five.append(email)
        users.add_user(session, ADMIN, "Admin", [Role.ADMIN], now)
    return Viewers(member_of_team, member_ids, five)


def page_calls(ctx: Context, viewers: Viewers, rng: random.Random) -> dict[str, Callable[[], bool]]:
    """Each page as a call that says whether its answer was whole (a full page; every team counted)."""
    def member_1_team() -> bool:
        team = rng.randint(1, TEAMS)
        wanted = queries.TaskFilter(team=team_name(team), status=queries.ACTIVE)
        return len(queries.task_page(ctx, wanted, viewers.member_of_team[team], 1, PAGE).items) == PAGE

    def member_5_teams() -> bool:
        wanted = queries.TaskFilter(status=queries.ACTIVE)
        return len(queries.task_page(ctx, wanted, rng.choice(viewers.five_team_members), 1, PAGE).items) == PAGE

    def admin() -> bool:
        return len(queries.task_page(ctx, queries.TaskFilter(status=queries.ACTIVE), ADMIN, 1, PAGE).items) == PAGE

    def team_counts() -> bool:
        return len(queries.team_counts(ctx, ADMIN)) == TEAMS

    return {"member_1_team": member_1_team, "member_5_teams": member_5_teams, "admin": admin,
            "team_counts": team_counts}


def time_people_pages(ctx: Context, viewers: Viewers, samples: int, warmup: int,
                      rng: random.Random) -> dict[str, Timings]:
    calls = page_calls(ctx, viewers, rng)
    timings = {name: Timings(name) for name in calls}
    names = list(calls)
    for n in range(warmup + samples):
        for name in names[n % len(names):] + names[:n % len(names)]:
            started = time.perf_counter()
            whole = calls[name]()
            took = (time.perf_counter() - started) * 1000
            if not whole:
                raise RuntimeError(f"{name} answered less than a full page or fewer teams: seed more tasks")
            if n >= warmup:
                timings[name].samples_ms.append(took)
    return timings


def statements_of(ctx: Context, call: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The SQL (and parameters) that one call sends: what EXPLAIN should see."""
    seen: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(ctx.db.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", record)
    return seen


def explain(ctx: Context, statement: str, parameters: Any, repeat: int = 5) -> tuple[list[str], float]:
    """The database's plan for one statement, and the median time of that SQL alone (ms)."""
    prefix = "EXPLAIN QUERY PLAN " if ctx.db.is_sqlite else "EXPLAIN "
    with ctx.db.engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
        took = []
        for _ in range(repeat):
            started = time.perf_counter()
            connection.exec_driver_sql(statement, parameters).all()
            took.append((time.perf_counter() - started) * 1000)
    plan = [str(row[-1] if ctx.db.is_sqlite else row[0]) for row in rows]  # SQLite: the detail column
    return plan, statistics.median(took)


def slowest_statements(ctx: Context, call: Callable[[], Any], keep: int = 2) -> list[tuple[float, str, list[str]]]:
    """The ``keep`` statements of one call that take longest alone: (ms, SQL, plan), slowest first."""
    found = []
    for statement, parameters in statements_of(ctx, call):
        if statement.lstrip().upper().startswith("SELECT"):
            plan, took = explain(ctx, statement, parameters)
            found.append((took, statement, plan))
    return sorted(found, key=lambda item: -item[0])[:keep]
