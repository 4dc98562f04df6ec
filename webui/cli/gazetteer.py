"""``gazetteer`` commands: load the council's address gazetteer (LLPG) and look addresses up."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from engine import places

from . import Output, context, json_option, main


@main.group("gazetteer")
def gazetteer_group() -> None:
    """The council's addresses, with their UPRNs, that advisors pick from (docs/gazetteer.md)."""


def _summary(report: dict[str, Any]) -> str:
    lines = [f"Loaded {report['loaded']} addresses ({report['new']} new, {report['updated']} updated) from a "
             f"{report['layout']} file in {report['seconds']} s"]
    if report["bad_count"]:
        lines.append(f"{report['bad_count']} rows not loaded:")
        lines += [f"  line {bad['line']}: {bad['reason']}" for bad in report["bad"]]
    return "\n".join(lines)


@gazetteer_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@json_option
def import_file(file: Path, out: Output) -> None:
    """Load FILE, a CSV extract (councilflow or AddressBase columns); an address already loaded is
    updated by its UPRN. Rows that cannot be read are listed with their line numbers; the rest load."""
    report = places.import_file(context(), file).to_dict()
    out.result(report, _summary)


@gazetteer_group.command("lookup")
@click.argument("postcode")
@json_option
def lookup(postcode: str, out: Output) -> None:
    """The addresses at POSTCODE, as {uprn, address, postcode, lat, long}."""
    found = [address.to_dict() for address in places.lookup(context(), postcode)]
    out.result(found, lambda rows: "\n".join(f"{r['uprn']}  {r['address']}, {r['postcode']}" for r in rows)
               or f"no addresses at {postcode}")
