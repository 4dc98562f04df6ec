"""``case message``: deliver a BPMN message to a case (a back office's reply, a resident's answer)."""
from __future__ import annotations

import click

from engine import casework
from engine.people import SYSTEM_ACTOR

from . import Output, context, json_option, parse_json
from .cases import _finish, case_group


@case_group.command("message")
@click.argument("reference")
@click.argument("name")
@click.option("--data", default=None, help="The message payload as a JSON object.")
@click.option("--user", "actor", default=None, help="Who or what sent it (recorded in the history).")
@click.option("--correlation-key", default=None,
              help="The value a Camunda 8 event waiting for it is keyed on (zeebe:subscription correlationKey).")
@json_option
def message(reference: str, name: str, data: str | None, actor: str | None, correlation_key: str | None,
            out: Output) -> None:
    """Deliver message NAME to case REFERENCE; refused (exit 2, message kept) if it is not waiting for it
    (or waits for it with another correlation key)."""
    _finish(out, casework.deliver_message(context(), reference, name, parse_json(data), actor or SYSTEM_ACTOR,
                                          correlation_key))
