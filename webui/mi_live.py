"""The live hub board (``/mi/live``): today's contacts so far against the same weekday in the last
four weeks, hour by hour, and the front office's open tasks and waiting questions. A plain page that
is current when loaded; webui/static/mi_live.js refreshes the board in place from ``/mi/live/board``
(the same figures as an HTML fragment) every minute and on demand. Figures: ``engine.mi.mi_live``."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from engine import mi

from .current import context

bp = Blueprint("mi_live", __name__, url_prefix="/mi/live")
REFRESH_SECONDS = 60


@bp.get("")
def page() -> Any:
    return render_template("mi/live.html", title="Hub today", board=mi.board(context()),
                           refresh_seconds=REFRESH_SECONDS)


@bp.get("/board")
def board() -> Any:
    return render_template("mi/_live_board.html", board=mi.board(context()))
