"""Admin pages: appointment types (with their length), locations and their desks' weekly patterns.
The patterns are read against the council's working calendar (bank holidays and closure days have no
slots: /admin/sla)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from engine import appointments
from engine.errors import UserError

from ..current import context

bp = Blueprint("admin_appointments", __name__, url_prefix="/admin/appointments")
FLASH = "admin_appointments"


def _page(problem: str | None = None, status: int = 200) -> Any:
    return render_template("admin/appointments/index.html", title="Appointments",
                           types=appointments.list_types(context()),
                           locations=appointments.list_locations(context()), problem=problem,
                           values=request.form if problem else {}), status


@bp.get("")
def index() -> Any:
    return _page()


def _number(name: str, default: int) -> int:
    text = request.form.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit():
        raise UserError(f"Enter the {name.replace('_', ' ')} as a whole number")
    return int(text)


def _saved(save: Callable[[], str]) -> Any:
    """Run ``save`` (which says what it saved); its mistake on the page, else back to the calendar."""
    try:
        saved = save()
    except UserError as err:
        return _page(err.message, 400)
    flash(saved, FLASH)
    return redirect(url_for(".index"))


@bp.post("/types")
def set_type() -> Any:
    form = request.form
    return _saved(lambda: "Appointment type {} saved".format(appointments.set_type(
        context(), form.get("key", ""), form.get("name", ""), _number("minutes", 0), g.user.email,
        form.get("what_to_bring", ""), _number("grace_minutes", 15), _number("reminder_days_before", 1))["name"]))


@bp.post("/locations")
def set_location() -> Any:
    form = request.form
    return _saved(lambda: "Location {} saved".format(appointments.set_location(
        context(), form.get("key", ""), form.get("name", ""), g.user.email, form.get("address", ""))["name"]))


@bp.post("/desks")
def set_desk() -> Any:
    form = request.form
    types = [t.strip() for t in form.get("types", "").split(",") if t.strip()]

    def save() -> str:
        appointments.set_desk(context(), form.get("location", ""), form.get("name", ""),
                              form.get("pattern", ""), g.user.email, types)
        return f"Desk {form.get('name')} saved"
    return _saved(save)
