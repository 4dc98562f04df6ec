"""Analysts' (and admins') pages for publishing services: every deployed process with the channels it
is offered on, and a form to set its channels and public words (``engine.residents.publishing``, as the CLI and
the API do)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from engine import bpmn, residents
from engine.errors import FormInvalid
from engine.types import PublishChannel

from .current import context
from .inbox import SUCCESS

bp = Blueprint("publishing_pages", __name__, url_prefix="/published-services")
CHANNEL_NAMES = {PublishChannel.WEB: "Residents (web)", PublishChannel.COUNCILLOR: "Councillors",
                 PublishChannel.OPEN311: "Partners' systems (Open311)"}
FIELDS = ("title", "description", "lgsl", "open311_code", "keywords")


@bp.get("")
def index() -> Any:
    published = {s.process: s for s in residents.published(context())}
    return render_template("analyst/published.html", title="Published services",
                           processes=bpmn.process_summaries(context()), published=published,
                           names=CHANNEL_NAMES)


def _page(key: str, values: dict[str, Any], errors: dict[str, str] | None = None, status: int = 200) -> Any:
    errors = errors or {}
    listed = [{"text": text, "href": f"#{name}"} for name, text in errors.items()]
    items = [{"value": c.value, "text": CHANNEL_NAMES[c], "checked": c.value in values.get("channels", [])}
             for c in PublishChannel]
    return render_template("analyst/publish.html", title=f"Publish {key}", key=key, values=values, errors=errors,
                           error_list=listed or None, channels=items), status


@bp.get("/<key>")
def edit(key: str) -> Any:
    found = {s.process: s for s in residents.published(context())}.get(key)
    values = found.to_dict() if found else {"channels": []}
    values["keywords"] = ", ".join(values.get("keywords") or [])
    return _page(key, values)


@bp.post("/<key>")
def save(key: str) -> Any:
    form = request.form
    values: dict[str, Any] = {name: form.get(name, "").strip() for name in FIELDS}
    values["channels"] = form.getlist("channels")
    lgsl = values["lgsl"]
    if lgsl and not lgsl.isdigit():
        return _page(key, values, {"lgsl": "Enter the LGSL id as a whole number, like 524"}, 400)
    actor = g.user.email
    try:
        wanted = residents.parse_channels(values["channels"])
        if wanted:
            residents.publish(context(), key, channels=wanted, title=values["title"] or None,
                              description=values["description"], lgsl=int(lgsl) if lgsl else None,
                              open311_code=values["open311_code"],
                              keywords=[k for k in values["keywords"].split(",") if k.strip()], actor=actor)
        current = {s.process: s for s in residents.published(context())}.get(key)
        for channel in (current.channels if current else ()):
            if channel not in wanted:
                residents.unpublish(context(), key, channel, actor)
    except FormInvalid as err:
        return _page(key, values, err.errors, 400)
    flash(f"{key} is published on {', '.join(wanted) or 'no channel'}", SUCCESS)
    return redirect(url_for(".index"))
