"""Publishing services through the API (``GET /services``, ``GET``/``PUT /services/<key>``): which
deployed processes are offered on web, councillor and open311, in what words (``engine.residents.publishing``,
the same use cases as ``councilflow services``). Admins and analysts publish. This module carries its
part of the OpenAPI document (``SCHEMAS``, ``RESPONSES`` and ``openapi_paths``)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import jsonify, request

from engine import residents
from engine.types import PublishChannel, Role

from . import bp, context
from .payload import Query, json_body
from .roles import current_user, requires
from .schemas import REQUEST_SCHEMAS, RESPONSE_SCHEMAS

_CHANNEL = {"type": "string", "enum": [c.value for c in PublishChannel]}
_WORDS = {"type": "object", "additionalProperties": False,
          "properties": {"title": {"type": "string", "maxLength": 200}, "description": {"type": "string", "maxLength": 1000}}}
SCHEMAS: dict[str, dict[str, Any]] = {
    "PublishService": {
        "type": "object", "required": ["channels"], "additionalProperties": False,
        "examples": [{"channels": ["web", "open311"], "title": "Report a missed bin collection", "lgsl": 524,
                      "open311_code": "missed-bin", "keywords": ["bin", "rubbish"]}],
        "description": "The channels the service is offered on (exactly these: others are withdrawn) and its "
                       "public words; words left out are kept.",
        "properties": {
            "channels": {"type": "array", "title": "Channels", "items": _CHANNEL, "maxItems": 3},
            "title": {"type": "string", "title": "Title", "maxLength": 200},
            "description": {"type": "string", "title": "Description", "maxLength": 1000},
            "lgsl": {"type": ["integer", "null"], "title": "LGSL id", "minimum": 1, "maximum": 99_999},
            "open311_code": {"type": ["string", "null"], "title": "Open311 code", "maxLength": 100},
            "keywords": {"type": "array", "title": "Keywords", "items": {"type": "string", "maxLength": 100},
                         "maxItems": 30},
            "translations": {"type": "object", "title": "Words in Welsh", "additionalProperties": False,
                             "properties": {"cy": _WORDS}},
            "updates": {"type": "boolean", "title": "Send residents an update at each public milestone"},
        },
    },
}
RESPONSES: dict[str, dict[str, Any]] = {
    "PublishedService": {
        "type": "object", "required": ["process", "title", "description", "channels", "lgsl", "open311_code",
                                       "keywords"],
        "properties": {"process": {"type": "string"}, "title": {"type": "string"},
                       "description": {"type": "string"}, "channels": {"type": "array", "items": _CHANNEL},
                       "lgsl": {"type": ["integer", "null"]}, "open311_code": {"type": ["string", "null"]},
                       "keywords": {"type": "array", "items": {"type": "string"}},
                       "translations": {"type": "object", "properties": {"cy": _WORDS}},
                       "updates": {"type": "boolean"}},
    },
}
REQUEST_SCHEMAS.update(SCHEMAS)
RESPONSE_SCHEMAS.update(RESPONSES)


@bp.get("/services")
@requires(Role.ANALYST)
def list_services() -> Any:
    query = Query(request.args)
    channel = query.text("channel")
    query.check()
    if channel is not None:
        residents.parse_channels([channel])  # an unknown channel is a field error
    return jsonify([s.to_dict() for s in residents.published(context(), channel)])


@bp.get("/services/<key>")
@requires(Role.ANALYST)
def show_service(key: str) -> Any:
    found = [s for s in residents.published(context()) if s.process == key]
    if not found:
        raise residents.ServiceNotPublished(f"'{key}' is not published on any channel")
    return jsonify(found[0].to_dict())


@bp.put("/services/<key>")
@requires(Role.ANALYST)
def publish_service(key: str) -> Any:
    """Offer process ``key`` on exactly the channels given (any others it had are withdrawn)."""
    body, actor = json_body("PublishService"), current_user().email
    wanted = residents.parse_channels(body["channels"])
    service = None
    if wanted:
        service = residents.publish(context(), key, channels=wanted, title=body.get("title"),
                                    description=body.get("description"), lgsl=body.get("lgsl"),
                                    open311_code=body.get("open311_code"), keywords=body.get("keywords") or (),
                                    translations=body.get("translations"), updates=body.get("updates"),
                                    actor=actor)
    current = {s.process: s for s in residents.published(context())}.get(key)
    for channel in (current.channels if current else ()):
        if channel not in wanted:
            service = residents.unpublish(context(), key, channel, actor)
    if service is None:
        raise residents.ServiceNotPublished(f"'{key}' is not published on any channel")
    return jsonify(service.to_dict())


def openapi_paths(operation: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """This module's paths, built with the document's own ``operation`` helper (``webui.api.openapi``)."""
    key = {"name": "key", "in": "path", "required": True, "description": "Process key (the BPMN process id).",
           "schema": {"type": "string", "minLength": 1}, "example": "missed_bin_collection"}
    one = {"application/json": {"schema": {"$ref": "#/components/schemas/PublishedService"}}}
    many = {"application/json": {"schema": {"type": "array",
                                            "items": {"$ref": "#/components/schemas/PublishedService"}}}}
    return {
        "/services": {"get": operation("list_services", "Services published on web, councillor or open311",
                                       (200, many), (422,),
                                       [{"name": "channel", "in": "query", "required": False,
                                         "description": "Only those on this channel.", "schema": _CHANNEL}])},
        "/services/{key}": {
            "get": operation("show_service", "How a service is published", (200, one), (404,), [key]),
            "put": operation("publish_service", "Publish a deployed process on exactly these channels",
                             (200, one), (404, 413, 415, 422), [key], "PublishService")},
    }
