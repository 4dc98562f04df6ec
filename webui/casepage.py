"""The case page: timeline, current data, notes, documents and the diagram with completed and active tasks."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("casepage", __name__)
