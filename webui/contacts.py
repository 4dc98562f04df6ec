"""Logging a repeat contact from the case page: the customer got in touch again about their case.

The engine checks and records it (``engine.casework.contacts``); a form with mistakes shows the case page
again with GOV.UK error messages and what was typed, so nothing the advisor wrote is lost."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, request, url_for

from engine import casework
from engine.errors import FormInvalid

from .casepage import render_case
from .current import context
from .inbox import SUCCESS

bp = Blueprint("contacts", __name__)
FIELDS = ("channel", "kind", "text")


@bp.post("/cases/<reference>/contacts")
def log(reference: str) -> Any:
    answers = {name: request.form.get(name, "") for name in FIELDS}
    try:
        casework.log_contact(context(), reference, answers["channel"], answers["kind"], answers["text"],
                             g.user.email)
    except FormInvalid as err:
        errors = [{"text": err.errors[name], "href": f"#contact-{name}"} for name in FIELDS if name in err.errors]
        return render_case(reference, 400, error_list=errors, contact_answers=answers, contact_errors=err.errors)
    flash("Contact logged: it is in the case's history", SUCCESS)
    return redirect(url_for("casepage.show", reference=reference) + "#contacts")
