"""``init``, ``check``, ``deploy``, ``processes`` and ``test``: working with process maps."""
from __future__ import annotations

import click

from engine import bpmn, casework
from engine.persistence import DatabaseUnavailable
from engine.persistence import DatabaseFromNewerRelease, current_revision, schema_problem, upgrade

from . import Output, context, json_option, main


@main.command()
@json_option
def init(out: Output) -> None:
    """Create or upgrade the database schema."""
    ctx = context(schema=False)
    problem = schema_problem(ctx.db)
    if isinstance(problem, (DatabaseUnavailable, DatabaseFromNewerRelease)):
        raise problem  # nothing init can fix: say so in one line rather than fail inside alembic
    upgrade(ctx.db)
    out.result({"database": ctx.db.url.split("@")[-1], "revision": current_revision(ctx.db)},
               lambda r: f"Database ready at schema revision {r['revision']}")


def _problems_text(bundle) -> str:  # type: ignore[no-untyped-def]
    lines = [f"{p.severity}: {p}" for p in bundle.problems]
    lines += [f"ok: {c.key} ({c.name})" for c in bundle.candidates]
    return "\n".join(lines) or "ok"


@main.command()
@click.argument("paths", nargs=-1, required=True)
@json_option
def check(paths: tuple[str, ...], out: Output) -> None:
    """Validate and lint maps without deploying them (with no usable database: as if nothing were deployed)."""
    ctx = context(schema=False)
    problem = schema_problem(ctx.db)
    if problem is not None:
        click.echo(f"Note: checked as if nothing were deployed. {problem.message}", err=True)
    bundle = bpmn.check(ctx, bpmn.read_paths(list(paths)), offline=problem is not None)
    payload = {"ok": not bundle.errors,
               "processes": [{"process": c.key, "name": c.name, "dialect": c.dialect.value}
                             for c in bundle.candidates],
               "errors": [p.to_dict() for p in bundle.errors],
               "warnings": [p.to_dict() for p in bundle.warnings]}
    out.result(payload, lambda _: _problems_text(bundle))
    if bundle.errors:
        raise SystemExit(2)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--user", "actor", default=None, help="Who is deploying (recorded in the history).")
@json_option
def deploy(paths: tuple[str, ...], actor: str | None, out: Output) -> None:
    """Deploy maps (with their DMN and form files): a new version when the content changed."""
    result = bpmn.deploy(context(), bpmn.read_paths(list(paths)), actor or "system")
    out.result(result.to_dict(), lambda r: "\n".join(
        [f"{d['process']} v{d['version']} {'deployed' if d['changed'] else 'unchanged'}" for d in r["deployed"]]
        + [f"warning: {w['file']}:{w['line']} [{w['element']}] {w['message']}" for w in r["warnings"]]))


@main.command("processes")
@json_option
def list_processes(out: Output) -> None:
    """List deployed processes with their latest version."""
    rows = [p.to_dict() for p in casework.processes(context())]
    out.result(rows, lambda r: "\n".join(f"{x['process']} v{x['latest_version']}  {x['name']}" for x in r))


@main.command("test")
@click.argument("path")
@json_option
def run_tests(path: str, out: Output) -> None:
    """Run process-model tests (SpiffArena's test_*.json format) against the maps beside them."""
    results = bpmn.run_path(context(schema=False), path)  # in memory: no database needed
    payload = {"passed": sum(r.passed for r in results), "failed": sum(not r.passed for r in results),
               "results": [r.to_dict() for r in results]}
    out.result(payload, lambda p: "\n".join(
        [f"{'PASS' if r.passed else 'FAIL'} {r.file}::{r.name}" + ("" if r.passed else f" - {r.message}")
         for r in results] + [f"{p['passed']} passed, {p['failed']} failed"]))
    if payload["failed"]:
        raise SystemExit(1)
