"""The rules that make one answer ask more questions: JSON Schema ``if``/``then`` (at the top
level or in ``allOf``), as SpiffArena's modeller and hand-written forms express them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Condition:
    """``if`` one property has one of ``values`` ``then`` the ``requires`` properties are required
    (no values: a test we cannot show as a revealed follow-up, e.g. a minimum), and the optional
    ``shows`` properties are asked (``x-shows``: a Camunda Form's ``conditional.hide``)."""

    field: str
    values: tuple[Any, ...]
    requires: tuple[str, ...]
    shows: tuple[str, ...] = ()


def conditions(schema: dict[str, Any]) -> list[Condition]:
    """The if/then rules of a schema (top level and in ``allOf``), as the analyst's modeller writes them."""
    found = []
    for block in [schema, *schema.get("allOf", [])]:
        test = block.get("if") if isinstance(block, dict) else None
        if not isinstance(test, dict):
            continue
        tested = test.get("properties", {})
        name, rule = next(iter(tested.items())) if len(tested) == 1 else ("", {})
        rule = rule if isinstance(rule, dict) else {}
        values = (rule["const"],) if "const" in rule else tuple(rule.get("enum", ()))
        for branch, branch_values in (("then", values), ("else", ())):
            outcome = block.get(branch)
            requires = tuple(outcome.get("required", [])) if isinstance(outcome, dict) else ()
            shows = tuple(outcome.get("x-shows", [])) if isinstance(outcome, dict) else ()
            if requires or shows:
                found.append(Condition(name, branch_values, requires, shows))
    return found
