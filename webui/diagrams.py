"""BPMN diagrams for any signed-in member of staff: a version's XML for the bpmn-js viewer."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("diagrams", __name__)
