"""Appointment pages: the hub's arrivals view for tablets (today's appointments, check in, call,
finish, walk-ins), the appointment figures, and the resident's calendar file (.ics, by the link in
their reminder). Every change is an engine use case (engine.appointments.appointment_arrivals)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from engine import appointments, casework
from engine.appointments import calendar_file
from engine.deadlines import parse_day
from engine.errors import Conflict, NotFound, UserError

from .current import context
from .dates import LONDON, instant, uk_datetime

bp = Blueprint("appointments", __name__)
calendar_bp = Blueprint("appointment_calendar", __name__)  # public: the link in a resident's reminder
FLASH = "arrivals"
BUTTONS = {"check_in": "Check in", "call": "Call", "finish": "Finish"}
DONE = {"check_in": "checked in", "call": "called", "finish": "finished"}
NEXT_ACTION = {"booked": "check_in", "arrived": "call", "in_progress": "finish"}
STATUS = {"booked": ("Expected", "govuk-tag--blue"), "arrived": ("Waiting", "govuk-tag--yellow"),
          "in_progress": ("With an officer", "govuk-tag--green"), "finished": ("Finished", "govuk-tag--grey"),
          "no_show": ("No-show", "govuk-tag--red"), "cancelled": ("Cancelled", "govuk-tag--grey")}


@bp.app_template_filter("uk_time")
def uk_time(value: Any) -> str:
    at = instant(value)
    return at.astimezone(LONDON).strftime("%H:%M") if at else ""


def _location() -> str | None:
    places = appointments.locations(context())
    wanted = request.values.get("location")
    return wanted if wanted in {k for k, _ in places} else (places[0][0] if places else None)


@bp.get("/arrivals")
def arrivals() -> Any:
    place = _location()
    rows = appointments.today(context(), place) if place else []
    return render_template("appointments/arrivals.html", title="Arrivals", appointments=rows, location=place,
                           locations=appointments.locations(context()), buttons=BUTTONS,
                           next_action=NEXT_ACTION,
                           status=STATUS, types=appointments.list_types(context()),
                           errors=request.args.get("error"))


@bp.post("/arrivals/<reference>/<action>")
def act(reference: str, action: str) -> Any:
    if action not in BUTTONS:
        abort(404)
    try:
        done = appointments.act(context(), reference, action, g.user.email)
    except NotFound:
        abort(404)
    except Conflict as err:
        flash(err.message, FLASH)
    else:
        flash(f"{done.name or done.reference} {DONE[action]} at {uk_time(_now())}", FLASH)
    return redirect(url_for(".arrivals", location=request.form.get("location")))


def _now() -> Any:
    return context().clock.now()


@bp.post("/arrivals/walk-in")
def walk_in() -> Any:
    place = request.form.get("location", "")
    try:
        added = appointments.walk_in(context(), request.form.get("type", ""), place,
                                     request.form.get("name", ""), g.user.email)
    except UserError as err:
        flash(err.message, FLASH)
    else:
        flash(f"{added.name} added to the queue ({added.reference})", FLASH)
    return redirect(url_for(".arrivals", location=place))


def _day(name: str, default: date) -> date:
    try:
        return parse_day(request.args[name]) if request.args.get(name) else default
    except UserError:
        abort(400)


@bp.get("/appointments/figures")
def figures() -> Any:
    today = context().clock.now().astimezone(LONDON).date()
    first, last = _day("from", today - timedelta(days=30)), _day("to", today)
    try:
        found = appointments.stats(context(), first, last)
    except UserError as err:
        return render_template("appointments/figures.html", title="Appointment figures", figures=None,
                               problem=err.message, first=first, last=last), 400
    return render_template("appointments/figures.html", title="Appointment figures", figures=found, problem=None,
                           first=first, last=last)


@calendar_bp.get("/appointments/<reference>/<token>.ics")
def ics(reference: str, token: str) -> Any:
    try:
        body = calendar_file(context(), reference, token)
    except NotFound:
        abort(404)
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{reference}.ics"'})


@bp.get("/appointments/<reference>")
def show(reference: str, problem: str | None = None, status: int = 200) -> Any:
    """One appointment: when and where, and (while booked) rebook to a free slot or cancel."""
    try:
        found = appointments.get_appointment(context(), reference)
    except NotFound:
        abort(404)
    if found.case:  # as visible as its case: Forbidden/CaseNotFound become 403/404 pages
        casework.case_header(context(), found.case, g.user.email)
    free = appointments.availability(context(), found.type, limit=8, per_place=True) if found.status == "booked" else []
    return render_template("appointments/appointment.html", title=f"Appointment {reference}", appointment=found,
                           free=free, problem=problem, status_labels=STATUS), status


@bp.post("/appointments/<reference>/rebook")
def rebook(reference: str) -> Any:
    try:
        moved = appointments.rebook(context(), reference, request.form.get("slot", ""), g.user.email)
    except NotFound:
        abort(404)
    except UserError as err:  # taken a moment ago (names the next free slot), or no longer booked
        return show(reference, err.message, 409 if isinstance(err, Conflict) else 400)
    flash(f"Appointment {reference} moved to {uk_datetime(moved.starts_at)}", FLASH)
    return redirect(url_for(".show", reference=reference))


@bp.post("/appointments/<reference>/cancel")
def cancel(reference: str) -> Any:
    try:
        appointments.cancel(context(), reference, g.user.email, request.form.get("reason", ""))
    except NotFound:
        abort(404)
    except Conflict as err:
        return show(reference, err.message, 409)
    flash(f"Appointment {reference} cancelled", FLASH)
    return redirect(url_for(".show", reference=reference))
