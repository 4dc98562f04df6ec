"""Every API answer that is not a success is JSON: ``{"message": ..., "errors": ...}``.

Engine errors carry no HTTP codes (the engine knows nothing of the web); the mapping lives here,
once. Anything unexpected becomes a 500 whose body names an id that is also in the log, never an
HTML page or a traceback.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Response, g, jsonify
from werkzeug.exceptions import HTTPException

from engine.errors import (Conflict, DeploymentRejected, EngineError, FormInvalid, Forbidden, NotFound,
                           SignInFailed, UserError)

logger = logging.getLogger(__name__)


class RequestInvalid(UserError):
    """Fields of the request (body or query string) are missing or wrong; ``errors`` maps each
    field to a plain-English message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("There is a problem with the request: " + "; ".join(errors.values()))

    def to_dict(self) -> dict[str, Any]:
        return {"message": self.message, "errors": self.errors}


# Most specific first: the first class an error is an instance of decides its status.
_STATUS: tuple[tuple[type[EngineError], int], ...] = (
    (SignInFailed, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (FormInvalid, 422),
    (DeploymentRejected, 422),
    (RequestInvalid, 422),
    (UserError, 400),
)

_UNAUTHORISED = "Send a personal API token as 'Authorization: Bearer <token>' (councilflow tokens create EMAIL)"


def status_for(err: EngineError) -> int:
    """The HTTP status of an engine error; errors that are not the caller's fault are 500."""
    return next((status for cls, status in _STATUS if isinstance(err, cls)), 500)


def answer(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    if status == 401:
        invalid = ', error="invalid_token"' if g.get("auth_error") else ""
        response.headers["WWW-Authenticate"] = f'Bearer realm="councilflow"{invalid}'
    return response


def engine_error(err: EngineError) -> Response:
    status = status_for(err)
    if status == 500:
        return _internal(err, err.message)
    return answer(status, err.to_dict())


def http_error(err: HTTPException) -> Response:
    """Flask's and werkzeug's own errors (401 from the access rule, 404, 405, 413...) as JSON."""
    status = err.code or 500
    if status >= 500:
        return _internal(err, "Internal error")
    message = (g.get("auth_error") or _UNAUTHORISED) if status == 401 else err.description
    headers = {k: v for k, v in err.get_headers() if k.lower() != "content-type"}
    return answer(status, {"message": message}, headers)


# Seconds a client is asked to wait when the database is unavailable (API and pages alike): long enough
# for a lock to clear or a database to restart, short enough that someone retrying by hand is not
# turned away for long.
RETRY_AFTER_S = 30


def unavailable(err: Exception) -> Response:
    """The database cannot be reached or stayed locked: 503 and when to try again."""
    logger.warning("Database unavailable for an API request: %s", err)
    return answer(503, {"message": "The service is unavailable just now; try again later"},
                  {"Retry-After": str(RETRY_AFTER_S)})


def unexpected(err: Exception) -> Response:
    return _internal(err, "Internal error")


def _internal(err: BaseException, message: str) -> Response:
    error_id = str(uuid.uuid4())
    logger.error("API request failed with error id %s", error_id, exc_info=err, extra={"error_id": error_id})
    return answer(500, {"message": message, "id": error_id})


@contextmanager
def as_field_error(field: str, *kinds: type[EngineError]) -> Iterator[None]:
    """Report ``kinds`` of error as a problem with the request's ``field`` (422): e.g. a process
    named in the body that does not exist is a wrong field, not a missing endpoint (404)."""
    try:
        yield
    except kinds as err:
        raise RequestInvalid({field: err.message}) from None
