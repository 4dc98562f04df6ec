"""``councilflow config check``: the settings this process would run with, and what is wrong with them."""
from __future__ import annotations

from dataclasses import replace

import click

from engine import ops
from engine.errors import EngineError
from engine.persistence import schema_problem
from engine.settings import Settings

from ..composition import build_context
from . import Output, json_option, main


@main.group("config")
def config_group() -> None:
    """Settings (COUNCILFLOW_* variables, docs/operators.md)."""


def _database_problem(database: str | None) -> str | None:
    """What stops this release using the configured database (None: nothing)."""
    settings, _ = Settings.read()
    if database:
        settings = replace(settings, database_url=database)
    try:
        ctx = build_context(settings)
    except EngineError as err:
        return err.message
    try:
        problem = schema_problem(ctx.db)
    finally:
        ctx.db.dispose()
    return problem.message if problem else None


@config_group.command("check")
@json_option
def check(out: Output) -> None:
    """Print every setting's effective value (secrets masked) and the problems found; exit 2 if any."""
    database = click.get_current_context().find_root().obj.get("database")
    report = ops.check(database_problem=_database_problem(database))
    if database:
        report.settings["COUNCILFLOW_DATABASE_URL"] = ops.effective(
            replace(Settings(), database_url=database))["COUNCILFLOW_DATABASE_URL"]
    width = max(map(len, report.settings))
    out.result(report.to_dict(), lambda r: "\n".join(
        [f"{name:<{width}}  {value}" for name, value in r["settings"].items()]
        + ["", "Problems:" if r["problems"] else "No problems found."] + [f"  - {p}" for p in r["problems"]]))
    if report.problems:
        raise SystemExit(2)
