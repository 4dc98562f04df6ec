"""``councillors``: elected members' wards and whether they may follow their ward's enquiries."""
from __future__ import annotations

import click

from engine import members

from . import Output, context, json_option, main


def _line(c: dict) -> str:
    ward = c["ward"] or "no ward"
    return f"{c['email']}  {c['name']}  {ward}{' (sees the ward’s enquiries)' if c['ward_visible'] else ''}"


@main.group("councillors")
def councillors_group() -> None:
    """Users with the councillor role (add them with `users add EMAIL --role councillor`)."""


@councillors_group.command("list")
@json_option
def list_councillors(out: Output) -> None:
    rows = [c.to_dict() for c in members.list_councillors(context())]
    out.result(rows, lambda r: "\n".join(_line(c) for c in r) or "no councillors")


@councillors_group.command("set-ward")
@click.argument("email")
@click.argument("ward")
@click.option("--ward-visible/--own-only", default=False,
              help="Let the councillor see every enquiry for the ward, not only their own (default: own only).")
@json_option
def set_ward(email: str, ward: str, ward_visible: bool, out: Output) -> None:
    """Give councillor EMAIL the WARD ('' for none)."""
    out.result(members.set_ward(context(), email, ward, ward_visible).to_dict(), _line)
