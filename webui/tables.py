"""Tables that stack on a phone: ``cf-stacked`` (webui/static/councilflow.css) shows each row as a
block with every cell under its column's heading, which the cell carries as ``data-label``."""
from __future__ import annotations

from typing import Any

from flask import Flask


def labelled(rows: list[list[dict[str, Any]]], head: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """``rows`` with each cell labelled by its column's text heading (headings given as html, such as
    a visually hidden "Action", label nothing)."""
    names = [h.get("text") for h in head]
    return [[{**cell, "attributes": {**cell.get("attributes", {}), "data-label": names[i]}}
             if i < len(names) and names[i] else cell for i, cell in enumerate(row)] for row in rows]


def register(app: Flask) -> None:
    app.add_template_filter(labelled, "labelled")
