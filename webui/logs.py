"""Logs of the long-running processes: one JSON object a line (python-json-logger) on standard error, at the
level the settings give, each line of a request carrying its request id, the signed-in user's id and the
case reference when the route names one; and one access line per request (route, status, duration).

Only ids are logged, never names, addresses or answers: the access line gives the route's pattern
(``/cases/<reference>``), not the path or query string a search put a name in."""
from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import Any, TextIO

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from engine.settings import Settings

access_log = logging.getLogger("councilflow.access")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")  # a proxy's id is kept when it looks like one
CASE_ARGUMENTS = ("reference",)


class RequestContext(logging.Filter):
    """Adds ``request_id``, ``user_id`` and ``case`` to records made while a request is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id")
            user = g.get("user")
            record.user_id = getattr(user, "id", None)
            if not hasattr(record, "case"):
                case = (request.view_args or {}).get(CASE_ARGUMENTS[0])
                if case is not None:
                    record.case = case
        return True


def configure(settings: Settings, stream: TextIO | None = None) -> None:
    """Logging of ``serve`` and ``worker`` (commands keep Python's default) to ``stream`` (standard error):
    replaces the root logger's handlers, so calling it twice does not double each line."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                                           rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RequestContext())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # SpiffWorkflow's step-by-step lines, APScheduler's per-run lines and alembic's per-check lines: DEBUG only.
    for chatty in ("spiff", "apscheduler", "alembic"):
        logging.getLogger(chatty).setLevel(settings.log_level if settings.log_level == "DEBUG" else "WARNING")


def route() -> str:
    """The matched route's pattern, or ``(unmatched)``: a label with few values, and no personal data."""
    return request.url_rule.rule if request.url_rule is not None else "(unmatched)"


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Any) -> Any:
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
    access_log.info("%s %s %s %sms", request.method, route(), response.status_code, duration_ms,
                    extra={"method": request.method, "route": route(), "status": response.status_code,
                           "duration_ms": duration_ms})
    return response


def register(app: Flask) -> None:
    """Gives each request its id first, and logs it last (after every other after-request hook)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)  # after-request hooks run in reverse
