"""Cases: start, show, history, cancel and retry. Answers have the shapes of `councilflow case ...
--json`; a case whose step failed is still saved, so it is a success with status "failed"."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for

from engine import casework
from engine.errors import ProcessNotFound
from engine.types import Channel, Role

from . import bp, context
from .errors import as_field_error
from .payload import json_body
from .roles import STAFF, current_user, requires


def visible(reference: str, missing_ok: bool = False) -> str:
    """The reference, once the caller may see that case (the pages' rule): 404 otherwise, the same
    answer for another team's case as for none (``missing_ok``: a case that does not exist is left for
    the engine to answer)."""
    casework.require_case_visible(context(), reference, current_user().email, missing_ok)
    return reference


@bp.post("/cases")
@requires(Role.FRONT_OFFICE)
def start_case() -> Any:
    body = json_body("StartCase")
    with as_field_error("process", ProcessNotFound):
        view = casework.start_case(context(), body["process"], body.get("data"), body.get("channel", Channel.PHONE),
                                   body.get("customer_id"), actor=current_user().email)
    location = url_for("api.show_case", reference=view.reference)
    return jsonify(view.to_dict()), 201, {"Location": location}


@bp.get("/cases/<reference>")
@requires(*STAFF)
def show_case(reference: str) -> Any:
    """Status, data, open tasks and history (as `councilflow case show --json`)."""
    return jsonify(casework.show_case(context(), visible(reference)).to_dict())


@bp.get("/cases/<reference>/history")
@requires(*STAFF)
def case_history(reference: str) -> Any:
    detail = casework.show_case(context(), visible(reference))
    return jsonify({"reference": detail.case.reference, "history": [e.__dict__ for e in detail.history]})


@bp.post("/cases/<reference>/cancel")
@requires(Role.FRONT_OFFICE, Role.TEAM_LEAD)
def cancel_case(reference: str) -> Any:
    reason = json_body("CancelCase", optional=True).get("reason", "")
    return jsonify(casework.cancel_case(context(), visible(reference), current_user().email, reason).to_dict())


@bp.post("/cases/<reference>/retry")
@requires(Role.TEAM_LEAD)
def retry_case(reference: str) -> Any:
    """Run a failed case's failed step again, once its cause (e.g. an adapter) is fixed."""
    return jsonify(casework.retry_case(context(), visible(reference), current_user().email).to_dict())


@bp.post("/cases/<reference>/messages/<name>")
@requires(*STAFF)
def deliver_message(reference: str, name: str) -> Any:
    """A back-office system or a person tells the case something (e.g. the asset job is done).
    Every message is stored; one the case is not waiting for (or waits for with another
    ``correlationKey``, a Camunda 8 map's key) is refused with 409 and kept."""
    payload = json_body("MessageData", optional=True)
    # A message for no case is still stored (and refused) by the engine, so none is ever lost.
    delivered = casework.deliver_message(context(), visible(reference, missing_ok=True), name, payload,
                                         current_user().email, request.args.get("correlationKey"))
    return jsonify(delivered.to_dict())
