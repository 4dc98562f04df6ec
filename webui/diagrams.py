"""BPMN diagrams for any signed-in member of staff: a version's XML for the bpmn-js viewer."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from engine import bpmn

from .downloads import process_file

bp = Blueprint("diagrams", __name__)


@bp.get("/diagrams/<key>/<int(min=1):version>.bpmn")
def version_xml(key: str, version: int) -> Any:
    """The BPMN file that defines a version's own process (a version never changes once deployed). An
    uploaded file, so a sandboxed attachment: the viewer fetches it, a person who opens it saves it."""
    xml = bpmn.diagram_xml(current_app.extensions["councilflow"], key, version)
    return process_file(f"{key}-{version}.bpmn", xml, cache_seconds=3600)
