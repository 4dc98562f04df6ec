"""Finding cases (``GET /cases?q=...``) and a case's repeat contacts (``/cases/<reference>/contacts``).

Both are engine use cases (``engine.casework.casesearch``, ``engine.casework.contacts``) that apply the case-visibility
rule themselves, so a case in another team is neither found nor open to contacts (404, as if it did
not exist)."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine import casework
from engine.types import CaseStatus

from . import bp, context
from .payload import Query, json_body
from .roles import STAFF, current_user, requires
from .tasks import MAX_PAGE, MAX_PAGE_SIZE


@bp.get("/cases")
@requires(*STAFF)
def find_cases() -> Any:
    """One page of the cases the text finds among those the caller may see, newest first."""
    query = Query(request.args)
    text = query.text("q") or ""
    if len(text) > casework.MAX_SEARCH_TEXT:
        query.errors["q"] = f"q must be {casework.MAX_SEARCH_TEXT} characters or fewer"
    status = query.choice("status", ["", *(s.value for s in CaseStatus)], "")
    wanted = casework.CaseSearch(text, CaseStatus(status) if status else None, query.text("service"),
                                 query.text("team"))
    page = query.integer("page", 1, 1, MAX_PAGE)
    page_size = query.integer("page_size", 25, 1, MAX_PAGE_SIZE)
    query.check()
    return jsonify(casework.find_cases(context(), wanted, current_user().email, page, page_size).to_dict())


@bp.get("/cases/<reference>/contacts")
@requires(*STAFF)
def list_case_contacts(reference: str) -> Any:
    return jsonify([c.to_dict() for c in casework.list_contacts(context(), reference, current_user().email)])


@bp.post("/cases/<reference>/contacts")
@requires(*STAFF)
def log_case_contact(reference: str) -> Any:
    """The customer got in touch again about this case; it joins the case's history."""
    body = json_body("LogContact")
    logged = casework.log_contact(context(), reference, body["channel"], body["kind"], body["text"],
                                  current_user().email)
    return jsonify(logged.to_dict()), 201
