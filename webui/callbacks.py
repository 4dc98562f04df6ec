"""Callbacks from back-office systems. GOV.UK Notify posts delivery receipts here, authenticated
with the bearer token the council gave Notify (not a user session, so no CSRF token)."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, request

from engine import casework, outbox

bp = Blueprint("callbacks", __name__, url_prefix="/callbacks")


@bp.post("/notify/<name>")
def notify_receipt(name: str) -> Any:
    from adapters.notify import parse_delivery_receipt
    ctx = current_app.extensions["councilflow"]
    adapter = ctx.adapters.find(name) if ctx.adapters is not None else None
    if adapter is None or not hasattr(adapter, "verify_callback"):
        abort(404)
    if not adapter.verify_callback(request.headers.get("Authorization")):
        return jsonify(message="The callback token is not valid"), 401
    try:
        body = json.loads(request.get_data())
        casework.check_bounds(body, "delivery receipt")  # it is kept in the case's history
        receipt = parse_delivery_receipt(body)
    except (ValueError, RecursionError) as err:
        return jsonify(message=str(err)), 400
    except casework.DataTooLarge as err:
        return jsonify(message=err.message), 400
    known = bool(receipt.reference) and outbox.record_delivery_receipt(
        ctx, receipt.reference, receipt.status, receipt.failed,
        {"notification_id": receipt.id, "type": receipt.notification_type, "completed_at": receipt.completed_at})
    return jsonify(recorded=known), 200
