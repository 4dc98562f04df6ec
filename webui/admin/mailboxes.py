"""Admin pages: the shared mailboxes the worker reads, and the form that adds one (signing in with an app
password or with OAuth2 client credentials). The password or client secret is never typed here: the form
takes the name of the worker's environment variable that holds it."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine import email
from engine.errors import FormInvalid, NotFound, UserError
from engine.types import MAILBOX_CHANNELS

from ..current import context

bp = Blueprint("admin_mailboxes", __name__, url_prefix="/admin/mailboxes")
FLASH = "admin_mailboxes"
FIELDS = ("name", "address", "channel", "team", "host", "port", "username", "auth", "token_url", "client_id", "scope",
          "secret_env", "folder", "smtp_host", "smtp_port", "notify_adapter")
DEFAULTS = {"channel": "email", "port": "993", "auth": "password", "folder": "INBOX", "smtp_port": "465"}


def _page(values: dict[str, str] | None = None, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    errors = errors or {}
    return render_template("admin/mailboxes/index.html", title="Mailboxes", boxes=email.list_mailboxes(context()),
                           values=values or DEFAULTS, errors=errors, channels=[c.value for c in MAILBOX_CHANNELS],
                           error_list=[{"text": errors[f], "href": f"#{f}"} for f in FIELDS if f in errors] or None
                           ), status


@bp.get("")
def index() -> Any:
    return _page()


@bp.post("")
def add() -> Any:
    values = {f: request.form.get(f, "") for f in FIELDS}
    values["auth"] = values["auth"] or "password"
    try:
        box = email.add_mailbox(context(), email.MailboxDetails(**values))  # type: ignore[arg-type]
    except FormInvalid as err:
        return _page(values, err.errors, 400)
    except UserError as err:  # a name already taken, a team that does not exist
        field = "team" if "team" in err.message else "name"
        return _page(values, {field: err.message}, 400)
    flash(f"Mailbox {box.name} added: its emails come into {box.team}'s inbox from the worker's next poll", FLASH)
    return redirect(url_for("admin_mailboxes.index"))


@bp.post("/<name>/remove")
def remove(name: str) -> Any:
    try:
        result = email.remove_mailbox(context(), name)
    except NotFound:
        return _page(status=404)
    flash(f"Mailbox {name} {result}", FLASH)
    return redirect(url_for("admin_mailboxes.index"))
