"""The REST API at /api/v1: JSON in and out, personal bearer tokens, roles checked per endpoint.

Two blueprints: ``api`` (every signed-in token holder; each view narrows by role) and ``api_docs``
(public: the OpenAPI document). The API never reads the session cookie, only the bearer token
(see ``webui.access``), so it is exempt from CSRF: a browser cannot be made to send the token.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from engine.context import Context
from engine.errors import EngineError
from engine.persistence import UNAVAILABLE

from .. import access
from . import errors
from .payload import screen_request

PREFIX = "/api/v1"

bp = Blueprint("api", __name__, url_prefix=PREFIX)
docs = Blueprint("api_docs", __name__, url_prefix=PREFIX)

bp.before_request(screen_request)
bp.register_error_handler(EngineError, errors.engine_error)
bp.register_error_handler(HTTPException, errors.http_error)
bp.register_error_handler(Exception, errors.unexpected)
for _kind in UNAVAILABLE:  # before Exception: a database outage is 503, not 500
    bp.register_error_handler(_kind, errors.unavailable)


def context() -> Context:
    """The engine context of this app."""
    return current_app.extensions["councilflow"]


def json_routing_errors() -> Response | None:
    """Before every request: an /api/ address that matches no route (or not with this method) is
    answered here, as JSON. Flask decides those before any blueprint is chosen, so blueprint error
    handlers never see them; answering in a hook leaves the pages' own 404 handling alone."""
    error = request.routing_exception
    if not request.path.startswith(access.API_PREFIX) or not isinstance(error, (NotFound, MethodNotAllowed)):
        return None
    if isinstance(error, NotFound):
        error = NotFound(f"There is no API endpoint {request.method} {request.path}")
    return errors.http_error(error)


@docs.get("/openapi.json")
def openapi_document() -> Any:
    return jsonify(openapi.document())


def register(app: Flask, csrf: CSRFProtect) -> None:
    """Register both blueprints with their access rules; exempt the token-only API from CSRF."""
    app.url_map.converters["entry_key"] = directory.EntryKey  # before the routes that use it are added
    access.register(app, bp, access.SIGNED_IN)
    access.register(app, docs, access.PUBLIC)
    csrf.exempt(bp)
    app.before_request(json_routing_errors)


# noqa below: E402,F401 (importing the modules registers their routes)
from . import (addresses, cases, casesearch, customers, directory, documents, notifications, openapi,  # noqa: E402,F401
               mi, processes, questions, sla, tasks, teams)
from . import appointments, directory_contacts, external_tasks, services  # noqa: E402,F401
