"""Addresses: the council's gazetteer, its CSV extracts, and British National Grid coordinates.

This ``__init__`` is the wing's face: the names the web app, the API, the CLI, adapters and other
wings use, loaded from their modules when first asked for (``engine/faces.py``). Anything else in
the wing is its own business."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..faces import face

if TYPE_CHECKING:
    from .gazetteer import find_address, import_file, lookup

__all__ = [
    "find_address", "import_file", "lookup",
]

if not TYPE_CHECKING:  # mypy reads the imports above; at run time a name is read when first asked for
    __getattr__ = face(__name__, {
        "find_address": "gazetteer", "import_file": "gazetteer", "lookup": "gazetteer",
    })
