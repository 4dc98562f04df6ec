"""Reading API requests: JSON bodies checked against the schemas the OpenAPI document publishes
(one source of truth), query strings, and text no database could store.

PostgreSQL refuses NUL characters in text and neither backend can encode unpaired surrogates, so
such input is refused here, as the caller's mistake, before it can reach a query.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from flask import request
from werkzeug.exceptions import UnsupportedMediaType

from engine import bpmn, casework
from engine.errors import UserError

from .errors import RequestInvalid
from .schemas import REQUEST_SCHEMAS

MAX_BODY_BYTES = 2 * 1024 * 1024  # far above any form's answers; a larger body is refused with 413


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _strings(value: Any) -> Iterable[str]:
    """Every string in a JSON value, keys included (iteratively: bodies may be deep)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            yield from (k for k in item if isinstance(k, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def require_storable(values: Iterable[str], where: str) -> None:
    if not all(_storable(v) for v in values):
        raise UserError(f"The {where} contains a NUL character or an unpaired surrogate, which cannot be stored")


def screen_request() -> None:
    """Before every API request: bound the body (uploads raise the bound themselves) and refuse an
    address whose path or query string holds text that cannot be stored."""
    request.max_content_length = MAX_BODY_BYTES
    require_storable([request.path, *request.args.keys(), *request.args.values()], "address")


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # e.g. 1e999: no database stores infinity in JSON
        raise ValueError(f"{text} is too large a number")
    return value


def json_body(schema: str, optional: bool = False) -> dict[str, Any]:
    """The request's JSON object, valid against ``REQUEST_SCHEMAS[schema]`` or RequestInvalid with
    a message per field. An ``optional`` body may be left out altogether."""
    raw = request.get_data(cache=True)
    if optional and not raw.strip(b" \t\r\n"):  # JSON whitespace only: "\x0b" is not an empty body
        return {}
    if not request.is_json:
        raise UnsupportedMediaType("Send the request body as JSON, with 'Content-Type: application/json'")
    try:
        body = json.loads(raw, parse_constant=_no_constants, parse_float=_finite)
    except (ValueError, RecursionError) as err:
        raise UserError(f"The request body is not valid JSON: {err}") from None
    if not isinstance(body, dict):
        raise UserError("The request body must be a JSON object")
    casework.check_bounds(body, "request body")  # the engine checks again; refuse early, once for all routes
    require_storable(_strings(body), "request body")
    errors = bpmn.errors_for(REQUEST_SCHEMAS[schema], body)
    if errors:
        raise RequestInvalid(errors)
    return body


class Query:
    """Query-string parameters, collecting a message per wrong field before refusing the request."""

    def __init__(self, args: Mapping[str, str]) -> None:
        self.args = args
        self.errors: dict[str, str] = {}

    def text(self, name: str) -> str | None:
        """The parameter's text; left out or empty (an unfilled filter) both mean None."""
        value = self.args.get(name, "").strip()
        return value or None

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.args.get(name)
        if raw is None:
            return default
        if not (raw.isascii() and raw.isdigit() and str(int(raw)) == raw and low <= int(raw) <= high):
            self.errors[name] = f"{name} must be a whole number from {low} to {high}"
            return default
        return int(raw)

    def choice(self, name: str, choices: Iterable[str], default: str) -> str:
        allowed = list(choices)
        value = self.args.get(name, default)
        if value not in allowed:
            self.errors[name] = f"{name} must be one of: {', '.join(allowed)}"
            return default
        return value

    def check(self) -> None:
        if self.errors:
            raise RequestInvalid(self.errors)
