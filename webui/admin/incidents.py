"""Admin page: adapter incidents, each retried or skipped with a note."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin_incidents", __name__, url_prefix="/admin")
