"""Management information: the roll-up kept with the events it counts, the figures for a date range, open work, and the
tables as files.

This ``__init__`` is the wing's face: the names the web app, the API, the CLI, adapters and other
wings use, loaded from their modules when first asked for (``engine/faces.py``). Anything else in
the wing is its own business."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..faces import face

if TYPE_CHECKING:
    from .mi import Filters, choices, figures, last_bank_holiday
    from .mi_bottlenecks import bottlenecks
    from .mi_export import TABLE_TITLES, table, tables, to_csv, to_ods
    from .mi_live import board
    from .mi_rollup import CONTACT_START, Metric, coarse, day_of, hour_of

__all__ = [
    "board", "bottlenecks", "choices", "coarse", "CONTACT_START", "day_of", "figures", "Filters", "hour_of",
    "last_bank_holiday", "Metric", "table", "TABLE_TITLES", "tables", "to_csv", "to_ods",
]

if not TYPE_CHECKING:  # mypy reads the imports above; at run time a name is read when first asked for
    __getattr__ = face(__name__, {
        "board": "mi_live", "bottlenecks": "mi_bottlenecks", "choices": "mi", "coarse": "mi_rollup",
        "CONTACT_START": "mi_rollup", "day_of": "mi_rollup", "figures": "mi", "Filters": "mi", "hour_of": "mi_rollup",
        "last_bank_holiday": "mi", "Metric": "mi_rollup", "table": "mi_export", "TABLE_TITLES": "mi_export",
        "tables": "mi_export", "to_csv": "mi_export", "to_ods": "mi_export",
    })
