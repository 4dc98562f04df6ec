"""The inbox tabs' counts: their statements are built once per set of teams (engine.casework.queries), so these
check that every call still counts afresh and that a new team or membership is counted at once."""
from __future__ import annotations

import uuid

from sqlalchemy import insert, select

from engine.casework import cases, queries
from engine.people import routing, users
from engine.persistence.tables import Task
from engine.types import Role
from tests.engine.helpers import deploy_library

ADMIN, OFFICER = "admin@example.gov.uk", "officer@example.gov.uk"


def _tabs(ctx, email: str) -> dict[str, tuple[int, int, int, int]]:
    return {c.team: (c.open, c.unassigned, c.mine, c.handed_back) for c in queries.team_counts(ctx, email)}


def _first_case(ctx) -> cases.CaseView:
    """The library deployed, an admin and an officer of the Customer Hub, and one case started."""
    deploy_library(ctx)
    with ctx.db.transaction() as s:
        users.add_user(s, ADMIN, "Ada Admin", [Role.ADMIN], ctx.clock.now())
        users.add_user(s, OFFICER, "Olu Officer", [Role.BACK_OFFICE], ctx.clock.now(), ["Customer Hub"])
    return cases.start_case(ctx, "missed_bin_collection", {"postcode": "AB1 2CD"})


def test_tab_counts_follow_new_tasks_claims_and_teams(ctx):
    first = _first_case(ctx)
    team = first.tasks[0].team
    assert _tabs(ctx, ADMIN)[team] == (1, 1, 0, 0) and _tabs(ctx, OFFICER) == {team: (1, 1, 0, 0)}

    cases.start_case(ctx, "missed_bin_collection", {"postcode": "AB1 2CD"})
    cases.claim_task(ctx, first.tasks[0].id, OFFICER)
    assert _tabs(ctx, ADMIN)[team] == (2, 1, 0, 0) and _tabs(ctx, OFFICER) == {team: (2, 1, 1, 0)}

    routing.add_team(ctx, "Street Scene")
    with ctx.db.transaction() as s:
        users.add_user(s, "lead@example.gov.uk", "Lee Lead", [Role.TEAM_LEAD], ctx.clock.now(),
                       [team, "Street Scene"])
    assert _tabs(ctx, ADMIN)["Street Scene"] == (0, 0, 0, 0)
    assert _tabs(ctx, "lead@example.gov.uk") == {team: (2, 1, 0, 0), "Street Scene": (0, 0, 0, 0)}


def test_a_team_with_more_unassigned_tasks_than_the_cap_reads_or_more_on_both_tabs(ctx):
    # Unassigned tasks are counted first; past the cap, the open tab (which includes them) is not counted
    # at all and says "or more" too. A team at or under the cap has its open tasks counted.
    first = _first_case(ctx)
    busy = first.tasks[0].team
    with ctx.db.engine.begin() as conn:  # a busy team's backlog, bulk-loaded (starting that many cases is slow)
        row = dict(conn.execute(select(Task.__table__).where(Task.id == first.tasks[0].id)).mappings().one())
        del row["id"]
        conn.execute(insert(Task.__table__), [{**row, "spiff_id": str(uuid.uuid4())} for _ in range(queries.TAB_CAP)])
    routing.add_team(ctx, "Street Scene")
    counts = {c.team: c for c in queries.team_counts(ctx, ADMIN)}
    assert (counts[busy].open, counts[busy].unassigned, counts[busy].handed_back) == (queries.TAB_CAP,) * 2 + (0,)
    assert counts[busy].text("open") == counts[busy].text("unassigned") == f"{queries.TAB_CAP:,} or more"
    assert _tabs(ctx, ADMIN)["Street Scene"] == (0, 0, 0, 0)

    cases.claim_task(ctx, first.tasks[0].id, OFFICER)  # exactly the cap unassigned now: the open tab is counted
    counts = {c.team: c for c in queries.team_counts(ctx, OFFICER)}
    assert counts[busy].over_cap == ("open",) and counts[busy].text("unassigned") == str(queries.TAB_CAP)
    assert counts[busy].text("open") == f"{queries.TAB_CAP:,} or more" and counts[busy].mine == 1
