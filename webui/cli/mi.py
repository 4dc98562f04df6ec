"""``councilflow mi``: the management-information figures of docs/mi.md for a date range, as JSON or
text, and the same tables as CSV or ODS files."""
from __future__ import annotations

from pathlib import Path

import click

from engine import mi

from . import Output, context, json_option, main


@main.command("mi")
@click.option("--from", "start", required=True, help="First day, YYYY-MM-DD (local).")
@click.option("--to", "end", required=True, help="Last day, YYYY-MM-DD (included).")
@click.option("--team", default=None, help="Only this team's figures (docs/mi.md says which).")
@click.option("--service", default=None, help="Only this service (its directory key).")
@click.option("--channel", default=None, help="Only this channel (ours or the Local Government Channel List's).")
@click.option("--ods", "ods_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Also write every table to this OpenDocument spreadsheet.")
@click.option("--csv", "csv_table", default=None, type=click.Choice(list(mi.TABLE_TITLES)),
              help="Print this table as CSV instead.")
@json_option
def figures(start: str, end: str, team: str | None, service: str | None, channel: str | None,
            ods_path: Path | None, csv_table: str | None, out: Output) -> None:
    """Contacts, first-contact resolution, avoidable contact, hand-offs, SLA compliance and backlog."""
    found = mi.figures(context(), mi.Filters.of(start, end, team, service, channel))
    if ods_path is not None:
        ods_path.write_bytes(mi.to_ods(mi.tables(found)))
    if csv_table is not None:
        click.echo(mi.to_csv(*mi.table(found, csv_table)), nl=False)
        return
    out.result(found, lambda f: "\n".join([
        f"{f['from']} to {f['to']}: {f['contacts']} contacts, {f['cases_started']} cases started",
        f"resolved at first contact {f['fcr_rate']:.1%}, avoidable contact {f['avoidable_contact_rate']:.1%}",
        f"hand-offs {f['handoffs']}, bounce-backs {f['bounce_backs']}",
        "SLA: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in f["sla"].items()),
        "backlog (working days): " + ", ".join(f"{k}: {v}" for k, v in f["backlog"].items())]))
