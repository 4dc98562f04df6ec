"""The triage inbox: emails to the council's shared mailboxes, waiting in the advisor's teams' inboxes.
From one an advisor starts a service's case with the email's details and attachments, links it to an
existing case as a repeat contact, or logs it as resolved (``engine.email.email_inbox`` does each, once)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from engine import casework, email as email_wing
from engine.errors import Conflict, EngineError, NotFound
from engine.types import EmailStatus

from .current import context
from .downloads import attachment

bp = Blueprint("emails", __name__, url_prefix="/emails")
FLASH = "emails"
LISTS = {EmailStatus.OPEN: "Waiting", EmailStatus.LINKED: "Linked to a case", EmailStatus.STARTED: "Case started",
         EmailStatus.RESOLVED: "Resolved", EmailStatus.IGNORED: "Automatic (not answered)"}


@bp.get("")
def index() -> Any:
    status = request.args.get("status", EmailStatus.OPEN)
    if status not in LISTS:
        abort(404)
    found = email_wing.triage_inbox(context(), g.user.email, status)
    return render_template("emails/index.html", title=f"Emails: {LISTS[EmailStatus(status)].lower()}",
                           emails=found, status=status, lists=LISTS)


def _page(email_id: int, status: int = 200, errors: dict[str, str] | None = None,
          answers: dict[str, str] | None = None) -> Any:
    ctx = context()
    try:
        email = email_wing.get_email(ctx, email_id, g.user.email)
    except NotFound:
        abort(404)
    errors = errors or {}
    return render_template("emails/email.html", title=email.subject or "(no subject)", email=email,
                           services=email_wing.services_to_start(ctx), kinds=casework.KIND_LABELS,
                           errors=errors, answers=answers or {}, lists=LISTS,
                           error_list=[{"text": text, "href": f"#{field}"} for field, text in errors.items()] or None
                           ), status


@bp.get("/<int:email_id>")
def show(email_id: int) -> Any:
    return _page(email_id)


@bp.get("/<int:email_id>/attachments/<int:attachment_id>")
def download(email_id: int, attachment_id: int) -> Any:
    try:
        kept, content = email_wing.get_attachment(context(), email_id, attachment_id, g.user.email)
    except NotFound:
        abort(404)
    return attachment(content, kept.filename, kept.content_type)


def _acted(email_id: int, field: str, action: Any) -> Any:
    """Run ``action``; a refusal shows the email again with the message against ``field``."""
    try:
        done = action()
    except NotFound as err:
        if "email" in err.message:
            abort(404)
        return _page(email_id, 400, {field: err.message}, dict(request.form))
    except EngineError as err:
        return _page(email_id, 409 if isinstance(err, Conflict) else 400, {field: err.message}, dict(request.form))
    return done


@bp.post("/<int:email_id>/start")
def start(email_id: int) -> Any:
    key = request.form.get("service", "")
    chosen = {k: (name, process) for k, name, process in email_wing.services_to_start(context())}.get(key)
    if chosen is None:
        return _page(email_id, 400, {"service": "Select the service the email is about"}, dict(request.form))
    done = _acted(email_id, "service", lambda: email_wing.start_case_from_email(
        context(), email_id, chosen[1], g.user.email, service=key))
    if not isinstance(done, email_wing.EmailView):
        return done
    flash(f"Case {done.case} started from the email, with its attachments", FLASH)
    return redirect(url_for("casepage.show", reference=done.case))


@bp.post("/<int:email_id>/link")
def link(email_id: int) -> Any:
    reference = request.form.get("reference", "").strip()
    if not reference:
        return _page(email_id, 400, {"reference": "Enter the case reference, like CF-000123"}, dict(request.form))
    done = _acted(email_id, "reference", lambda: email_wing.link_email(
        context(), email_id, reference, g.user.email, request.form.get("kind", "other")))
    if not isinstance(done, email_wing.EmailView):
        return done
    flash(f"The email is logged as a contact on case {done.case}", FLASH)
    return redirect(url_for("emails.index"))


@bp.post("/<int:email_id>/reply")
def reply(email_id: int) -> Any:
    """A reply to the resident, written on the email's case and sent by the worker."""
    ctx = context()
    try:
        email = email_wing.get_email(ctx, email_id, g.user.email)
    except NotFound:
        abort(404)
    if not email.case:
        abort(404)
    done = _acted(email_id, "reply", lambda: email_wing.write_reply(
        ctx, email.case or "", email_id, request.form.get("reply", ""), g.user.email))
    if not isinstance(done, email_wing.ReplyView):
        return done
    flash(f"Your reply to {done.to} will be sent in a moment; it is on the case's timeline", FLASH)
    return redirect(url_for("emails.show", email_id=email_id))


@bp.post("/<int:email_id>/resolve")
def resolve(email_id: int) -> Any:
    done = _acted(email_id, "note", lambda: email_wing.resolve_email(
        context(), email_id, g.user.email, request.form.get("note", "")))
    if not isinstance(done, email_wing.EmailView):
        return done
    flash(f"Email from {done.sender} logged as resolved", FLASH)
    return redirect(url_for("emails.index"))
