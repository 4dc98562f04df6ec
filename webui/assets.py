"""Serves GOV.UK Frontend's compiled CSS, JavaScript, fonts and images, and the bpmn-js diagram
viewer, from the npm packages installed by the setup commands (never hand-copied into the repository)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, send_from_directory

from engine.settings import COLOUR, Settings

ROOT = Path(__file__).resolve().parent.parent  # node_modules is here unless COUNCILFLOW_NODE_MODULES says otherwise
STATIC = Path(__file__).resolve().parent / "static"
# The viewer and what its style sheets load; never the modeler, the development builds or anything else.
BPMN_JS_FILES = frozenset({
    "bpmn-viewer.production.min.js", "assets/diagram-js.css", "assets/bpmn-js.css", "assets/bpmn-font/css/bpmn.css",
    *(f"assets/bpmn-font/font/bpmn.{ext}" for ext in ("woff2", "woff", "ttf", "eot", "svg"))})

# A council's colour reaches the page as a style sheet, not a style="" attribute, which the pages'
# Content-Security-Policy (style-src 'self') would block.
DEFAULT_COLOUR = Settings().council_colour

bp = Blueprint("assets", __name__)


def _govuk() -> Path:
    return Path(current_app.config["NODE_MODULES"]) / "govuk-frontend" / "dist" / "govuk"


@bp.get("/assets/<path:filename>")
def govuk_asset(filename: str) -> Any:
    return send_from_directory(_govuk() / "assets", filename, max_age=86400)


@bp.get("/govuk/<path:filename>")
def govuk_bundle(filename: str) -> Any:
    if not filename.startswith("govuk-frontend.min."):
        abort(404)
    return send_from_directory(_govuk(), filename, max_age=86400)


@bp.get("/bpmn-js/<path:filename>")
def bpmn_js(filename: str) -> Any:
    if filename not in BPMN_JS_FILES:
        abort(404)
    return send_from_directory(Path(current_app.config["NODE_MODULES"]) / "bpmn-js" / "dist", filename, max_age=86400)


@bp.get("/static/<path:filename>")
def static(filename: str) -> Any:
    return send_from_directory(STATIC, filename, max_age=3600)


@bp.get("/council.css")
def council_css() -> Any:
    colour = current_app.config["COUNCIL_COLOUR"]
    colour = colour if COLOUR.fullmatch(colour) else DEFAULT_COLOUR  # nothing but a colour into CSS
    response = Response(f".cf-header {{ border-bottom-color: {colour}; }}\n", mimetype="text/css")
    response.cache_control.max_age = 3600
    return response
