"""Admin page: SLA policies, working calendar and closure days."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin_sla", __name__, url_prefix="/admin")
