"""What protects the public (no sign-in) pages: rate limits per address (Flask-Limiter), a cap on the
size of a request, a honeypot field bots fill in, and error pages in the residents' own layout.

The limits (app config, each a Flask-Limiter string; figures measured in docs/residents.md):

- ``RESIDENT_PAGE_LIMIT``: every public page, per address (default 120 a minute);
- ``RESIDENT_FORM_LIMIT``: sending a report's form pages, shared by all services (default 20 a
  minute, 60 an hour);
- ``RESIDENT_TRACK_LIMIT``: asking for a case's status, right or wrong (default 10 a minute, 30 an
  hour): a reference has six digits, so guessing one with someone's postcode takes weeks per address.

Counts are kept in this process's memory (``RATELIMIT_STORAGE_URI``, default ``memory://``): a
council running several councilflow processes behind a load balancer points it at Redis or
Memcached so they share the counts. The address is the one ``webui.auth.client_address`` trusts.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from engine.errors import EngineError

from .api.errors import status_for
from .auth import client_address

DEFAULTS = {"RESIDENT_PAGE_LIMIT": "120 per minute", "RESIDENT_FORM_LIMIT": "20 per minute;60 per hour",
            "RESIDENT_TRACK_LIMIT": "10 per minute;30 per hour", "RESIDENT_MAX_BYTES": 32 * 1024,
            "RATELIMIT_STORAGE_URI": "memory://"}
HONEYPOT = "website"  # a field people never see; bots fill every field in


def _limit(name: str) -> Any:
    return lambda: current_app.config[name]


def _page(status: int) -> Any:
    messages = {404: _("Page not found"), 400: _("Your form could not be sent"),
                413: _("Your form is too large to send"),
                429: _("You have tried too many times"), 403: _("You cannot use this page")}
    message = messages.get(status, _("Sorry, there is a problem with the service"))
    return render_template("residents/error.html", title=message, message=message, status=status), status


def _error(err: HTTPException) -> Any:
    return _page(err.code or 500)


def _engine_error(err: EngineError) -> Any:
    """An engine error on a public page: its status in the residents' words, never the engine's
    message (which may name internal things)."""
    status = status_for(err)
    if status >= 500:
        raise err
    return _page(status)


def _size_cap() -> None:
    if (request.content_length or 0) > current_app.config["RESIDENT_MAX_BYTES"]:
        raise RequestEntityTooLarge()


def protect(blueprint: Blueprint) -> None:
    """Every page of a public ``blueprint`` (once, where it is defined): the size cap and the public
    error pages. Its rate limits are each app's (``limit_pages``)."""
    blueprint.before_request(_size_cap)
    blueprint.register_error_handler(HTTPException, _error)
    blueprint.register_error_handler(EngineError, _engine_error)


def limit_pages(limiter: Limiter, blueprint: Blueprint) -> None:
    limiter.limit(_limit("RESIDENT_PAGE_LIMIT"))(blueprint)


def limit_forms(app: Flask, limiter: Limiter, endpoint: str) -> None:
    """Sending any report's form counts against one limit per address (``RESIDENT_FORM_LIMIT``)."""
    # Flask-Limiter checks a decorated limit when the view runs: this app's view is replaced by its wrapper.
    app.view_functions[endpoint] = limiter.shared_limit(_limit("RESIDENT_FORM_LIMIT"), scope="resident-forms",
                                                        methods=["POST"])(app.view_functions[endpoint])


def limit_tracking(app: Flask, limiter: Limiter, endpoint: str) -> None:
    """Every attempt to track a case, right or wrong, counts (``RESIDENT_TRACK_LIMIT``)."""
    app.view_functions[endpoint] = limiter.limit(_limit("RESIDENT_TRACK_LIMIT"),
                                                 methods=["POST"])(app.view_functions[endpoint])


def limiter_for(app: Flask) -> Limiter:
    """This app's limiter: its own counts (tests make many apps; each starts from nothing)."""
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    return Limiter(client_address, app=app, storage_uri=app.config["RATELIMIT_STORAGE_URI"], headers_enabled=True)


def honeypot_filled() -> bool:
    return bool(request.form.get(HONEYPOT, "").strip())
