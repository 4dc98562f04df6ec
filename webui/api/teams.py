"""Teams, with how many open tasks each has (for dashboards and routing scripts)."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from engine import casework

from . import bp, context
from .roles import EVERYONE, requires


@bp.get("/teams")
@requires(*EVERYONE)
def list_teams() -> Any:
    rows = [{"id": team_id, "name": name, "open_tasks": count}
            for team_id, name, count in casework.open_tasks_by_team(context())]
    return jsonify(rows)
