"""Front office: the service directory, finding or creating the customer, starting a case with its channel."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("frontoffice", __name__)
