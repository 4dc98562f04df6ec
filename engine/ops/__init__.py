"""What operators watch: readiness, the database figures /metrics reads, and the effective settings.

This ``__init__`` is the wing's face: the names the web app, the API, the CLI, adapters and other
wings use, loaded from their modules when first asked for (``engine/faces.py``). Anything else in
the wing is its own business."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..faces import face

if TYPE_CHECKING:
    from .health import readiness
    from .ops_figures import read
    from .settings_report import check, effective

__all__ = [
    "check", "effective", "read", "readiness",
]

if not TYPE_CHECKING:  # mypy reads the imports above; at run time a name is read when first asked for
    __getattr__ = face(__name__, {
        "check": "settings_report", "effective": "settings_report", "read": "ops_figures", "readiness": "health",
    })
