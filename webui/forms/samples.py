"""Sample answers for the analysts' preview: each property's first example, its default, its
constant or first choice, else a made-up value of the right type and length."""
from __future__ import annotations

from typing import Any

SAMPLE_DATE = "2025-03-27"


def _text(prop: dict[str, Any]) -> str | None:
    if "pattern" in prop:
        return None  # we cannot guess a value that matches an arbitrary pattern
    if prop.get("format") == "email":
        return "resident@example.com"
    if prop.get("format") == "date":
        return SAMPLE_DATE
    text = f"Sample answer: {str(prop.get('title') or 'text').rstrip('?').lower()}"
    limit = prop.get("maxLength")
    return text[:limit] if limit else text


def _choices(prop: dict[str, Any]) -> list[Any]:
    choices = prop.get("oneOf") or prop.get("anyOf") or []
    return [c["const"] for c in choices if isinstance(c, dict) and "const" in c] or list(prop.get("enum", []))


def sample_value(prop: dict[str, Any]) -> Any:
    """A plausible answer to one property (None: leave it blank)."""
    if prop.get("examples"):
        return prop["examples"][0]
    for key in ("default", "const"):
        if key in prop:
            return prop[key]
    if choices := _choices(prop):
        return choices[0]
    kind = prop.get("type")
    if kind == "array":
        first = _choices(prop.get("items", {}))[:1]
        return first or None
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return prop.get("minimum", 1)
    return _text(prop)


def sample_data(schema: dict[str, Any]) -> dict[str, Any]:
    """Sample answers for every property of a form."""
    data = {name: sample_value(prop) for name, prop in schema.get("properties", {}).items()}
    return {name: value for name, value in data.items() if value is not None}
