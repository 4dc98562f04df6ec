"""``sla``, ``calendar`` and ``closures`` commands: deadlines admins promise, and the working calendar."""
from __future__ import annotations

from datetime import datetime

import click

from engine import deadlines
from engine.errors import UserError
from engine.types import Nation, SlaUnit
from engine.people import SYSTEM_ACTOR

from . import Output, context, json_option, main

_UNITS = (("working_days", SlaUnit.WORKING_DAYS), ("working_hours", SlaUnit.WORKING_HOURS),
          ("days", SlaUnit.CALENDAR_DAYS))


def _amount_options(fn):  # type: ignore[no-untyped-def]
    fn = click.option("--days", type=int, default=None, help="Calendar days.")(fn)
    fn = click.option("--working-hours", type=int, default=None, help="Working hours.")(fn)
    return click.option("--working-days", type=int, default=None, help="Working days.")(fn)


def _unit(given: dict[str, int | None]) -> tuple[SlaUnit, int]:
    chosen = [(unit, given[name]) for name, unit in _UNITS if given[name] is not None]
    if len(chosen) != 1:
        raise UserError("Give exactly one of --working-days, --working-hours or --days")
    unit, amount = chosen[0]
    return unit, int(amount or 0)


def _policy_text(p: dict) -> str:
    where = p["process"] + (f" / {p['task']}" if p["task"] else " (whole case)")
    return f"{where}: {deadlines.SlaTerms.from_dict(p).describe()}"


@main.group("sla")
def sla_group() -> None:
    """Service levels: what the council promises, per process and per task."""


@sla_group.command("set")
@click.argument("process")
@click.argument("task", required=False)
@_amount_options
@click.option("--warn-at", type=int, default=None, help="Warn (at risk) when this % of the time has passed.")
@click.option("--escalate", "escalations", multiple=True,
              help="[warning:|breach:]notify-team-lead | reassign:TEAM | message:NAME (repeatable; "
                   "without a trigger it runs on breach).")
@click.option("--when", "rules", multiple=True, metavar="'CONDITION=N'",
              help="A target that depends on the case's data, in the same unit, e.g. 'priority == \"urgent\"=2' "
                   "(repeatable; the first condition that holds wins, otherwise the target above).")
@click.option("--recalculate", is_flag=True, help="Also move the clocks already running under this SLA.")
@click.option("--user", "actor", default=None, help="Who is changing the SLA (recorded in the history).")
@json_option
def set_sla(process: str, task: str | None, working_days: int | None, working_hours: int | None,
            days: int | None, warn_at: int | None, escalations: tuple[str, ...], rules: tuple[str, ...],
            recalculate: bool, actor: str | None, out: Output) -> None:
    """Promise PROCESS (or its TASK, by BPMN id) within a time; applies to clocks started from now."""
    unit, amount = _unit({"working_days": working_days, "working_hours": working_hours, "days": days})
    terms = deadlines.SlaTerms(unit, amount, warn_at, tuple(deadlines.Escalation.parse(e) for e in escalations),
                               tuple(deadlines.TargetRule.parse(r) for r in rules))
    ctx = context()
    payload = deadlines.set_policy(ctx, process, task, terms, actor or SYSTEM_ACTOR).to_dict()
    if recalculate:
        payload["recalculated"] = deadlines.recalculate(ctx, process, task, actor or SYSTEM_ACTOR)
    out.result(payload, _policy_text)


@sla_group.command("list")
@click.argument("process", required=False)
@json_option
def list_sla(process: str | None, out: Output) -> None:
    """The SLAs configured (for one PROCESS, or all)."""
    rows = [p.to_dict() for p in deadlines.list_policies(context(), process)]
    out.result(rows, lambda r: "\n".join(_policy_text(p) for p in r) or "no SLAs configured")


@sla_group.command("remove")
@click.argument("process")
@click.argument("task", required=False)
@click.option("--user", "actor", default=None)
@json_option
def remove_sla(process: str, task: str | None, actor: str | None, out: Output) -> None:
    """Stop promising: clocks already running go on; new cases and tasks get none."""
    deadlines.remove_policy(context(), process, task, actor or SYSTEM_ACTOR)
    out.result({"process": process, "task": task, "removed": True}, "SLA removed")


@sla_group.command("recalculate")
@click.argument("process")
@click.argument("task", required=False)
@click.option("--user", "actor", default=None)
@json_option
def recalculate(process: str, task: str | None, actor: str | None, out: Output) -> None:
    """Apply the current SLA to the clocks already running under it (each change is in the history)."""
    count = deadlines.recalculate(context(), process, task, actor or SYSTEM_ACTOR)
    out.result({"recalculated": count}, f"Recalculated {count} running clock(s)")


@sla_group.command("due")
@click.option("--start", "start", required=True, help="ISO date-time; without an offset it is council time.")
@_amount_options
@click.option("--nation", default=None, type=click.Choice([n.value for n in Nation]),
              help="Bank holidays of this nation (default: the council's).")
@json_option
def due(start: str, working_days: int | None, working_hours: int | None, days: int | None,
        nation: str | None, out: Output) -> None:
    """Calculate a due date as the SLA clock would (bank holidays, closures, working hours)."""
    unit, amount = _unit({"working_days": working_days, "working_hours": working_hours, "days": days})
    calendar = deadlines.working_calendar(context(), nation)
    try:
        instant = datetime.fromisoformat(start)
    except ValueError:
        raise UserError(f"--start '{start}' is not an ISO 8601 date-time") from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=calendar.zone)
    found = deadlines.deadline(calendar, deadlines.SlaTerms(unit, amount), instant)
    local = calendar.local(found.due)
    warning = deadlines.holiday_data_warning(calendar, found.due)
    if warning is not None:  # on stderr, so the answer on stdout stays one line (or one JSON object)
        click.echo(f"Warning: {warning}", err=True)
    out.result({"due": local.isoformat(), **({"warning": warning} if warning else {})},
               local.strftime("%A %d %B %Y %H:%M %Z"))


@sla_group.command("show")
@click.argument("reference")
@click.option("--all", "include_stopped", is_flag=True, help="Include clocks that have stopped.")
@json_option
def show(reference: str, include_stopped: bool, out: Output) -> None:
    """The SLA clocks of a case: state, due date, and how long is left."""
    rows = [c.to_dict() for c in deadlines.case_clocks(context(), reference, include_stopped)]
    out.result(rows, _clocks_text)


def _clocks_text(rows: list[dict]) -> str:
    return "\n".join(f"{c['task'] or 'whole case'}: {c['state']}, due {c['due_at']} ({c['remaining']})"
                     for c in rows) or "no SLA clocks"


@sla_group.command("pause")
@click.argument("reference")
@click.option("--reason", default="", help="E.g. awaiting information from the resident.")
@click.option("--user", "actor", default=None)
@json_option
def pause(reference: str, reason: str, actor: str | None, out: Output) -> None:
    """Pause a case's clocks while the council waits for the resident."""
    rows = [c.to_dict() for c in deadlines.pause_case(context(), reference, actor or SYSTEM_ACTOR, reason)]
    out.result(rows, _clocks_text)


@sla_group.command("resume")
@click.argument("reference")
@click.option("--user", "actor", default=None)
@json_option
def resume(reference: str, actor: str | None, out: Output) -> None:
    """Restart a case's clocks; due dates move on by the working time spent paused."""
    rows = [c.to_dict() for c in deadlines.resume_case(context(), reference, actor or SYSTEM_ACTOR)]
    out.result(rows, _clocks_text)
