"""Data protection and accountability: the audit trail, retention, erasure, subject access and where a case keeps
personal data.

This ``__init__`` is the wing's face: the names the web app, the API, the CLI, adapters and other
wings use, loaded from their modules when first asked for (``engine/faces.py``). Anything else in
the wing is its own business."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..faces import face

if TYPE_CHECKING:
    from .audit import PAGE_SIZE, Filters, entries, export, record_now, to_csv
    from .erasure import erase_customer
    from .retention import Report, list_rules, process_choices, run, set_rule
    from .subject_access import archive

__all__ = [
    "archive", "entries", "erase_customer", "export", "Filters", "list_rules", "PAGE_SIZE", "process_choices",
    "record_now", "Report", "run", "set_rule", "to_csv",
]

if not TYPE_CHECKING:  # mypy reads the imports above; at run time a name is read when first asked for
    __getattr__ = face(__name__, {
        "archive": "subject_access", "entries": "audit", "erase_customer": "erasure", "export": "audit",
        "Filters": "audit", "list_rules": "retention", "PAGE_SIZE": "audit", "process_choices": "retention",
        "record_now": "audit", "Report": "retention", "run": "retention", "set_rule": "retention", "to_csv": "audit",
    })
