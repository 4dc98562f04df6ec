"""Taking a contact about a directory service through the API (``POST /directory/<key>/contacts``):
the same engine use case as the entry page (``engine.catalogue.directory_actions``), so a contact from a
partner's system or a chatbot is recorded, routed and counted exactly as an advisor's is.

The entry decides what happens: a resolve entry records ``outcome`` (resolved or signposted), a
hand-off or referral takes the short form's answers as ``details``; an entry that starts its own map
is refused with 409 (start it with ``POST /cases``). This module also carries its part of the OpenAPI
document (``SCHEMAS`` and ``RESPONSES``, added to the API's own; ``openapi_paths``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import jsonify, url_for

from engine import catalogue
from engine.types import Channel, Role

from . import bp, context
from .payload import json_body
from .roles import current_user, requires
from .schemas import MAX_ID, REQUEST_SCHEMAS, RESPONSE_SCHEMAS

SCHEMAS: dict[str, dict[str, Any]] = {
    "TakeDirectoryContact": {
        "type": "object", "required": ["channel"], "additionalProperties": False,
        "examples": [{"channel": "phone", "details": {"what": "Dog mess on the path by the school",
                                                      "where": "Mill Lane", "urgency": "soon"}},
                     {"channel": "web", "outcome": "signposted"}],
        "properties": {
            "channel": {"type": "string", "title": "Channel", "enum": [c.value for c in Channel],
                        "description": "How the customer contacted us."},
            "customer_id": {"type": "integer", "title": "Customer id", "minimum": 1, "maximum": MAX_ID},
            "outcome": {"type": "string", "title": "Outcome", "enum": list(catalogue.RESOLUTIONS),
                        "description": "For a resolve entry: resolved (information or advice given, the default) "
                                       "or signposted (told who to contact instead)."},
            "details": {"type": "object", "title": "Details",
                        "description": "For a hand-off or referral: the short form's answers (what, who, where, "
                                       "urgency: routine, soon or urgent; what and urgency are required).",
                        "x-error-messages": {"type": "Details must be a JSON object"}},
        },
    },
}
RESPONSES: dict[str, dict[str, Any]] = {
    "DirectoryContact": {
        "type": "object", "required": ["reference", "status", "outcome", "service", "process", "tasks"],
        "properties": {
            "reference": {"type": "string"},
            "status": {"type": "string", "description": "open (a team's task or the partner's email is waiting), "
                                                        "completed or failed."},
            "outcome": {"type": ["string", "null"], "description": "resolved_first_contact, signposted, handed_off "
                                                                  "or referred."},
            "service": {"type": "string", "description": "The directory service the contact is recorded against."},
            "process": {"type": "string", "description": "The generic map the contact runs."},
            "tasks": {"type": "array", "items": {"$ref": "#/components/schemas/TaskBrief"}},
        },
    },
}

# Published and enforced with the others (``payload.json_body`` validates against REQUEST_SCHEMAS).
REQUEST_SCHEMAS.update(SCHEMAS)
RESPONSE_SCHEMAS.update(RESPONSES)


@bp.post("/directory/<key>/contacts")
@requires(Role.FRONT_OFFICE)
def take_directory_contact(key: str) -> Any:
    """Record a contact about the directory service ``key`` as its action says; 201 with the case."""
    body = json_body("TakeDirectoryContact")
    entry = catalogue.entry_page(context(), key).entry
    taken = catalogue.take_contact(context(), key, entry.action, body["channel"], body.get("customer_id"),
                                   current_user().email, resolution=body.get("outcome"),
                                   details=body.get("details"))
    return jsonify(taken.to_dict()), 201, {"Location": url_for("api.show_case", reference=taken.case.reference)}


def openapi_paths(operation: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """This module's paths, built with the document's own ``operation`` helper (``webui.api.openapi``)."""
    key = {"name": "key", "in": "path", "required": True, "description": "The directory service's key.",
           "schema": {"type": "string", "minLength": 1}, "example": "dog_fouling"}
    op = operation("take_directory_contact", "Take a contact about a directory service: resolve, hand off or refer",
                   (201, {"application/json": {"schema": {"$ref": "#/components/schemas/DirectoryContact"}}}),
                   (404, 409, 413, 415, 422), [key], "TakeDirectoryContact")
    op["responses"]["201"]["headers"] = {"Location": {"description": "The new case's address.",
                                                      "schema": {"type": "string"}}}
    return {"/directory/{key}/contacts": {"post": op}}
