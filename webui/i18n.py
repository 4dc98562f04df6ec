"""Translations of the resident-facing pages (Flask-Babel). Every resident-facing string is wrapped in
``_()``/``gettext`` (templates and code), so a Welsh catalogue (``webui/translations/cy``) can be
added without touching them. Staff pages stay in English.

For now every page is English: the locale selector returns ``en``. Welsh adds ``cy`` to LOCALES and
chooses between them (a language toggle, the Accept-Language header)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import Flask
from flask_babel import Babel, format_date

from .dates import LONDON

LOCALES = ("en",)
DEFAULT = "en"


def locale() -> str:
    """The language of the current page."""
    return DEFAULT


def public_date(value: datetime | date | None) -> str:
    """'5 December 2026' in the page's language (the UK day of an instant)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(LONDON).date()
    return str(format_date(value, "d MMMM y"))


def register(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")  # relative to webui/
    Babel(app, locale_selector=locale)
    app.jinja_env.globals["html_lang"] = locale
    app.add_template_filter(public_date, "public_date")
