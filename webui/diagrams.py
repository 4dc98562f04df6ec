"""BPMN diagrams for any signed-in member of staff: a version's XML for the bpmn-js viewer."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app

from engine import diagrams

bp = Blueprint("diagrams", __name__)


@bp.get("/diagrams/<key>/<int(min=1):version>.bpmn")
def version_xml(key: str, version: int) -> Any:
    """The BPMN file that defines a version's own process (a version never changes once deployed)."""
    xml = diagrams.diagram_xml(current_app.extensions["councilflow"], key, version)
    response = Response(xml, mimetype="application/xml")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    response.cache_control.max_age = 3600
    return response
