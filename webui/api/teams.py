"""Teams, with how many open tasks each has (for dashboards and routing scripts)."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from engine import queries

from . import bp, context
from .roles import EVERYONE, requires


@bp.get("/teams")
@requires(*EVERYONE)
def list_teams() -> Any:
    with context().db.transaction(readonly=True) as session:
        rows = [{"id": team.id, "name": team.name, "open_tasks": count}
                for team, count in queries.teams_with_open_tasks(session)]
    return jsonify(rows)
