"""The inbox tabs' counts: their statements are built once per set of teams (engine.casework.queries), so these
check that every call still counts afresh and that a new team or membership is counted at once."""
from __future__ import annotations

from engine.casework import cases, queries
from engine.people import routing, users
from engine.types import Role
from tests.engine.helpers import deploy_library

ADMIN, OFFICER = "admin@example.gov.uk", "officer@example.gov.uk"


def _tabs(ctx, email: str) -> dict[str, tuple[int, int, int, int]]:
    return {c.team: (c.open, c.unassigned, c.mine, c.handed_back) for c in queries.team_counts(ctx, email)}


def test_tab_counts_follow_new_tasks_claims_and_teams(ctx):
    deploy_library(ctx)
    with ctx.db.transaction() as s:
        users.add_user(s, ADMIN, "Ada Admin", [Role.ADMIN], ctx.clock.now())
        users.add_user(s, OFFICER, "Olu Officer", [Role.BACK_OFFICE], ctx.clock.now(), ["Customer Hub"])
    first = cases.start_case(ctx, "missed_bin_collection", {"postcode": "AB1 2CD"})
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
