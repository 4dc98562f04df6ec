"""People as staff read them: by name, on every page, never by the email address the engine records
(tasks, notes, documents, questions and the history all keep the email, which is what identifies a
person and what the API returns). Registered as the Jinja filter ``person``.

Names are looked up once per request: a page calls ``remember`` with every address it will show (one
query), and ``person`` falls back to a look-up of its own for any it was not told of. An address that
belongs to nobody (a system, a deleted account) is shown as it is.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, g

from engine import casework

from .current import context


def _known() -> dict[str, str]:
    if "person_names" not in g:
        g.person_names = {}
    known: dict[str, str] = g.person_names
    return known


def remember(emails: Iterable[str | None]) -> dict[str, str]:
    """Look up the names of ``emails`` in one query (those not looked up yet in this request)."""
    known = _known()
    wanted = {e for e in emails if e and e not in known}
    if wanted:
        found = casework.display_names(context(), wanted)
        known.update({e: found.get(e, e) for e in wanted})
    return known


def person(email: str | None) -> str:
    """The person's name for ``email`` ("" for none; the address itself if it is nobody's)."""
    if not email:
        return ""
    return remember([email])[email]


def register(app: Flask) -> None:
    app.add_template_filter(person, "person")
