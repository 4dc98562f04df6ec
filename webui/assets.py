"""Serves GOV.UK Frontend's compiled CSS, JavaScript, fonts and images from the npm package
installed by the setup commands (never hand-copied into the repository)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, send_from_directory

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = Path(os.environ.get("COUNCILFLOW_NODE_MODULES", ROOT / "node_modules"))
GOVUK = NODE_MODULES / "govuk-frontend" / "dist" / "govuk"
STATIC = Path(__file__).resolve().parent / "static"

bp = Blueprint("assets", __name__)


@bp.get("/assets/<path:filename>")
def govuk_asset(filename: str) -> Any:
    return send_from_directory(GOVUK / "assets", filename, max_age=86400)


@bp.get("/govuk/<path:filename>")
def govuk_bundle(filename: str) -> Any:
    if not filename.startswith("govuk-frontend.min."):
        abort(404)
    return send_from_directory(GOVUK, filename, max_age=86400)


@bp.get("/static/<path:filename>")
def static(filename: str) -> Any:
    return send_from_directory(STATIC, filename, max_age=3600)
