"""``directory`` commands: the directory of services, imported from and exported to CSV or JSON."""
from __future__ import annotations

from pathlib import Path

import click

from engine import catalogue
from engine.errors import UserError
from engine.people import SYSTEM_ACTOR

from . import Output, context, json_option, main


@main.group("directory")
def directory_group() -> None:
    """Every service the front office answers for, mapped or not."""


@directory_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--user", "actor", default=None)
@json_option
def import_file(file: Path, actor: str | None, out: Output) -> None:
    """Add or replace the services in FILE (.csv or .json); all or nothing."""
    ctx = context()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"Cannot read {file}: {getattr(err, 'strerror', None) or err}") from None
    parsed = catalogue.read(text, file.suffix.lower().lstrip("."))
    result = catalogue.import_directory(ctx, parsed, actor or SYSTEM_ACTOR)
    out.result(result.to_dict(), lambda r: f"{r['created']} services added, {r['updated']} updated, "
                                           f"{r['partners']} partners" +
                                           (f"; new teams: {', '.join(r['teams_created'])}" if r["teams_created"]
                                            else ""))


@directory_group.command("export")
@click.option("--format", "file_format", type=click.Choice(["csv", "json"]), default="json")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@json_option
def export(file_format: str, output: Path | None, out: Output) -> None:
    """The whole directory, in the format import reads (--json: errors as JSON)."""
    ctx = context()
    text = catalogue.export_csv(ctx) if file_format == "csv" else catalogue.export_json(ctx)
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        output.write_text(text, encoding="utf-8")


@directory_group.command("list")
@json_option
def list_entries(out: Output) -> None:
    found = catalogue.list_entries(context())
    out.result([{"key": e.key, "name": e.name, "action": str(e.action), "team": e.team, "partner": e.partner,
                 "process": e.process, "sensitivity": str(e.sensitivity)} for e in found],
               lambda rows: "\n".join(f"{r['key']}: {r['name']} ({r['action']})" for r in rows)
               or "The directory is empty")


@directory_group.command("show")
@click.argument("key")
@json_option
def show(key: str, out: Output) -> None:
    entry = catalogue.get_entry(context(), key)
    out.result(entry.to_dict())


@directory_group.command("remove")
@click.argument("key")
@json_option
def remove(key: str, out: Output) -> None:
    catalogue.remove_entry(context(), key)
    out.result({"removed": key}, f"{key} removed from the directory")
