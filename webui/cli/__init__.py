"""The ``councilflow`` command. Every command takes ``--json``; exit 0 on success, 2 on user error."""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import Any, NoReturn

import click

from engine.context import Context
from engine.errors import EngineError, UserError
from engine.persistence import require_current
from engine.settings import Settings

from ..composition import build_context


class Output:
    """Prints results as JSON or as text, and errors with the right exit code."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def result(self, payload: Any, text: Callable[[Any], str] | str | None = None) -> None:
        if self.as_json or text is None:
            click.echo(json.dumps(payload, indent=2, default=str))
        else:
            click.echo(text(payload) if callable(text) else text)

    def fail(self, err: EngineError) -> NoReturn:
        code = 2 if isinstance(err, UserError) else 1
        if self.as_json:
            click.echo(json.dumps({"error": err.message, **err.to_dict()}, indent=2, default=str))
        else:
            click.echo(f"Error: {err.message}", err=True)
            for problem in getattr(err, "problems", []):
                click.echo(f"  {problem}", err=True)
            for field, message in getattr(err, "errors", {}).items():
                click.echo(f"  {field}: {message}", err=True)
        sys.exit(code)


def json_option(fn: Callable) -> Callable:
    """Adds ``--json`` and turns engine errors into clear messages and exit codes."""

    @click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")
    @wraps(fn)
    def wrapper(*args: Any, as_json: bool, **kwargs: Any) -> Any:
        out = Output(as_json)
        try:
            return fn(*args, out=out, **kwargs)
        except EngineError as err:
            out.fail(err)

    return wrapper


def parse_json(text: str | None, what: str = "--data") -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise UserError(f"{what} is not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})") from None


def context(schema: bool = True) -> Context:
    """The command's context, built on first use by the same composition root as the web app's.

    Unless ``schema`` is False (``init`` creates the schema; ``check`` and ``test`` need no database), the
    database must first be one this release can use: otherwise the command stops with one line saying
    why (``DatabaseNotSetUp``, exit code 2: run ``councilflow init``) before a query meets a missing
    table and prints a traceback."""
    obj = click.get_current_context().find_root().obj
    if obj.get("context") is None:
        settings = Settings.from_env()  # SettingsInvalid is a UserError: a clear message and exit code 2
        if obj.get("database"):
            settings = replace(settings, database_url=obj["database"])
        obj["context"] = build_context(settings)
    if schema and not obj.get("schema_checked"):
        require_current(obj["context"].db)
        obj["schema_checked"] = True
    return obj["context"]


@click.group()
@click.option("--database", default=None,
              help="Database URL (default: COUNCILFLOW_DATABASE_URL, else instance/councilflow.sqlite3).")
@click.pass_context
def main(ctx: click.Context, database: str | None) -> None:
    """councilflow: run a council's mapped processes from front office to back office."""
    ctx.ensure_object(dict)
    ctx.obj["database"] = database


# registers the commands
from . import (admin, appointments, audit, cases, closures, config, councillors, data_stores, directory, gazetteer, governance,  # noqa: E402,F401,E501
               incidents, mailboxes, messages, mi, partners, processes, run, search_words, services, sla)
