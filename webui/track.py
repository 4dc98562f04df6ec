"""``/track``: a resident reads their case's public status by its reference and the email address,
phone number or postcode they gave (``engine.residents.tracking``). A wrong combination, whichever part is
wrong, gets one neutral message; every attempt counts against the address's limit
(``webui.public_guard``), so references cannot be found by trying them."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from engine import residents

from .current import context
from .i18n import locale
from .public_guard import HONEYPOT, honeypot_filled, protect

bp = Blueprint("track", __name__, url_prefix="/track")
protect(bp)
MAX_FIELD = 320


def _form(reference: str = "", secret: str = "", errors: dict[str, str] | None = None, problem: str | None = None,
          status: int = 200) -> Any:
    errors = errors or {}
    listed = [{"text": text, "href": f"#{name}"} for name, text in errors.items()]
    return render_template("residents/track.html", title=_("Track your case"), reference=reference, secret=secret,
                           errors=errors, error_list=listed or None, problem=problem, honeypot=HONEYPOT), status


@bp.get("")
def form() -> Any:
    return _form()


@bp.post("")
def lookup() -> Any:
    reference = request.form.get("reference", "").strip()[:MAX_FIELD]
    secret = request.form.get("secret", "").strip()[:MAX_FIELD]
    errors = {}
    if not reference:
        errors["reference"] = _("Enter your reference number")
    if not secret:
        errors["secret"] = _("Enter the email address, phone number or postcode you gave us")
    if errors:
        return _form(reference, secret, errors, status=400)
    found = residents.track(context(), reference, secret, locale()) if not honeypot_filled() else None
    if found is None:
        return _form(reference, "", problem=_("We could not find a case with those details. Check your reference "
                                              "number and the email address, phone number or postcode you gave "
                                              "us."), status=404)
    return render_template("residents/status.html", title=_("Your case %(reference)s", reference=found.reference),
                           case=_translated(found))


def _translated(case: residents.PublicCase) -> residents.PublicCase:
    """The engine's own two words (a map's own wordings come in the page's language already)."""
    words = {residents.RECEIVED: _("Received"), residents.CLOSED: _("Closed")}
    return replace(case, status=words.get(case.status, case.status),
                   milestones=tuple(replace(m, text=words.get(m.text, m.text)) for m in case.milestones))
