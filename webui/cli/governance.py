"""``retention`` (how long closed cases keep personal data) and ``customers export`` / ``customers erase``
(subject access and erasure requests)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from engine import governance
from engine.types import RetentionAction
from engine.people import SYSTEM_ACTOR

from . import Output, context, json_option, main


@main.group("retention")
def retention_group() -> None:
    """Retention periods per process, and applying them (the worker does it daily)."""


@retention_group.command("set")
@click.argument("process")
@click.option("--years", type=int, required=True, help="Years after the case closed.")
@click.option("--action", type=click.Choice([a.value for a in RetentionAction]), required=True,
              help="anonymise: remove personal data, keep the case; delete: remove the case.")
@click.option("--user", "actor", default=SYSTEM_ACTOR)
@json_option
def set_rule(process: str, years: int, action: str, actor: str, out: Output) -> None:
    """Keep personal data of PROCESS's closed cases for --years, then apply --action."""
    rule = governance.set_rule(context(), process, years, RetentionAction(action), actor)
    out.result(rule.to_dict(), f"Closed {process} cases: {action} {years} years after closure")


@retention_group.command("list")
@json_option
def list_rules(out: Output) -> None:
    rows = [r.to_dict() for r in governance.list_rules(context())]
    out.result(rows, lambda r: "\n".join(f"{x['process']}  {x['years']} years  {x['action']}" for x in r)
               or "no retention periods set")


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Only report what would be done.")
@click.option("--user", "actor", default=SYSTEM_ACTOR)
@json_option
def run(dry_run: bool, actor: str, out: Output) -> None:
    """Apply every retention period now."""
    report = governance.run(context(), actor, dry_run=dry_run)

    def text(payload: dict) -> str:
        verb = "would" if dry_run else "did"
        lines = [f"{c['reference']}  {c['process']}  closed {c['closed_at'][:10]}  {verb} {c['action']}"
                 for c in payload["cases"]]
        return "\n".join(lines) or "no cases are due"
    out.result(report.to_dict(), text)


@main.group("customers")
def customers_group() -> None:
    """Subject access and erasure requests."""


@customers_group.command("export")
@click.argument("customer_id", type=int)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the zip here (default: standard output).")
@click.option("--user", "actor", default=SYSTEM_ACTOR)
@json_option
def export(customer_id: int, output: Path | None, actor: str, out: Output) -> None:
    """One zip archive of everything held about the customer (JSON, a readable summary, the files)."""
    content = governance.archive(context(), customer_id, actor)
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return
    output.write_bytes(content)
    out.result({"customer": customer_id, "archive": str(output), "bytes": len(content)},
               f"Wrote {output} ({len(content)} bytes)")


@customers_group.command("erase")
@click.argument("customer_id", type=int)
@click.option("--reason", required=True, help="Why (for example the erasure request's reference).")
@click.option("--user", "actor", default=SYSTEM_ACTOR)
@json_option
def erase(customer_id: int, reason: str, actor: str, out: Output) -> None:
    """Remove the customer's personal data from their record and every case of theirs."""
    done = governance.erase_customer(context(), customer_id, reason, actor)
    out.result(done.to_dict(), f"Customer {customer_id} erased from {len(done.cases)} case(s)")
