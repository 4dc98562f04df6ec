"""``partners``: partner organisations' Open311 API keys — add (the key is shown once), list, revoke."""
from __future__ import annotations

import click

from engine import open311

from . import Output, context, json_option, main


@main.group("partners")
def partners_group() -> None:
    """Partners' systems that post reports over Open311 (FixMyStreet, a housing association)."""


@partners_group.command("add")
@click.argument("name")
@click.option("--user", "actor", default="system", help="Who is issuing the key (for the record).")
@json_option
def add(name: str, actor: str, out: Output) -> None:
    """Issue an Open311 API key for the partner NAME (added to the partners if new). Shown once."""
    issued = open311.add_key(context(), name, actor)
    out.result(issued.to_dict(), lambda r: f"Open311 API key for {r['partner']} (shown once; keep it safe):\n"
                                           f"{r['api_key']}")


@partners_group.command("list")
@json_option
def list_partners(out: Output) -> None:
    """Partners holding Open311 keys: how many are live and when one was last used (never the keys)."""
    rows = [p.to_dict() for p in open311.list_keys(context())]
    out.result(rows, lambda r: "\n".join(f"{p['partner']}  {p['live_keys']} live, {p['revoked_keys']} revoked, "
                                         f"last used {p['last_used_at'] or 'never'}" for p in r)
               or "no partner holds an Open311 key")


@partners_group.command("revoke")
@click.argument("name")
@json_option
def revoke(name: str, out: Output) -> None:
    """Revoke every Open311 key of the partner NAME."""
    summary = open311.revoke_keys(context(), name)
    out.result(summary.to_dict(), f"Every Open311 key of {summary.partner} is revoked")
