"""Customers: search (``GET /customers?q=...``, any mix of name, postcode, phone and email, a page at
a time) and record one (``POST /customers``). A new customer who shares a name and postcode, an
email or a phone number with someone recorded is answered 409 with the possible duplicates, so a
script links the case to the person already known; ``"allow_duplicate": true`` records them anyway.
The same engine use cases as the front-office pages (engine/casework/customers.py)."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify, request

from engine import casework
from engine.casework import CustomerQuery
from engine.types import Role

from . import bp, context
from .payload import Query, json_body
from .roles import STAFF, requires
from .tasks import MAX_PAGE, MAX_PAGE_SIZE

MAX_QUERY = 200
DETAILS = ("name", "postcode", "phone", "email")


@bp.get("/customers")
@requires(*STAFF)
def find_customers() -> Any:
    """One page of the customers matching everything given, by name: ``q`` is read as one search box
    (e.g. "Pat Smith AN1 2BC"); ``name``, ``postcode``, ``phone`` and ``email`` override its parts."""
    query = Query(request.args)
    for name in ("q", *DETAILS):
        if len(query.text(name) or "") > MAX_QUERY:
            query.errors[name] = f"{name} must be {MAX_QUERY} characters or fewer"
    page = query.integer("page", 1, 1, MAX_PAGE)
    page_size = query.integer("page_size", 25, 1, MAX_PAGE_SIZE)
    query.check()
    wanted = CustomerQuery.parse(query.text("q") or "")
    for name in DETAILS:
        setattr(wanted, name, query.text(name) or getattr(wanted, name))
    return jsonify(casework.customer_page(context(), wanted, page, page_size).to_dict())


@bp.post("/customers")
@requires(Role.FRONT_OFFICE)
def create_customer() -> Any:
    body = json_body("CreateCustomer")
    created = casework.create_customer(context(), body, allow_duplicate=bool(body.get("allow_duplicate")))
    return jsonify(asdict(created)), 201
