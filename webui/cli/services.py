"""``services`` commands: which deployed processes are offered on the web, to councillors and over Open311."""
from __future__ import annotations

import click

from engine import residents
from engine.types import PublishChannel
from engine.people import SYSTEM_ACTOR

from . import Output, context, json_option, main

_CHANNELS = click.Choice([c.value for c in PublishChannel])


def _row(service: residents.PublishedService) -> dict:
    return {"process": service.process, "title": service.title, "channels": [str(c) for c in service.channels],
            "lgsl": service.lgsl, "open311_code": service.open311_code}


def _text(row: dict) -> str:
    extra = "".join(f", {name} {row[name]}" for name in ("lgsl", "open311_code") if row[name] is not None)
    return f"{row['process']}: {row['title']} on {', '.join(row['channels']) or 'no channel'}{extra}"


@main.group("services")
def services_group() -> None:
    """Publishing services to residents (web), councillors and partners' systems (open311)."""


@services_group.command("publish")
@click.argument("key")
@click.option("--channel", "channels", type=_CHANNELS, multiple=True, required=True,
              help="A channel to offer it on (repeat for more).")
@click.option("--title", default=None, help="The public title (default: the process's name).")
@click.option("--description", default=None, help="A sentence for residents (default: the process's).")
@click.option("--lgsl", type=int, default=None, help="Local Government Service List id, e.g. 524.")
@click.option("--open311-code", default=None, help="The Open311 service_code (needed for open311).")
@click.option("--keyword", "keywords", multiple=True, help="A word residents may search for (repeat for more).")
@click.option("--title-cy", default=None, help="The public title in Welsh (Welsh pages show it).")
@click.option("--description-cy", default=None, help="The sentence for residents in Welsh.")
@click.option("--updates/--no-updates", default=None,
              help="Send residents a Notify message at each public milestone (default: as it was; off at first).")
@click.option("--user", "actor", default=None)
@json_option
def publish(key: str, channels: tuple[str, ...], title: str | None, description: str | None, lgsl: int | None,
            open311_code: str | None, keywords: tuple[str, ...], title_cy: str | None, description_cy: str | None,
            updates: bool | None, actor: str | None, out: Output) -> None:
    """Offer process KEY on the channels given, as well as those it has."""
    welsh = {k: v for k, v in (("title", title_cy), ("description", description_cy)) if v is not None}
    service = residents.publish(context(), key, channels=channels, title=title, description=description,
                                lgsl=lgsl, open311_code=open311_code, keywords=keywords,
                                translations={"cy": welsh} if welsh else None, updates=updates,
                                actor=actor or SYSTEM_ACTOR)
    out.result(service.to_dict(), lambda s: _text(_row(service)))


@services_group.command("unpublish")
@click.argument("key")
@click.option("--channel", type=_CHANNELS, required=True)
@click.option("--user", "actor", default=None)
@json_option
def unpublish(key: str, channel: str, actor: str | None, out: Output) -> None:
    """Stop offering process KEY on one channel."""
    service = residents.unpublish(context(), key, channel, actor or SYSTEM_ACTOR)
    out.result(service.to_dict(), lambda s: _text(_row(service)))


@services_group.command("list")
@click.option("--channel", type=_CHANNELS, default=None, help="Only those on this channel.")
@json_option
def list_services(channel: str | None, out: Output) -> None:
    rows = [_row(s) for s in residents.published(context(), channel)]
    out.result(rows, lambda found: "\n".join(_text(r) for r in found) or "No service is published")
