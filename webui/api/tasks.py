"""Tasks: the inbox (filtered, sorted, paged), claim, assign and complete.

Who may see and act on a task is the engine's rule (members of the task's team, and admins), so
the API, the web inbox and the CLI cannot disagree.
"""
from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine import casework
from engine.errors import TeamNotFound
from engine.types import TaskStatus

from . import bp, context
from .errors import as_field_error
from .payload import Query, json_body
from .roles import STAFF, current_user, requires
from .schemas import MAX_ID

TASK_ID = f"<int(min=1, max={MAX_ID}):task_id>"
SORTS = (*casework.TASK_SORTS, *(f"-{s}" for s in casework.TASK_SORTS))
MAX_PAGE_SIZE = 200
MAX_PAGE = 100_000


def _filter(query: Query) -> casework.TaskFilter:
    """The inbox filter from the query string; ``assignee`` may be an email, ``me`` or ``none``."""
    assignee = query.text("assignee")
    sort = query.choice("sort", SORTS, "created_at")
    return casework.TaskFilter(
        team=query.text("team"), case=query.text("case"), process=query.text("process"), task=query.text("task"),
        assignee=current_user().email if assignee == "me" else (None if assignee == "none" else assignee),
        unassigned=assignee == "none",
        status=TaskStatus(query.choice("status", [s.value for s in TaskStatus], TaskStatus.OPEN.value)),
        sort=sort.lstrip("-"), descending=sort.startswith("-"))


@bp.get("/tasks")
@requires(*STAFF)
def list_tasks() -> Any:
    """One page of the tasks the caller may see (their teams'; every team's for admins)."""
    query = Query(request.args)
    wanted = _filter(query)
    page = query.integer("page", 1, 1, MAX_PAGE)
    page_size = query.integer("page_size", 50, 1, MAX_PAGE_SIZE)
    query.check()
    with as_field_error("team", TeamNotFound):
        found = casework.task_page(context(), wanted, current_user().email, page, page_size)
    return jsonify(found.to_dict())


@bp.post(f"/tasks/{TASK_ID}/claim")
@requires(*STAFF)
def claim_task(task_id: int) -> Any:
    return jsonify(casework.claim_task(context(), task_id, current_user().email).to_dict())


@bp.post(f"/tasks/{TASK_ID}/assign")
@requires(*STAFF)
def assign_task(task_id: int) -> Any:
    """Give the task to someone in its team, or (``"assignee": null``) back to the team's queue. Who
    may is the engine's rule (``permissions.require_may_assign``), as in the web inbox: anyone in the
    team takes a task for themselves; team leads and admins give it to others."""
    assignee = json_body("AssignTask")["assignee"]
    return jsonify(casework.assign_task(context(), task_id, assignee, actor=current_user().email).to_dict())


@bp.post(f"/tasks/{TASK_ID}/complete")
@requires(*STAFF)
def complete_task(task_id: int) -> Any:
    """Submit the form's answers; the answer is the case, as after `councilflow task complete`."""
    data = json_body("CompleteTask", optional=True).get("data")
    return jsonify(casework.complete_task(context(), task_id, data, actor=current_user().email).to_dict())
