"""Addresses from the council's gazetteer (``GET /addresses?postcode=...``), for a form that lets
staff pick the resident's address instead of typing it (engine.places.gazetteer)."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine import places
from engine.casework import POSTCODE, normal_postcode

from . import bp, context
from .payload import Query
from .roles import STAFF, requires


@bp.get("/addresses")
@requires(*STAFF)
def find_addresses() -> Any:
    """Every address at the postcode, in street-number order; [] for a postcode the gazetteer lacks."""
    query = Query(request.args)
    postcode = query.text("postcode") or ""
    if not POSTCODE.match(normal_postcode(postcode)):
        query.errors["postcode"] = "Enter a real postcode, like AN1 2BC"
    query.check()
    return jsonify([address.to_dict() for address in places.lookup(context(), postcode)])
