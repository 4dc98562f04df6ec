"""``calendar`` and ``closures`` commands: the council's working week, nation and closure days."""
from __future__ import annotations

import click

from engine import deadlines
from engine.types import Nation
from engine.people import SYSTEM_ACTOR

from . import Output, context, json_option, main


@main.group("calendar")
def calendar_group() -> None:
    """The working calendar SLA clocks count in."""


@calendar_group.command("show")
@json_option
def show(out: Output) -> None:
    payload = deadlines.current(context()).to_dict()
    out.result(payload, lambda p: f"{p['nation']}, {p['day_start']}-{p['day_end']} on weekdays {p['weekdays']} "
                                  f"({p['time_zone']})")


@calendar_group.command("set")
@click.option("--nation", default=None, type=click.Choice([n.value for n in Nation]),
              help="Whose bank holidays apply.")
@click.option("--day-start", default=None, help="Opening time, HH:MM.")
@click.option("--day-end", default=None, help="Close of business, HH:MM (when working days fall due).")
@click.option("--weekday", "weekdays", type=click.IntRange(0, 6), multiple=True,
              help="A working weekday, 0 = Monday (repeatable; replaces the week).")
@click.option("--user", "actor", default=None)
@json_option
def set_calendar(nation: str | None, day_start: str | None, day_end: str | None, weekdays: tuple[int, ...],
                 actor: str | None, out: Output) -> None:
    """Change the working calendar; running clocks keep their dates unless recalculated."""
    payload = deadlines.change(context(), actor or SYSTEM_ACTOR, nation, day_start, day_end,
                               list(weekdays) if weekdays else None).to_dict()
    out.result(payload, "Calendar updated")


@main.group("closures")
def closures_group() -> None:
    """Days the council is closed besides bank holidays (e.g. between Christmas and New Year)."""


@closures_group.command("add")
@click.argument("days", nargs=-1, required=True)
@click.option("--label", default="Council closed")
@click.option("--nation", default=None, type=click.Choice([n.value for n in Nation]),
              help="Only for this nation's calendar (default: always).")
@click.option("--user", "actor", default=None)
@json_option
def add(days: tuple[str, ...], label: str, nation: str | None, actor: str | None, out: Output) -> None:
    """Close the council on DAYS (YYYY-MM-DD); re-adding a day relabels it."""
    closed = deadlines.close(context(), [deadlines.parse_day(d) for d in days], label,
                             actor or SYSTEM_ACTOR, nation)
    rows = [c.to_dict() for c in closed]
    out.result(rows, f"Added {len(rows)} closure day(s)")


@closures_group.command("remove")
@click.argument("day")
@click.option("--nation", default=None, type=click.Choice([n.value for n in Nation]))
@click.option("--user", "actor", default=None)
@json_option
def remove(day: str, nation: str | None, actor: str | None, out: Output) -> None:
    deadlines.reopen(context(), deadlines.parse_day(day), actor or SYSTEM_ACTOR, nation)
    out.result({"date": day, "removed": True}, f"{day} is a working day again")


@closures_group.command("list")
@json_option
def list_closures(out: Output) -> None:
    rows = [c.to_dict() for c in deadlines.closure_days(context())]
    out.result(rows, lambda r: "\n".join(f"{c['date']}  {c['label']}" + (f" ({c['nation']})" if c["nation"] else "")
                                         for c in r) or "no closure days")
