"""Documents staff attach to a case: upload, download; filed into the EDRMS by the adapter."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("documents", __name__)
