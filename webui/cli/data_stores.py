"""``datastores`` commands: the data stores maps share between cases (``engine.bpmn.data_stores``)."""
from __future__ import annotations

import sys
from typing import Any

import click

from engine import bpmn
from engine.people import SYSTEM_ACTOR

from . import Output, context, json_option, main, parse_json


def _line(store: dict[str, Any]) -> str:
    size = f"{store['entries']} entries" if store["kind"] != "json" else "document"
    return f"{store['group']}  {store['id']}  [{store['kind']}, {size}]  {store['updated_by']} {store['updated_at']}"


@main.group("datastores")
def datastores_group() -> None:
    """Data stores of the process groups (a case's group is its service)."""


@datastores_group.command("list")
@click.option("--group", default=None, help="Only this group's stores (a service key).")
@json_option
def list_stores(group: str | None, out: Output) -> None:
    found = bpmn.list_stores(context(), group)
    out.result(found, lambda _: "\n".join(map(_line, found)) or "No data stores")


@datastores_group.command("show")
@click.argument("group")
@click.argument("identifier")
@json_option
def show_store(group: str, identifier: str, out: Output) -> None:
    """The contents of GROUP's data store IDENTIFIER, as JSON."""
    out.result(bpmn.show_store(context(), group, identifier))


@datastores_group.command("set")
@click.argument("group")
@click.argument("identifier")
@click.argument("value")
@click.option("--kind", type=click.Choice(bpmn.KINDS), default="json", show_default=True)
@click.option("--user", "actor", default=None)
@json_option
def set_store(group: str, identifier: str, value: str, kind: str, actor: str | None, out: Output) -> None:
    """Write VALUE (JSON; '-' reads standard input) to GROUP's store IDENTIFIER as a map would: a json
    store's document is replaced; kkv takes {"key": {"secondary": value}} (null deletes); typeahead
    takes {"category": [{"search_term": ..., "result": {...}}]}."""
    text = sys.stdin.read() if value == "-" else value
    shown = bpmn.set_store(context(), actor or SYSTEM_ACTOR, group, identifier, kind,
                           parse_json(text, "VALUE"))
    out.result(shown, _line)
