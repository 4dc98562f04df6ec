"""Dates and times as staff read them: UK local time (Europe/London, across clock changes), in
words, the same on every page. Registered as Jinja filters ``uk_datetime`` and ``uk_date``."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask

LONDON = ZoneInfo("Europe/London")


def instant(value: datetime | str | None) -> datetime | None:
    if not value:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # SQLite gives back naive UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(LONDON)


def uk_datetime(value: datetime | str | None) -> str:
    """'22 November 2026, 13:47' in UK time; empty for no value."""
    at = instant(value)
    return at.strftime("%-d %B %Y, %H:%M") if at else ""


def uk_date(value: datetime | date | str | None) -> str:
    """'22 November 2026' (the UK day of an instant, or a calendar day as it is)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%-d %B %Y")
    at = instant(value)
    return at.strftime("%-d %B %Y") if at else ""


def register(app: Flask) -> None:
    app.add_template_filter(uk_datetime, "uk_datetime")
    app.add_template_filter(uk_date, "uk_date")
