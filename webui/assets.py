"""Serves GOV.UK Frontend's compiled CSS, JavaScript, fonts and images, and the bpmn-js diagram
viewer, from the npm packages installed by the setup commands (never hand-copied into the repository).

``make setup`` copies the few files served from those packages into ``webui/static/build/vendor`` (laid
out as in node_modules) so that the built wheel carries them: an installed councilflow has no node_modules.
``python -m webui.assets NODE_MODULES`` makes that copy."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, send_from_directory

from engine.settings import COLOUR, Settings

ROOT = Path(__file__).resolve().parent.parent
STATIC = Path(__file__).resolve().parent / "static"
VENDORED = STATIC / "build" / "vendor"
GOVUK_FILES = ("govuk-frontend.min.js", "govuk-frontend.min.js.map")
# The viewer and what its style sheets load; never the modeler, the development builds or anything else.
BPMN_JS_FILES = frozenset({
    "bpmn-viewer.production.min.js", "assets/diagram-js.css", "assets/bpmn-js.css", "assets/bpmn-font/css/bpmn.css",
    *(f"assets/bpmn-font/font/bpmn.{ext}" for ext in ("woff2", "woff", "ttf", "eot", "svg"))})

# A council's colour reaches the page as a style sheet, not a style="" attribute, which the pages'
# Content-Security-Policy (style-src 'self') would block.
DEFAULT_COLOUR = Settings().council_colour

bp = Blueprint("assets", __name__)


def node_modules() -> Path:
    """Where the npm packages' files are read from unless COUNCILFLOW_NODE_MODULES says otherwise: the copy
    the wheel carries when there is one, else the checkout's node_modules."""
    return VENDORED if VENDORED.is_dir() else ROOT / "node_modules"


def copy_vendored(source: Path, target: Path = VENDORED) -> None:
    """Copies what these routes serve from ``source`` (a node_modules folder) into ``target``."""
    govuk = Path("govuk-frontend", "dist", "govuk")
    shutil.rmtree(target, ignore_errors=True)
    # Not the fonts: GDS Transport is for GOV.UK only, and the compiled CSS names the council's own font.
    shutil.copytree(source / govuk / "assets", target / govuk / "assets", ignore=shutil.ignore_patterns("fonts"))
    wanted = [govuk / name for name in GOVUK_FILES] + [Path("bpmn-js", "dist", name) for name in BPMN_JS_FILES]
    for name in wanted:
        if (source / name).exists():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, target / name)


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


if __name__ == "__main__":
    copy_vendored(Path(sys.argv[1]))
