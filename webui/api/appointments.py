"""Appointments through the API (docs/appointments.md): the types and locations that can be booked,
the free slots of a type between two days, booking a case's resident into a slot, rebooking and
cancelling, the hub's check-in / call / finish, and a day's appointments. For staff (admins always).

Slots are named as the pages and the CLI name them, ``<desk id>@<UTC start>`` (``3@2027-03-30T08:00Z``);
times are ISO 8601 instants in UTC. A slot someone else took a moment ago is a 409 whose body names the
next free one (``next_slot``). This module carries its part of the OpenAPI document."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import jsonify, request

from engine import appointments
from engine.appointments import MAX_DAYS_AHEAD

from . import bp, context
from .cases import visible
from .payload import Query, json_body
from .roles import STAFF, current_user, requires
from .schemas import REQUEST_SCHEMAS, RESPONSE_SCHEMAS

MAX_SLOTS = 200
_SLOT = {"type": "string", "title": "Slot", "minLength": 3, "maxLength": 60, "pattern": r"^\d+@\d{4}-\d\d-\d\dT\d\d:\d\dZ$",
         "description": "A free slot as listed by GET /appointments/types/{type}/slots."}
_KEY = {"type": "string", "minLength": 1, "maxLength": 60}
SCHEMAS: dict[str, dict[str, Any]] = {
    "BookAppointment": {"type": "object", "required": ["type", "slot"], "additionalProperties": False,
                        "properties": {"type": {**_KEY, "title": "Appointment type"}, "slot": _SLOT},
                        "examples": [{"type": "blue-badge-check", "slot": "1@2027-03-30T08:00Z"}]},
    "RebookAppointment": {"type": "object", "required": ["slot"], "additionalProperties": False,
                          "properties": {"slot": _SLOT}, "examples": [{"slot": "1@2027-03-31T08:00Z"}]},
    "CancelAppointment": {"type": "object", "additionalProperties": False,
                          "properties": {"reason": {"type": "string", "title": "Reason", "maxLength": 500}},
                          "examples": [{"reason": "The resident phoned to cancel"}]},
}
_TEXT, _INT, _TIME = {"type": "string"}, {"type": "integer"}, {"type": ["string", "null"], "format": "date-time"}
_APPOINTMENT_FIELDS = {
    "reference": _TEXT, "type": _TEXT, "type_name": _TEXT, "location": _TEXT, "location_name": _TEXT,
    "desk": {"type": ["string", "null"]}, "starts_at": {"type": "string", "format": "date-time"},
    "ends_at": {"type": "string", "format": "date-time"},
    "status": {"type": "string", "enum": ["booked", "arrived", "in_progress", "finished", "no_show", "cancelled"]},
    "case": {"type": ["string", "null"], "description": "Its case's reference (none for a walk-in)."},
    "name": _TEXT, "walk_in": {"type": "boolean"}, "what_to_bring": _TEXT,
    "arrived_at": _TIME, "called_at": _TIME, "finished_at": _TIME}
RESPONSES: dict[str, dict[str, Any]] = {
    "Appointment": {"type": "object", "properties": _APPOINTMENT_FIELDS, "required": list(_APPOINTMENT_FIELDS)},
    "AppointmentSlot": {"type": "object", "required": ["slot", "desk", "location", "starts_at", "ends_at"],
                        "properties": {"slot": _TEXT, "desk": _TEXT, "location": _TEXT,
                                       "starts_at": {"type": "string", "format": "date-time"},
                                       "ends_at": {"type": "string", "format": "date-time"}}},
    "AppointmentType": {"type": "object", "required": ["key", "name", "minutes", "what_to_bring", "grace_minutes",
                                                       "reminder_days_before"],
                        "properties": {"key": _TEXT, "name": _TEXT, "minutes": _INT, "what_to_bring": _TEXT,
                                       "grace_minutes": _INT, "reminder_days_before": _INT}},
    "AppointmentLocation": {"type": "object", "required": ["key", "name", "address", "desks"], "properties": {
        "key": _TEXT, "name": _TEXT, "address": _TEXT, "desks": {"type": "array", "items": {
            "type": "object", "required": ["name", "pattern", "types"], "properties": {
                "name": _TEXT, "pattern": {"type": "object"}, "types": {"type": "array", "items": _TEXT}}}}}},
}
REQUEST_SCHEMAS.update(SCHEMAS)
RESPONSE_SCHEMAS.update(RESPONSES)


def _day(query: Query, name: str, default: date) -> date:
    raw = query.args.get(name)
    if raw is None:  # left out: the default; given empty is a mistake (the document says a date)
        return default
    try:
        if len(raw) != 10:  # only YYYY-MM-DD (Python also reads other ISO forms)
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        query.errors[name] = f"{name} must be a date, YYYY-MM-DD"
        return default


@bp.get("/appointments/types")
@requires(*STAFF)
def list_appointment_types() -> Any:
    return jsonify(appointments.list_types(context()))


@bp.get("/appointments/locations")
@requires(*STAFF)
def list_appointment_locations() -> Any:
    return jsonify(appointments.list_locations(context()))


@bp.get("/appointments/types/<key>/slots")
@requires(*STAFF)
def free_appointment_slots(key: str) -> Any:
    """The free slots of a type from ``from`` (default today) to ``to`` (default a week on), earliest first."""
    query = Query(request.args)
    today = context().clock.now().date()
    first = _day(query, "from", today)
    last = _day(query, "to", first + timedelta(days=6))
    location, limit = query.text("location"), query.integer("limit", 50, 1, MAX_SLOTS)
    if not query.errors and not 0 <= (last - first).days <= MAX_DAYS_AHEAD:
        query.errors["to"] = f"to must be from 'from' to {MAX_DAYS_AHEAD} days after it"
    query.check()
    found = appointments.slots_between(context(), key, first, last, location, limit)
    return jsonify([s.to_dict() for s in found])


@bp.get("/appointments")
@requires(*STAFF)
def list_appointments() -> Any:
    """A day's appointments (``date``, default today) by start, walk-ins among them; cancelled ones left out."""
    query = Query(request.args)
    day, location = _day(query, "date", context().clock.now().date()), query.text("location")
    query.check()
    return jsonify([a.to_dict() for a in appointments.today(context(), location, day)])


@bp.get("/cases/<reference>/appointments")
@requires(*STAFF)
def case_appointments(reference: str) -> Any:
    return jsonify([a.to_dict() for a in appointments.case_appointments(context(), visible(reference))])


@bp.post("/cases/<reference>/appointments")
@requires(*STAFF)
def book_appointment(reference: str) -> Any:
    body = json_body("BookAppointment")
    booked = appointments.book_for_case(context(), visible(reference), body["type"], body["slot"],
                                        current_user().email)
    response = jsonify(booked.to_dict())
    response.status_code = 201
    return response


def _case_of(reference: str) -> None:
    """404 unless the caller may see the appointment's case (a walk-in has none: any staff)."""
    found = appointments.get_appointment(context(), reference)
    if found.case is not None:
        visible(found.case)


@bp.get("/appointments/<reference>")
@requires(*STAFF)
def show_appointment(reference: str) -> Any:
    _case_of(reference)
    return jsonify(appointments.get_appointment(context(), reference).to_dict())


@bp.post("/appointments/<reference>/rebook")
@requires(*STAFF)
def rebook_appointment(reference: str) -> Any:
    body = json_body("RebookAppointment")
    _case_of(reference)
    return jsonify(appointments.rebook(context(), reference, body["slot"], current_user().email).to_dict())


@bp.post("/appointments/<reference>/cancel")
@requires(*STAFF)
def cancel_appointment(reference: str) -> Any:
    body = json_body("CancelAppointment", optional=True)
    _case_of(reference)
    return jsonify(appointments.cancel(context(), reference, current_user().email,
                                       body.get("reason", "")).to_dict())


def _act(reference: str, action: str) -> Any:
    _case_of(reference)
    return jsonify(appointments.act(context(), reference, action, current_user().email).to_dict())


@bp.post("/appointments/<reference>/check-in")
@requires(*STAFF)
def appointment_check_in(reference: str) -> Any:
    """The resident has arrived: records the time; their case hears ``appointment_attended``."""
    return _act(reference, "check_in")


@bp.post("/appointments/<reference>/call")
@requires(*STAFF)
def appointment_call(reference: str) -> Any:
    return _act(reference, "call")


@bp.post("/appointments/<reference>/finish")
@requires(*STAFF)
def appointment_finish(reference: str) -> Any:
    return _act(reference, "finish")


def openapi_paths(operation: Any) -> dict[str, Any]:
    """These endpoints in the OpenAPI document (``operation`` is openapi's builder)."""
    def ref(name: str) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{name}"}

    def ok(schema: dict[str, Any], status: int = 200) -> tuple[int, dict[str, Any]]:
        return status, {"application/json": {"schema": schema}}

    def many(name: str) -> tuple[int, dict[str, Any]]:
        return ok({"type": "array", "items": ref(name)})

    def path(name: str, text: str, example: str) -> dict[str, Any]:
        return {"name": name, "in": "path", "required": True, "description": text,
                "schema": {"type": "string", "minLength": 1}, "example": example}

    def param(name: str, text: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "description": text,
                "schema": schema or {"type": "string"}}

    appointment = path("reference", "Appointment reference.", "AP-000001")
    case = path("reference", "Case reference.", "CF-000001")
    day = {"type": "string", "format": "date"}
    body_errors = (404, 409, 413, 415, 422)
    paths: dict[str, Any] = {
        "/appointments/types": {"get": operation("list_appointment_types", "Appointment types with their length",
                                                 many("AppointmentType"), ())},
        "/appointments/locations": {"get": operation("list_appointment_locations",
                                                     "Locations (hubs) with their desks and weekly patterns",
                                                     many("AppointmentLocation"), ())},
        "/appointments/types/{key}/slots": {"get": operation(
            "free_appointment_slots", "Free slots of a type between two days (local), earliest first",
            many("AppointmentSlot"), (404, 422),
            [path("key", "Appointment type key.", "blue-badge-check"),
             param("from", "First day, YYYY-MM-DD (default today).", day),
             param("to", "Last day, YYYY-MM-DD, included (default six days after from).", day),
             param("location", "Only this location's desks (its key)."),
             param("limit", "Most slots (default 50).", {"type": "integer", "minimum": 1, "maximum": MAX_SLOTS})])},
        "/appointments": {"get": operation("list_appointments", "A day's appointments by start time",
                                           many("Appointment"), (404, 422),
                                           [param("date", "The day, YYYY-MM-DD (default today).", day),
                                            param("location", "Only this location (its key).")])},
        "/cases/{reference}/appointments": {
            "get": operation("case_appointments", "A case's appointments", many("Appointment"), (404,), [case]),
            "post": operation("book_appointment", "Book the case's resident into a free slot (409 names the next "
                              "free one when the slot was just taken)", ok(ref("Appointment"), 201), body_errors,
                              [case], "BookAppointment")},
        "/appointments/{reference}": {"get": operation("show_appointment", "One appointment",
                                                       ok(ref("Appointment")), (404,), [appointment])},
        "/appointments/{reference}/rebook": {"post": operation(
            "rebook_appointment", "Move a booked appointment to another free slot", ok(ref("Appointment")),
            body_errors, [appointment], "RebookAppointment")},
        "/appointments/{reference}/cancel": {"post": operation(
            "cancel_appointment", "Cancel a booked appointment (its case hears appointment_cancelled)",
            ok(ref("Appointment")), body_errors, [appointment], "CancelAppointment", False)},
    }
    for action, summary in (("check-in", "Check the resident in (records the arrival; the case hears "
                                         "appointment_attended)"),
                            ("call", "Call the resident in (records the start)"),
                            ("finish", "Finish the appointment (records the end)")):
        paths[f"/appointments/{{reference}}/{action}"] = {"post": operation(
            f"appointment_{action.replace('-', '_')}", summary, ok(ref("Appointment")), (404, 409), [appointment])}
    return paths
