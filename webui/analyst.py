"""Process analysts' pages: upload maps, list processes and versions, download files, see diagrams with waiting counts (issue 4)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("analyst", __name__)
