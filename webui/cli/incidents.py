"""``incidents``: hand-offs that need a person — list, retry, skip (with a note)."""
from __future__ import annotations

import click

from engine import background
from engine.types import IncidentStatus

from . import Output, context, json_option, main


@main.group("incidents")
def incidents_group() -> None:
    """Adapter calls that ran out of retries or were refused by the back office."""


@incidents_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include resolved incidents.")
@click.option("--case", "reference", default=None)
@json_option
def list_incidents(show_all: bool, reference: str | None, out: Output) -> None:
    status = None if show_all else IncidentStatus.OPEN
    rows = [i.to_dict() for i in background.list_incidents(context(), status, reference)]
    out.result(rows, lambda r: "\n".join(f"{i['id']:>5}  {i['case']}  {i['operation']}  {i['status']}  {i['message']}"
                                          for i in r) or "no incidents")


@incidents_group.command("retry")
@click.argument("incident_id", type=int)
@click.option("--note", required=True, help="Why it is safe to try again.")
@click.option("--user", "actor", default="system")
@json_option
def retry(incident_id: int, note: str, actor: str, out: Output) -> None:
    view = background.retry_incident(context(), incident_id, actor, note)
    out.result(view.to_dict(), f"Incident {incident_id} will be tried again")


@incidents_group.command("skip")
@click.argument("incident_id", type=int)
@click.option("--note", required=True, help="Why the case can go on without the call.")
@click.option("--user", "actor", default="system")
@json_option
def skip(incident_id: int, note: str, actor: str, out: Output) -> None:
    view = background.skip_incident(context(), incident_id, actor, note)
    out.result(view.to_dict(), f"Incident {incident_id} skipped; the case continues")
