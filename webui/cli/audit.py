"""``audit export``: the audit trail of admin and security events, as CSV (or JSON) on standard output."""
from __future__ import annotations

from datetime import date

import click

from engine import governance
from engine.errors import UserError
from engine.people import SYSTEM_ACTOR

from . import Output, context, json_option, main


def _day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{option} must be a date like 2026-12-31, not {text!r}") from None


@main.group("audit")
def audit_group() -> None:
    """The audit trail: sign-ins, changes to people, teams, tokens, SLAs and processes, exports."""


@audit_group.command("export")
@click.option("--from", "since", default=None, help="First day to include (YYYY-MM-DD, UTC).")
@click.option("--to", "until", default=None, help="Last day to include (YYYY-MM-DD, UTC).")
@click.option("--kind", default=None, help="Only events of this kind (e.g. sign_in_failed).")
@click.option("--actor", default=None, help="Only events by this person (email address).")
@click.option("--user", "who", default=SYSTEM_ACTOR, help="Who is exporting (recorded in the trail).")
@json_option
def export(since: str | None, until: str | None, kind: str | None, actor: str | None, who: str,
           out: Output) -> None:
    """Every event from --from to --to (both included), oldest first; the export itself is recorded."""
    filters = governance.Filters(kind, actor, _day(since, "--from"), _day(until, "--to"))
    rows = governance.export(context(), filters, who)
    if out.as_json:
        out.result([r.to_dict() for r in rows])
    else:
        click.echo(governance.to_csv(rows), nl=False)
