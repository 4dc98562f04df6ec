"""What may enter a case's data: one bound on the shape of anything submitted (start data, task
answers, messages, callbacks, API bodies), and which keys a task may set.

Both rules are the engine's, so the web pages, the API and the CLI cannot disagree. Data that is
too deep or too large is refused before it is stored: a value nested hundreds of levels deep
saves, but SpiffWorkflow cannot load it again (``RecursionError``), which left cases that could
be neither worked on, cancelled nor shown.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from referencing.exceptions import Unresolvable

from ..bpmn import formschema
from ..bpmn.formcache import Library
from ..errors import FormInvalid, UserError

if TYPE_CHECKING:
    from referencing._core import Resolver

MAX_DEPTH = 32  # objects/lists inside each other; council forms use three or four
MAX_STRING = 100_000  # characters in one string (key or value); documents are uploaded, not typed
MAX_ITEMS = 10_000  # keys and list items altogether
MAX_SIZE = 1_000_000  # characters of strings plus one per other value, altogether

# Who the case is for and how to reach them, as recorded when it started (from the customer
# record or the start data), and the reference the engine gives it. Closure emails and letters go
# to these, so a task (web form, API, CLI) can never set them, even if a form asks for them.
PROTECTED_FIELDS = frozenset({"customer_name", "customer_email", "customer_phone", "address", "postcode",
                              "case_reference"})
PROTECTED_PREFIX = "customer_"  # any other customer_* field a map or the front office records


def is_protected(key: str) -> bool:
    return key in PROTECTED_FIELDS or key.startswith(PROTECTED_PREFIX)


def refuse_protected(data: Mapping[str, Any] | None, what: str) -> None:
    """Refuse ``data`` that would set a protected case field: a message whose catch event has no
    variable of its own is merged into the case data, as a task's answers are."""
    protected = sorted(k for k in data or {} if is_protected(k))
    if protected:
        raise UserError(f"The {what} may not set {', '.join(protected)}: it is recorded when the case starts "
                        f"and cannot be changed afterwards (change the customer record instead)")


class DataTooLarge(UserError):
    """Submitted data is nested too deep, or too large, to be kept with a case."""


def check_bounds(value: Any, what: str = "data") -> None:
    """Refuse ``value`` (decoded JSON) if it breaks any of the limits above; the message names the
    limit and where it was broken. Walks iteratively, and stops at the first breach, so a hostile
    value costs no more than the limits themselves."""
    stack: list[tuple[Any, int, str]] = [(value, 0, "")]
    items = size = 0
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, (dict, list)):
            if depth >= MAX_DEPTH:
                raise DataTooLarge(f"The {what} is nested more than {MAX_DEPTH} levels deep{_at(path)}; "
                                   f"at most {MAX_DEPTH} levels are accepted")
            items += len(item)
            if items > MAX_ITEMS:
                raise DataTooLarge(f"The {what} has more than {MAX_ITEMS:,} fields and list items; "
                                   f"at most {MAX_ITEMS:,} are accepted")
            if isinstance(item, dict):
                for key, child in item.items():
                    size += _string(str(key), what, _join(path, str(key)))
                    stack.append((child, depth + 1, _join(path, str(key))))
            else:
                stack.extend((child, depth + 1, f"{path}[{n}]") for n, child in enumerate(item))
        elif isinstance(item, str):
            size += _string(item, what, path)
        else:
            size += 1
        if size > MAX_SIZE:
            raise DataTooLarge(f"The {what} is larger than {MAX_SIZE:,} characters altogether")


def _string(text: str, what: str, path: str) -> int:
    if len(text) > MAX_STRING:
        raise DataTooLarge(f"A text in the {what}{_at(path)} is longer than {MAX_STRING:,} characters")
    return len(text)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _at(path: str) -> str:
    shown = path if len(path) <= 60 else path[:57] + "..."
    return f" (at {shown})" if path else ""


def form_fields(schema: Mapping[str, Any] | None, library: Library | None = None) -> set[str]:
    """The top-level field names a form declares: its ``properties``, and those of the branches it
    combines (``allOf``, ``anyOf``, ``oneOf``, ``if``/``then``/``else``, ``dependentSchemas``), also
    through ``$ref`` — resolved exactly as the validator resolves them (local parts, or another form
    of ``library``). A task without a form declares none."""
    if schema is None:
        return set()
    found: set[str] = set()
    seen: set[int] = set()
    stack: list[tuple[Any, Resolver[Any]]] = [(schema, formschema.resolver(schema, library))]
    while stack:
        part, here = stack.pop()
        if not isinstance(part, Mapping) or id(part) in seen:
            continue
        seen.add(id(part))
        props = part.get("properties")
        if isinstance(props, Mapping):
            found.update(str(k) for k in props)
        branches: list[Any] = [part.get(k) for k in ("if", "then", "else")]
        for keyword in ("allOf", "anyOf", "oneOf"):
            if isinstance(part.get(keyword), list):
                branches += part[keyword]
        if isinstance(part.get("dependentSchemas"), Mapping):
            branches += part["dependentSchemas"].values()
        stack.extend((branch, here) for branch in branches)
        ref = part.get("$ref")
        if isinstance(ref, str):
            try:
                resolved = here.lookup(ref)
            except Unresolvable:  # refused at deploy; a stored form that breaks the rule declares nothing
                continue
            stack.append((resolved.contents, resolved.resolver))
    return found


def check_task_fields(task_name: str, schema: Mapping[str, Any] | None, data: Mapping[str, Any],
                      library: Library | None = None) -> None:
    """Refuse answers a task may not give: a field its form does not ask (without a form, any field
    at all) or a protected case field. Refused, not silently dropped, so a caller who sends a
    misspelt or foreign field is told rather than losing the answer without knowing."""
    allowed = form_fields(schema, library)
    errors: dict[str, str] = {}
    for key in data:
        if is_protected(key):
            errors[key] = (f"{key} is recorded when the case starts and cannot be changed by a task "
                           f"(change the customer record instead)")
        elif key not in allowed:
            errors[key] = (f"{key} is not a question on the form of “{task_name}”" if schema is not None
                           else f"“{task_name}” has no form, so it takes no answers ({key} was sent)")
    if errors:
        raise UnknownFields(task_name, errors, sorted(allowed))


class UnknownFields(FormInvalid):
    """Task answers name fields the task's form does not have, or protected case fields."""

    def __init__(self, task_name: str, errors: dict[str, str], accepted: Iterable[str]) -> None:
        super().__init__(errors)
        accepted = list(accepted)
        self.message = (f"“{task_name}” does not take these fields: {', '.join(errors)}. "
                        + (f"It takes: {', '.join(accepted)}" if accepted else "It takes no answers"))
        self.args = (self.message,)
