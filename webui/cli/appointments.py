"""``appointments`` commands: what can be booked and where (types, locations and their desks), free
slots, booking from a case, the day at the hub, and the figures."""
from __future__ import annotations

from typing import Any

import click

from engine import appointments
from engine.deadlines import parse_day
from engine.errors import UserError
from engine.people import SYSTEM_ACTOR

from . import Output, context, json_option, main, parse_json


def _slot_line(slot: dict[str, Any]) -> str:
    return f"{slot['slot']}  {slot['starts_at']}  {slot['location']} / {slot['desk']}"


def _appointment_line(a: dict[str, Any]) -> str:
    case = f" case {a['case']}" if a["case"] else " walk-in" if a["walk_in"] else ""
    return f"{a['reference']}  {a['starts_at']}  {a['type_name']} at {a['location_name']}  {a['status']}{case}"


@main.group("appointments")
def appointments_group() -> None:
    """Bookable appointments: types, locations and desks, slots, bookings, arrivals and figures."""


@appointments_group.group("types")
def types_group() -> None:
    """Appointment types (services) and how long each lasts."""


@types_group.command("set")
@click.argument("key")
@click.option("--name", required=True)
@click.option("--minutes", type=int, required=True, help="How long one appointment lasts.")
@click.option("--bring", "what_to_bring", default="", help="What the resident should bring (said in reminders).")
@click.option("--grace", "grace_minutes", type=int, default=15, show_default=True,
              help="Minutes after the start without a check-in before it is a no-show.")
@click.option("--remind-days", "reminder_days_before", type=int, default=1, show_default=True,
              help="Days before to send a reminder (0: none; a confirmation is always sent on booking).")
@click.option("--user", "actor", default=None)
@json_option
def set_type(key: str, name: str, minutes: int, what_to_bring: str, grace_minutes: int, reminder_days_before: int,
             actor: str | None, out: Output) -> None:
    """Add or change the appointment type KEY."""
    row = appointments.set_type(context(), key, name, minutes, actor or SYSTEM_ACTOR, what_to_bring,
                                grace_minutes, reminder_days_before)
    out.result(row, f"{row['key']}: {row['name']}, {row['minutes']} min")


@types_group.command("list")
@json_option
def list_types(out: Output) -> None:
    rows = appointments.list_types(context())
    out.result(rows, lambda rs: "\n".join(f"{r['key']}: {r['name']}, {r['minutes']} min" for r in rs)
               or "No appointment types")


@appointments_group.group("locations")
def locations_group() -> None:
    """Places appointments are held (hubs, libraries) and their desks' weekly patterns."""


@locations_group.command("set")
@click.argument("key")
@click.option("--name", required=True)
@click.option("--address", default="")
@click.option("--user", "actor", default=None)
@json_option
def set_location(key: str, name: str, address: str, actor: str | None, out: Output) -> None:
    """Add or change the location KEY."""
    out.result(appointments.set_location(context(), key, name, actor or SYSTEM_ACTOR, address),
               f"{key}: {name}")


@locations_group.command("desk")
@click.argument("location")
@click.argument("name")
@click.option("--pattern", required=True,
              help="Weekly windows, e.g. 'mon-fri 09:00-12:30,13:30-16:00; sat 10:00-12:00'.")
@click.option("--type", "types", multiple=True, help="A type the desk serves (repeatable; default: all).")
@click.option("--user", "actor", default=None)
@json_option
def set_desk(location: str, name: str, pattern: str, types: tuple[str, ...], actor: str | None, out: Output) -> None:
    """Add or change the desk NAME at LOCATION with its weekly pattern."""
    out.result(appointments.set_desk(context(), location, name, pattern, actor or SYSTEM_ACTOR, list(types)),
               f"Desk {name} at {location} set")


@locations_group.command("list")
@json_option
def list_locations(out: Output) -> None:
    rows = appointments.list_locations(context())
    out.result(rows, lambda rs: "\n".join(f"{r['key']}: {r['name']} ({len(r['desks'])} desks)" for r in rs)
               or "No locations")


@appointments_group.command("availability")
@click.argument("type_key")
@click.option("--location", default=None)
@click.option("--date", "day", default=None, help="Only this day (YYYY-MM-DD).")
@click.option("--limit", type=int, default=10, show_default=True)
@json_option
def availability(type_key: str, location: str | None, day: str | None, limit: int, out: Output) -> None:
    """The next free slots for TYPE_KEY (bank holidays and closure days have none)."""
    found = appointments.availability(context(), type_key, location, parse_day(day) if day else None, limit)
    out.result([s.to_dict() for s in found], lambda rs: "\n".join(map(_slot_line, rs)) or "No free slots")


@appointments_group.command("book")
@click.argument("case_reference")
@click.argument("type_key")
@click.argument("slot")
@click.option("--user", "actor", default=None)
@json_option
def book(case_reference: str, type_key: str, slot: str, actor: str | None, out: Output) -> None:
    """Book the case's resident into SLOT (as listed by ``availability``)."""
    out.result(appointments.book_for_case(context(), case_reference, type_key, slot, actor).to_dict(),
               _appointment_line)


@appointments_group.command("rebook")
@click.argument("reference")
@click.argument("slot")
@click.option("--user", "actor", default=None)
@json_option
def rebook(reference: str, slot: str, actor: str | None, out: Output) -> None:
    out.result(appointments.rebook(context(), reference, slot, actor).to_dict(), _appointment_line)


@appointments_group.command("cancel")
@click.argument("reference")
@click.option("--reason", default="")
@click.option("--user", "actor", default=None)
@json_option
def cancel(reference: str, reason: str, actor: str | None, out: Output) -> None:
    out.result(appointments.cancel(context(), reference, actor, reason).to_dict(), _appointment_line)


@appointments_group.command("today")
@click.option("--location", default=None)
@json_option
def today(location: str | None, out: Output) -> None:
    """Today's appointments by time."""
    rows = [a.to_dict() for a in appointments.today(context(), location)]
    out.result(rows, lambda rs: "\n".join(map(_appointment_line, rs)) or "No appointments today")


@appointments_group.command("stats")
@click.option("--from", "first", required=True, help="First day, YYYY-MM-DD.")
@click.option("--to", "last", required=True, help="Last day, YYYY-MM-DD (inclusive).")
@json_option
def stats(first: str, last: str, out: Output) -> None:
    """Demand, booked against available, waiting and length, no-show rate."""
    figures = appointments.stats(context(), parse_day(first), parse_day(last))
    out.result(figures, lambda f: (f"{f['booked']} booked of {f['available']} slots, {f['walk_ins']} walk-ins, "
                                   f"no-show rate {f['no_show_rate']}, waiting {f['waiting_minutes']}, "
                                   f"length {f['length_minutes']}"))


@appointments_group.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--user", "actor", default=None)
@json_option
def load(path: str, actor: str | None, out: Output) -> None:
    """Set the types, locations and desks described by the JSON file PATH (e.g. examples/demo_appointments.json)."""
    ctx = context()  # a database not set up is said first, as by every command
    try:
        with open(path, encoding="utf-8") as f:
            spec = parse_json(f.read(), path)
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"Cannot read {path}: {getattr(err, 'strerror', None) or err}") from None
    loaded = appointments.load_calendar(ctx, spec, actor or SYSTEM_ACTOR)
    out.result(loaded, f"Loaded {loaded['types']} types, {loaded['locations']} locations, {loaded['desks']} desks")
