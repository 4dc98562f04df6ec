"""Translations of the resident- and councillor-facing pages (Flask-Babel), English and Welsh.

Every word those pages show is wrapped in ``_()``/``gettext`` (templates and code); the Welsh catalogue
is ``webui/translations/cy/LC_MESSAGES/messages.po`` (and its compiled ``.mo``, checked against it by
tests/residents/test_welsh.py). Staff pages stay English.

The language of a public page: ``?lang=cy`` or ``?lang=en`` (the toggle at the top of every public
page), kept in a cookie for the pages after it; else the browser's Accept-Language; else English.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, request
from flask_babel import Babel, format_date

from .dates import instant

LOCALES = ("en", "cy")
DEFAULT = "en"
NAMES = {"en": "English", "cy": "Cymraeg"}  # each language named in itself, for the toggle
COOKIE = "cf_lang"
COOKIE_MAX_AGE_S = 365 * 24 * 3600
PUBLIC_BLUEPRINTS = frozenset({"residents", "track", "councillor"})


def _public() -> bool:
    return request.blueprint in PUBLIC_BLUEPRINTS


def _asked() -> str | None:
    asked = request.args.get("lang")
    return asked if asked in LOCALES else None


def N_(text: str) -> str:  # noqa: N802  (gettext's own name for it, which pybabel extracts)
    """Marks words said elsewhere (the engine, a shipped form) for the catalogue; ``_()`` translates them
    where they are shown."""
    return text


def locale() -> str:
    """The language of the current page: always English for staff pages."""
    if not _public():
        return DEFAULT
    kept = request.cookies.get(COOKIE)
    return _asked() or (kept if kept in LOCALES else None) or request.accept_languages.best_match(LOCALES) or DEFAULT


def _keep(response: Response) -> Response:
    """A language chosen with the toggle is kept for the pages after it."""
    asked = _asked() if _public() else None
    if asked is not None and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=COOKIE_MAX_AGE_S, secure=request.is_secure, httponly=True,
                            samesite="Lax")
    return response


def toggle() -> list[dict[str, Any]]:
    """The other languages of this page, as links to it: ``[{"code", "name", "href"}]``."""
    current = locale()
    args = {k: v for k, v in request.args.items() if k != "lang"}
    return [{"code": code, "name": NAMES[code], "href": f"{request.path}?{urlencode({**args, 'lang': code})}"}
            for code in LOCALES if code != current]


def public_date(value: datetime | date | str | None) -> str:
    """'5 December 2026' (or '5 Rhagfyr 2026') in the page's language (the UK day of an instant)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return str(format_date(value, "d MMMM y"))
    at = instant(value)
    return str(format_date(at.date(), "d MMMM y")) if at else ""


def public_datetime(value: datetime | str | None) -> str:
    """'5 December 2026, 13:47' (or '5 Rhagfyr 2026, 13:47') in UK time, in the page's language."""
    at = instant(value)
    return f"{format_date(at.date(), 'd MMMM y')}, {at:%H:%M}" if at else ""


def register(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")  # relative to webui/
    Babel(app, locale_selector=locale)
    app.after_request(_keep)
    app.jinja_env.globals["html_lang"] = locale
    app.jinja_env.globals["language_toggle"] = toggle
    app.jinja_env.globals["language_names"] = NAMES
    app.add_template_filter(public_date, "public_date")
    app.add_template_filter(public_datetime, "public_datetime")
