"""SLAs: policies per process and task (admins set them; team leads read them) and a case's clocks.
Bodies take the CLI's options: exactly one of ``working_days``, ``working_hours`` or
``calendar_days``, an optional ``warn_at_percent``, ``escalations`` and ``rules`` (conditional targets,
``{"when": condition, "amount": n}``, as ``--when``)."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine import deadlines
from engine.errors import TeamNotFound, UserError
from engine.types import Role, SlaUnit

from . import bp, context
from .cases import visible
from .errors import RequestInvalid, as_field_error
from .payload import Query, json_body
from .roles import STAFF, current_user, requires

UNIT_FIELDS = {"working_days": SlaUnit.WORKING_DAYS, "working_hours": SlaUnit.WORKING_HOURS,
               "calendar_days": SlaUnit.CALENDAR_DAYS}


@bp.get("/sla/policies")
@requires(Role.TEAM_LEAD)
def list_sla_policies() -> Any:
    query = Query(request.args)
    process = query.text("process")
    query.check()
    return jsonify([p.to_dict() for p in deadlines.list_policies(context(), process)])


def _terms(body: dict[str, Any]) -> deadlines.SlaTerms:
    given = [(unit, body[name]) for name, unit in UNIT_FIELDS.items() if body.get(name) is not None]
    if len(given) != 1:
        raise RequestInvalid({"working_days": "Give exactly one of working_days, working_hours or calendar_days"})
    (unit, amount), = given
    try:
        escalations = tuple(deadlines.Escalation.parse(e) for e in body.get("escalations", []))
    except UserError as err:
        raise RequestInvalid({"escalations": err.message}) from None
    try:  # a condition that does not compile is refused now, not when a case starts
        rules = tuple(deadlines.TargetRule(r["when"], r["amount"]) for r in body.get("rules", []))
    except UserError as err:
        raise RequestInvalid({"rules": err.message}) from None
    return deadlines.SlaTerms(unit, amount, body.get("warn_at_percent"), escalations, rules)


def _set(process: str, task: str | None) -> Any:
    body = json_body("SetSlaPolicy")
    terms, actor = _terms(body), current_user().email
    with as_field_error("escalations", TeamNotFound):
        payload = deadlines.set_policy(context(), process, task, terms, actor).to_dict()
    if body.get("recalculate"):
        payload["recalculated"] = deadlines.recalculate(context(), process, task, actor)
    return jsonify(payload)


# Path parameters are named as elsewhere in the API: ``key`` is a process key, ``name`` a task's BPMN id.

@bp.put("/sla/policies/<key>")
@requires(Role.ADMIN)
def set_case_sla(key: str) -> Any:
    """The SLA of the whole case; applies to cases started from now (``recalculate`` moves running clocks)."""
    return _set(key, None)


@bp.put("/sla/policies/<key>/tasks/<name>")
@requires(Role.ADMIN)
def set_task_sla(key: str, name: str) -> Any:
    return _set(key, name)


@bp.delete("/sla/policies/<key>")
@requires(Role.ADMIN)
def remove_case_sla(key: str) -> Any:
    deadlines.remove_policy(context(), key, None, current_user().email)
    return "", 204


@bp.delete("/sla/policies/<key>/tasks/<name>")
@requires(Role.ADMIN)
def remove_task_sla(key: str, name: str) -> Any:
    deadlines.remove_policy(context(), key, name, current_user().email)
    return "", 204


@bp.get("/cases/<reference>/sla")
@requires(*STAFF)
def case_sla(reference: str) -> Any:
    """The case's running SLA clocks (``all=true``: stopped ones too) with "2 working days left" wording."""
    query = Query(request.args)
    include_stopped = query.choice("all", ("true", "false"), "false") == "true"
    query.check()
    clocks = deadlines.case_clocks(context(), visible(reference), include_stopped)
    return jsonify({"reference": reference, "clocks": [c.to_dict() for c in clocks]})
