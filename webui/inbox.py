"""Back office: team inboxes and my tasks, claim, unclaim, assign, bulk assign, hand back and answer questions."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("inbox", __name__)
