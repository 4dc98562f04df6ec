"""The bottleneck view for team leads and admins (``/mi/bottlenecks``): a process's diagram with each
user task's average and 90th-percentile wait and the number waiting now drawn on it, the slowest task
badged "Slowest", and the same figures as a table (the page works without JavaScript). Figures and
definitions: ``engine.mi.mi_bottlenecks``, docs/mi.md."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, render_template, request

from engine import bpmn, mi
from engine.errors import UserError

from .current import context

bp = Blueprint("mi_bottlenecks", __name__, url_prefix="/mi/bottlenecks")
DEFAULT_DAYS = 28


def wait_text(seconds: float | None) -> str:
    """A wait as people say it: "45 min", "3 h 20 min", "2 days 4 h"; "none" when nothing was measured."""
    if seconds is None:
        return "none"
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{minutes} min"


def _range() -> tuple[date, date, str | None]:
    """The range asked for, or the last four weeks to today with the problem said."""
    today = context().clock.now().date()
    default = today - timedelta(days=DEFAULT_DAYS - 1), today
    given = request.args.get("from", "").strip(), request.args.get("to", "").strip()
    if not any(given):
        return *default, None
    try:
        f = mi.Filters.of(given[0] or default[0].isoformat(), given[1] or default[1].isoformat())
    except UserError as err:
        return *default, err.message
    return f.start, f.end, None


@bp.get("")
def processes() -> Any:
    return render_template("mi/bottleneck_processes.html", title="Where cases wait",
                           rows=bpmn.process_summaries(context()))


@bp.get("/<key>")
def process(key: str) -> Any:
    start, end, problem = _range()
    shown = mi.bottlenecks(context(), key, start, end)
    overlays = {t.bpmn_id: {"average": wait_text(t.average_seconds), "p90": wait_text(t.p90_seconds),
                            "waiting": t.waiting_now, "slowest": t.slowest}
                for t in shown.tasks if t.measured or t.waiting_now}
    page = render_template("mi/bottlenecks.html", title=f"Where cases wait: {shown.name}", shown=shown,
                           overlays=overlays, wait_text=wait_text, given={"from": request.args.get("from", start),
                                                                          "to": request.args.get("to", end)},
                           problem=problem)
    return (page, 400) if problem else page
