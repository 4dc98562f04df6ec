"""SpiffArena's own form widgets, as its forms store their answers, so a map written for SpiffArena
reads the same data here (spiffworkflow-frontend, ``src/components/CustomForm.tsx``):

* ``"ui:widget": "date-range"`` on a string: ``"2026-03-01:::2026-03-31"`` (``DELIMITER`` between
  the ISO dates; SpiffArena also stores a start alone as ``"2026-03-01"`` and an end alone as
  ``":::2026-03-31"``, which are read, and written for an optional range given half).
* ``"ui:field": "numeric-range"`` on an object with ``min`` and ``max`` number properties:
  ``{"min": 1000, "max": 25000}``; the object's own ``minimum``/``maximum`` bound both numbers.
* ``"ui:widget": "formattedNumber"``: typed ``1,234.50`` (or ``£1,234.50``) is stored as the number
  ``1234.5`` (a string property keeps the digits: ``"1234.50"``); ``ui:options.decimals`` limits the
  decimal places, ``allowNegative`` whether a minus sign counts.
* ``"ui:widget": "typeahead"`` with ``ui:options.category`` (and ``itemFormat``, e.g.
  ``"{name} ({postcode})"``): an item of that category of the service's typeahead data stores,
  stored as its ``result`` object written as compact JSON text.
* ``"ui:widget": "checkbox"`` on a boolean: one box; unticked is ``false``.

``errors`` adds the checks SpiffArena's form makes beyond JSON Schema (real dates, end not before
start, a range's bounds and order, a typeahead answer that is an item), and ``date_limit_errors`` its
``minimumDate``/``maximumDate`` schema extensions (``"today"`` or ``"field:<question>"``, on a date or
a range's start); ``check_ui`` and ``limit_problems`` are the deploy-time checks of their use.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import date
from enum import StrEnum
from typing import Any

from ..errors import Problem
from .dialects import NS
from .formschema import pointer_to

DELIMITER = ":::"


class Widget(StrEnum):
    """SpiffArena's names for its widgets, as a UI schema gives them."""

    DATE_RANGE = "date-range"
    TYPEAHEAD = "typeahead"
    FORMATTED_NUMBER = "formattedNumber"
    CHECKBOX = "checkbox"
    NUMERIC_RANGE = "numeric-range"  # a "ui:field", not a "ui:widget": it asks two questions


DATE_RANGE, TYPEAHEAD, FORMATTED_NUMBER = Widget.DATE_RANGE, Widget.TYPEAHEAD, Widget.FORMATTED_NUMBER
CHECKBOX, NUMERIC_RANGE = Widget.CHECKBOX, Widget.NUMERIC_RANGE
_FORMAT_KEY = re.compile(r"\{([^{}]+)\}")


def _ui(ui_schema: Any, name: str) -> dict[str, Any]:
    entry = ui_schema.get(name) if isinstance(ui_schema, dict) else None
    return entry if isinstance(entry, dict) else {}


def options(ui: dict[str, Any]) -> dict[str, Any]:
    found = ui.get("ui:options")
    return found if isinstance(found, dict) else {}


def widget_of(ui: dict[str, Any]) -> Widget | None:
    """The SpiffArena widget (or ``numeric-range`` field) a property's UI schema entry asks for."""
    if ui.get("ui:field") == NUMERIC_RANGE:
        return NUMERIC_RANGE
    widget = ui.get("ui:widget")
    return Widget(widget) if widget in (DATE_RANGE, TYPEAHEAD, FORMATTED_NUMBER, CHECKBOX) else None


# -- date range ----------------------------------------------------------------------------------

def date_range(start: str, end: str) -> str | None:
    """The stored range for ISO ``start`` and ``end`` (either may be empty), as SpiffArena writes it."""
    if start and end:
        return f"{start}{DELIMITER}{end}"
    if start:
        return start
    return f"{DELIMITER}{end}" if end else None


def date_range_parts(value: Any) -> tuple[str, str]:
    """(start, end) of a stored range; "" for a half not given."""
    start, _, end = str(value or "").partition(DELIMITER)
    return start, end


def _real(text: str) -> bool:
    try:
        return len(text) == 10 and date.fromisoformat(text) is not None
    except ValueError:
        return False


def _date_range_error(label: str, value: Any, required: bool) -> str | None:
    if not isinstance(value, str):
        return f"Enter the start and end dates of {label}"
    start, end = date_range_parts(value)
    if required and not start:
        return f"Enter the start date of {label}"
    if required and not end:
        return f"Enter the end date of {label}"
    if start and not _real(start):
        return f"The start date of {label} must be a real date"
    if end and not _real(end):
        return f"The end date of {label} must be a real date"
    if start and end and end < start:
        return f"The end date of {label} must be the same as or after the start date"
    return None


# -- date limits (JSON Schema extensions, on any date or date-range property) ---------------------

LIMITS = {"minimumDate": ("today or in the future", "the same as or after"),
          "maximumDate": ("today or in the past", "the same as or before")}


def _limit_parts(spec: Any) -> list[str]:
    return [part.strip() for part in spec.split(",")] if isinstance(spec, str) else []


def _field_of(part: str) -> tuple[str, str] | None:
    """(question, side) a limit part ``field:<question>[:start|:end]`` names, or None if it is not one."""
    kind, _, rest = part.partition(":")
    other, _, side = rest.partition(":")
    return (other, side) if kind == "field" and other and side in ("", "start", "end") else None


def _title(prop: Any, name: str) -> str:
    title = prop.get("title") if isinstance(prop, dict) else None
    return str(title or name.replace("_", " ")).strip().rstrip("?:").strip()


def _limit_error(properties: dict[str, Any], data: dict[str, Any], label: str, key: str, part: str,
                 mine: str, today: date | None) -> str | None:
    """The problem with the date ``mine`` (a range's start) against one part of a limit: ``today`` or
    ``field:<name>`` (``:start`` or ``:end`` of a range); None when it is within it or cannot be told."""
    to_today, to_field = LIMITS[key]
    field = _field_of(part)
    if part == "today" and today is not None:
        limit, words = today.isoformat(), to_today
    elif field is not None:
        other = _lower(_title(properties.get(field[0]), field[0]))
        start, end = date_range_parts(data.get(field[0]))
        limit, words = (end if field[1] == "end" else start), f"{to_field} {other}"
        if not _real(limit):
            return f"Enter {other}: {_lower(label)} must be {to_field} it"
    else:
        return None
    within = mine >= limit if key == "minimumDate" else mine <= limit
    return None if within else f"{label[:1].upper()}{label[1:]} must be {words}"


def date_limit_errors(schema: dict[str, Any], data: dict[str, Any], today: date | None) -> dict[str, str]:
    """Field name -> message for dates outside SpiffArena's ``minimumDate``/``maximumDate`` limits,
    each ``today`` (not checked when ``today`` is None) or another question's date, comma-separated;
    a range is checked by its start, as SpiffArena does."""
    found: dict[str, str] = {}
    properties = schema.get("properties") or {}
    for name, prop in properties.items():
        mine = date_range_parts(data.get(name))[0] if isinstance(prop, dict) else ""
        if not _real(mine):
            continue  # no answer, or not a date: other checks say so
        for key in LIMITS:
            for part in _limit_parts(prop.get(key)):
                message = _limit_error(properties, data, _title(prop, name), key, part, mine, today)
                if message:
                    found.setdefault(name, message)
    return found


def limit_problems(schema: Any) -> list[tuple[str, str]]:
    """(property, problem) for each ``minimumDate``/``maximumDate`` part that is neither ``today`` nor
    ``field:<question>`` naming another question of the form."""
    found = schema.get("properties") if isinstance(schema, dict) else None
    properties: dict[str, Any] = found if isinstance(found, dict) else {}
    problems = []
    for name, prop in properties.items():
        for key in LIMITS if isinstance(prop, dict) else ():
            if key in prop and not _limit_parts(prop[key]):
                problems.append((name, f'{key} must be text: "today" or "field:<question>"'))
            for part in _limit_parts(prop.get(key)):
                field = _field_of(part)
                if part != "today" and (field is None or field[0] not in properties):
                    problems.append((name, f'{key} \'{part}\' is neither "today" nor "field:<question>" (with '
                                           '":start" or ":end" for a date range) naming a question of this form'))
    return problems


# -- numbers -------------------------------------------------------------------------------------

def _types(prop: dict[str, Any]) -> list[str]:
    kind = prop.get("type")
    return [str(k) for k in kind] if isinstance(kind, list) else [str(kind)] if kind else []


def number_from_text(text: str, prop: dict[str, Any], ui_options: dict[str, Any] | None = None) -> Any:
    """What SpiffArena's formattedNumber widget stores for ``text``: separators and a currency sign
    dropped, a number for a number/integer property (the digits as text for a string one); None for
    nothing typed; ``text`` unchanged when it is not a number (it then fails the schema's ``type``)."""
    ui_options = ui_options or {}
    cleaned = re.sub(r"[\s,£$€]", "", text.strip())
    if not cleaned:
        return None
    if not re.fullmatch(r"-?(\d+\.?\d*|\.\d+)", cleaned):
        return text
    negative = cleaned.startswith("-")
    allowed = ui_options.get("allowNegative")
    if negative and (allowed is False or (allowed is None and isinstance(prop.get("minimum"), (int, float))
                                          and prop["minimum"] >= 0)):
        return text  # fails the schema's minimum, or type for a string property
    whole, _, fraction = cleaned.lstrip("-").partition(".")
    decimals = ui_options.get("decimals")
    if "integer" in _types(prop) and fraction.strip("0"):
        return text  # "must be a whole number"
    if isinstance(decimals, int) and len(fraction) > max(decimals, 0):
        return text
    normal = ("-" if negative else "") + (whole or "0") + (f".{fraction}" if fraction else "")
    if not {"number", "integer"} & set(_types(prop)):
        return normal
    number = float(normal)
    return int(number) if "integer" in _types(prop) or (number.is_integer() and not fraction) else number


def number_text(value: Any, ui_options: dict[str, Any] | None = None, prefix: str = "") -> str:
    """A stored number as formattedNumber shows it: thousands separated, ``decimals`` places when set."""
    if not _is_number(value):
        return "" if value is None else str(value)
    decimals = (ui_options or {}).get("decimals")
    places = decimals if isinstance(decimals, int) and decimals >= 0 and value != int(value) else None
    shown = f"{value:,.{places}f}" if places is not None else f"{value:,}"
    return f"-{prefix}{shown[1:]}" if shown.startswith("-") else f"{prefix}{shown}"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _numeric_range_error(label: str, prop: dict[str, Any], value: Any, required: bool) -> str | None:
    value = value if isinstance(value, dict) else {}
    low, high = value.get("min"), value.get("max")
    if required and (low is None or high is None):
        return f"Enter the {'lowest' if low is None else 'highest'} {label}"
    for bound, word in ((low, "lowest"), (high, "highest")):
        if bound is not None and not _is_number(bound):
            return f"The {word} {label} must be a number"
    floor, ceiling = prop.get("minimum"), prop.get("maximum")
    for bound, word in ((low, "lowest"), (high, "highest")):
        if bound is None:
            continue
        if _is_number(floor) and bound < floor:
            return f"The {word} {label} must be {floor:,} or more"
        if _is_number(ceiling) and bound > ceiling:
            return f"The {word} {label} must be {ceiling:,} or less"
    if low is not None and high is not None and low > high:
        return f"The lowest {label} must be the same as or less than the highest"
    return None


# -- typeahead -----------------------------------------------------------------------------------

def item_text(item: Any, item_format: Any) -> str:
    """An item as SpiffArena's typeahead shows it: ``itemFormat`` with each ``{key}`` replaced."""
    if not isinstance(item, dict):
        return str(item)
    if not isinstance(item_format, str) or not _FORMAT_KEY.search(item_format):
        return json.dumps(item, separators=(",", ":"), ensure_ascii=False)
    return _FORMAT_KEY.sub(lambda m: str(item.get(m.group(1), "")), item_format)


def item_value(item: dict[str, Any]) -> str:
    """An item as SpiffArena's typeahead stores it: the result object as JSON text (``JSON.stringify``)."""
    return json.dumps(item, separators=(",", ":"), ensure_ascii=False)


def stored_item(value: Any) -> dict[str, Any] | None:
    """The item a stored typeahead answer holds, or None if it holds none."""
    try:
        item = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return item if isinstance(item, dict) else None


# -- checks --------------------------------------------------------------------------------------

def _lower(label: str) -> str:
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def errors(schema: dict[str, Any], ui_schema: Any, data: dict[str, Any]) -> dict[str, str]:
    """Field name -> message for the answers SpiffArena's form would refuse beyond JSON Schema."""
    found: dict[str, str] = {}
    required = set(schema.get("required") or [])
    for name, prop in (schema.get("properties") or {}).items():
        ui = _ui(ui_schema, name)
        widget = widget_of(ui)
        if widget is None or not isinstance(prop, dict) or (name not in data and name not in required):
            continue
        label = _lower(str(prop.get("title") or name.replace("_", " ")).strip().rstrip("?:").strip())
        value, message = data.get(name), None
        if widget == DATE_RANGE:
            message = _date_range_error(label, value, name in required)
        elif widget == NUMERIC_RANGE:
            message = _numeric_range_error(label, prop, value, name in required)
        elif widget == TYPEAHEAD and value is not None and stored_item(value) is None:
            message = f"Select {label} from the list"
        if message:
            found[name] = message
    return found


def check_ui(schema: Any, ui_schema: Any) -> list[tuple[str, str]]:
    """(property, problem) for each SpiffArena widget the UI schema sets on a property it cannot work on."""
    problems: list[tuple[str, str]] = []
    properties = schema.get("properties") if isinstance(schema, dict) else None
    for name, prop in (properties or {}).items():
        ui = _ui(ui_schema, name)
        widget, kinds = widget_of(ui), _types(prop) if isinstance(prop, dict) else []
        if widget == TYPEAHEAD and not isinstance(options(ui).get("category"), str):
            problems.append((name, "the typeahead widget needs \"ui:options\": {\"category\": ...}, the typeahead "
                                   "data store category its answers come from"))
        elif widget in (TYPEAHEAD, DATE_RANGE) and kinds and "string" not in kinds:
            problems.append((name, f"the {widget} widget stores text: give the property \"type\": \"string\""))
        elif widget == NUMERIC_RANGE and not ("object" in kinds and {"min", "max"} <= set(prop.get("properties") or {})):
            problems.append((name, "the numeric-range field needs an object property with \"min\" and \"max\" "
                                   "number properties"))
        elif widget == FORMATTED_NUMBER and kinds and not {"number", "integer", "string"} & set(kinds):
            problems.append((name, "the formattedNumber widget needs a number, integer or string property"))
        elif widget == CHECKBOX and kinds and "boolean" not in kinds:
            problems.append((name, "the checkbox widget needs a boolean property"))
    return problems


def ui_problems(maps: Iterable[Any], form_text: Callable[[str], str | None]) -> list[Problem]:
    """``check_ui``'s findings for every form and UI schema a map's tasks name together, located at the
    UI schema's entry for the property (an error: the task could not show the question)."""
    problems: list[Problem] = []
    for root in maps:
        for props in root.iterfind(".//spiffworkflow:properties", NS):
            named = {p.get("name"): p.get("value") for p in props.iterfind("spiffworkflow:property", NS)}
            schema_name, ui_name = named.get("formJsonSchemaFilename"), named.get("formUiSchemaFilename")
            texts = (form_text(schema_name) if schema_name else None, form_text(ui_name) if ui_name else None)
            try:
                schema, ui = (json.loads(text) if text else None for text in texts)
            except ValueError:
                continue  # reported as not JSON where the file is loaded
            found = [(str(ui_name), prop, message) for prop, message in (check_ui(schema, ui) if ui else [])]
            found += [(str(schema_name), prop, message) for prop, message in limit_problems(schema)]
            for file, prop, message in found:
                problem = Problem(file, None, pointer_to(prop), message)
                if problem not in problems:
                    problems.append(problem)
    return problems
