"""Admin page: adapter incidents, each retried or skipped with a note."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from engine import background
from engine.errors import UserError
from engine.types import IncidentStatus

from ..current import context

bp = Blueprint("admin_incidents", __name__, url_prefix="/admin")
FLASH = "admin_incidents"
SHOWN = {"open": "Open", "resolved": "Resolved"}
ACTIONS = {"retry": (background.retry_incident, "Incident {id} will be tried again"),
           "skip": (background.skip_incident, "Incident {id} was skipped; the case carries on without the call")}


@bp.get("/incidents")
def index() -> Any:
    shown = request.args.get("status", "open")
    if shown not in SHOWN:
        shown = "open"
    rows = background.list_incidents(context(), IncidentStatus.OPEN if shown == "open" else None)
    if shown == "resolved":
        rows = [i for i in rows if i.status != IncidentStatus.OPEN]
    return render_template("admin/incidents/index.html", title="Incidents", incidents=rows, shown=shown,
                           choices=SHOWN)


def _detail(incident_id: int, errors: dict[str, str] | None = None, notes: dict[str, str] | None = None,
            status: int = 200) -> Any:
    detail = background.get_incident(context(), incident_id)
    errors = errors or {}
    return render_template("admin/incidents/detail.html", title=f"Incident {incident_id}", detail=detail,
                           params=json.dumps(detail.params, indent=2, sort_keys=True, default=str),
                           errors=errors, notes=notes or {},
                           error_list=[{"text": text, "href": f"#{action}-note"} for action, text in errors.items()]
                           or None), status


@bp.get("/incidents/<int:incident_id>")
def show(incident_id: int) -> Any:
    return _detail(incident_id)


@bp.post("/incidents/<int:incident_id>/<any(retry, skip):action>")
def resolve(incident_id: int, action: str) -> Any:
    note = request.form.get("note", "").strip()
    if not note:
        why = "Enter a note saying why it is safe to try again" if action == "retry" else \
            "Enter a note saying why the case can go on without the call"
        return _detail(incident_id, {action: why}, status=400)
    run, message = ACTIONS[action]
    try:
        run(context(), incident_id, actor=g.user.email, note=note)
    except UserError as err:
        if type(err) is not UserError:
            raise  # no such incident (404), or someone resolved it first (409): the error page says so
        return _detail(incident_id, {action: err.message}, {action: note}, status=400)
    flash(message.format(id=incident_id), FLASH)
    return redirect(url_for("admin_incidents.index"))
