"""Admin pages: teams, users and their roles, lane and candidate group mapping, API tokens."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin_people", __name__, url_prefix="/admin")
