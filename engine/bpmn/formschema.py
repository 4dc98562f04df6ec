"""The one way a form's JSON Schema is resolved, checked and turned into a validator, wherever forms
are validated (deploy check, web pages, API, CLI, model tests).

Two rules make an uploaded form safe to run:

* **References stay inside the form library.** ``$ref`` resolves through a ``referencing``
  registry whose only source is the forms deployed with the process (the upload and the library,
  or at run time the files stored with the process version). Nothing is fetched over the network
  and no file is opened: jsonschema's default resolver would ``urlopen`` any ``http://`` or
  ``file://`` reference, with no timeout, inside the case's write transaction. A reference that
  points anywhere else, that points at nothing, or that loops back to a schema containing it, is
  refused when the form is checked, with the file and the JSON pointer of the ``$ref``.
* **Patterns run on RE2.** ``pattern`` and ``patternProperties`` are matched with RE2, which takes
  time linear in the answer (Python's backtracking ``re`` took 17.8 s on 28 characters of
  ``^(a+)+$``, holding the GIL). A pattern RE2 cannot run (backreferences, lookaround) is refused
  when the form is checked, so a pattern never behaves differently in different places.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin

import re2
from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchAnchor, PointerToNowhere, Unresolvable
from referencing.jsonschema import DRAFT202012

from . import formcache
from .formcache import Library  # form file name -> its text (None: no such form)

if TYPE_CHECKING:
    from referencing._core import Resolver


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a refused pattern is reported to the analyst, not to stderr

# Keywords whose values are schemas (draft 2020-12, plus the older spellings jsonschema still reads).
_ONE = ("additionalProperties", "contains", "contentSchema", "else", "if", "items", "not", "propertyNames",
        "then", "unevaluatedItems", "unevaluatedProperties", "additionalItems")
_LIST = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
_MAP = ("$defs", "definitions", "dependentSchemas", "patternProperties", "properties")
MAX_REF_STEPS = 32  # following a property's $ref chain for its title and type
# Schemas a validator may visit for one answer, counting a definition again wherever a $ref uses it:
# 30 definitions that each use the one before twice are 2**30 visits (16 took 3.5 s), from 1 KB.
MAX_EXPANDED = 10_000


class _Refused(Exception):
    """A reference to something that is not a form of the library: never fetched."""


@lru_cache(maxsize=1024)
def compiled(pattern: str) -> Any:
    """``pattern`` compiled by RE2; raises ``re2.error`` if RE2 cannot run it."""
    return re2.compile(pattern, _RE2_OPTIONS)


def matches(pattern: str, text: str) -> bool:
    """JSON Schema's ``pattern`` test (a search, not anchored), in linear time."""
    try:
        return compiled(pattern).search(text) is not None
    except UnicodeEncodeError:  # an unpaired surrogate: not text any pattern can accept
        return False


def is_form_name(uri: str) -> bool:
    """A reference to another form is its bare file name: no scheme, host, folder or query."""
    return (uri.lower().endswith(".json") and not uri.startswith(".")
            and not any(c in uri for c in ":/\\?#%") and uri.isprintable())


# -- the registry ------------------------------------------------------------------------------

@dataclass
class _Forms:
    """The library as a ``referencing`` retrieval function that can only read forms by name."""

    library: Library
    parsed: dict[str, Any] = field(default_factory=dict)

    def __call__(self, uri: str) -> Resource[Any]:
        if not is_form_name(uri):
            raise _Refused(uri)
        if uri not in self.parsed:
            text = self.library(uri)
            if text is None:
                raise _Refused(uri)
            self.parsed[uri] = json.loads(text)
        return DRAFT202012.create_resource(self.parsed[uri])


def _no_forms(name: str) -> str | None:
    return None


def registry(library: Library | None = None) -> Registry[Any]:
    """A registry that resolves only the forms of ``library``, and refuses everything else."""
    # referencing declares the field as ``_retrieve`` with the alias ``retrieve``, which mypy's attrs support misses.
    return Registry(retrieve=_Forms(library or _no_forms))  # type: ignore[call-arg]


def resolver(schema: Any, library: Library | None = None, name: str | None = None) -> Resolver[Any]:
    """A resolver rooted at ``schema`` (registered under its file ``name`` too, so a form that
    names itself is the same document and a loop through it is seen)."""
    root = DRAFT202012.create_resource(schema)
    reg = registry(library)
    if name:
        reg = reg.with_resource(name, root)
    return reg.resolver_with_root(root)


# -- the validator -----------------------------------------------------------------------------

def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not matches(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any, schema: Any
                        ) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if matches(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, additional: Any, instance: Any, schema: Any
                           ) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    properties, patterns = schema.get("properties", {}), schema.get("patternProperties", {})
    extras = [key for key in instance
              if key not in properties and not any(matches(p, key) for p in patterns)]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif additional is False and extras:
        listed = ", ".join(repr(e) for e in sorted(extras, key=str))
        yield ValidationError(f"Additional properties are not allowed ({listed} unexpected)")


def _is_pattern(instance: Any) -> bool:
    return not isinstance(instance, str) or compiled(instance) is not None


FORMATS = FormatChecker()
FORMATS.checks("regex", raises=re2.error)(_is_pattern)  # an answer with "format": "regex" is an RE2 pattern
# The meta-schema's own "regex" checks would use Python's re: ``check`` tests patterns with RE2 instead.
_META_FORMATS = FormatChecker([f for f in FormatChecker.checkers if f != "regex"])

FormValidator = validators.extend(Draft202012Validator, {
    "pattern": _pattern, "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties})


def validator(schema: Any, library: Library | None = None) -> Validator:
    """The validator of every form: RE2 patterns, formats checked, ``$ref`` only into ``library``."""
    return FormValidator(schema, format_checker=FORMATS, registry=registry(library))


# SpiffArena's forms take a choice's options from the case data when the task is shown:
# "anyOf": ["options_from_task_data_var:colours"] (or "items": [...] for several answers).
TASK_DATA_OPTIONS = "options_from_task_data_var:"


def task_data_option_var(value: Any) -> str | None:
    """The case-data variable a ``["options_from_task_data_var:<name>"]`` list names, if it is one."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str) \
            and value[0].startswith(TASK_DATA_OPTIONS):
        return value[0].removeprefix(TASK_DATA_OPTIONS)
    return None


def replace_task_data_options(schema: Any, options: Callable[[str, str], Any]) -> Any:
    """A copy of ``schema`` with each options placeholder under ``anyOf``/``items`` replaced by
    ``options(keyword, variable)``; ``schema`` itself when it has none (the usual case: no copy)."""
    def walk(node: Any) -> tuple[Any, bool]:
        if isinstance(node, dict):
            out, changed = {}, False
            for key, value in node.items():
                var = task_data_option_var(value) if key in ("anyOf", "items") else None
                new, moved = (options(key, var), True) if var is not None else walk(value)
                out[key], changed = new, changed or moved
            return (out, True) if changed else (node, False)
        if isinstance(node, list):
            walked = [walk(item) for item in node]
            return ([w for w, _ in walked], True) if any(m for _, m in walked) else (node, False)
        return node, False
    return walk(schema)[0]


def _stand_in(keyword: str, var: str) -> Any:
    """What a placeholder is checked as: options of text (their values are only known per case)."""
    return {"type": "string"} if keyword == "items" else [{"type": "string"}]


@lru_cache(maxsize=256)  # texts that passed: an upload mostly carries forms deployed before (~10 ms a check)
def check_meta(text: str) -> None:
    """Raises ``json.JSONDecodeError`` if ``text`` is not JSON, jsonschema's ``SchemaError`` if it is not a draft
    2020-12 schema (its patterns are left to ``check``, which compiles them with RE2)."""
    schema = replace_task_data_options(json.loads(text), _stand_in)
    Draft202012Validator.check_schema(schema, format_checker=_META_FORMATS)


# -- the check ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """A problem with a form: the file and JSON pointer it is at, in plain English."""

    file: str
    pointer: str
    message: str


@dataclass
class Checked:
    findings: list[Finding] = field(default_factory=list)
    forms: set[str] = field(default_factory=set)  # other forms of the library it refers to


def pointer_to(*parts: str | int) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _children(node: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    for key in _ONE:
        if isinstance(node.get(key), (dict, bool)):
            yield (key,), node[key]
    for key in _LIST:
        if isinstance(node.get(key), list):
            yield from (((key, i), child) for i, child in enumerate(node[key]))
    for key in _MAP:
        if isinstance(node.get(key), dict):
            yield from (((key, name), child) for name, child in node[key].items())


def _pattern_problems(node: dict[str, Any], at: str) -> Iterator[tuple[str, str]]:
    patterns = [(pointer_to("pattern"), node["pattern"])] if isinstance(node.get("pattern"), str) else []
    if isinstance(node.get("patternProperties"), dict):
        patterns += [(pointer_to("patternProperties", p), p) for p in node["patternProperties"]]
    for where, pattern in patterns:
        try:
            compiled(pattern)
        except re2.error as err:
            reason = err.args[0].decode() if err.args and isinstance(err.args[0], bytes) else str(err)
            yield at + where, (f"the pattern {pattern!r} cannot be used ({reason}): form patterns run on RE2, "
                               f"which checks an answer in time proportional to its length and so has no "
                               f"backreferences or lookaround; rewrite it without them")
    if "patternProperties" in node and "unevaluatedProperties" in node:
        yield at + "/unevaluatedProperties", "a form may not combine unevaluatedProperties with patternProperties"


@dataclass
class _Frame:
    node: Any
    file: str
    at: str  # JSON pointer of node in file
    base: str  # the URI relative references are resolved against (as the resolver does)
    resolver: Resolver[Any]
    via: tuple[str, str, str] | None = None  # (file, pointer, ref) of the $ref that led here
    leaving: bool = False


def _refused(ref: str, target: str, err: Unresolvable) -> str:
    if isinstance(err, (PointerToNowhere, NoSuchAnchor)):
        return f"$ref {ref!r} points at nothing: {target} has no {urldefrag(ref)[1] or 'such part'}"
    if is_form_name(target):
        return f"$ref {ref!r} refers to the form {target!r}, which is neither in this upload nor deployed"
    return (f"$ref {ref!r} points outside the forms deployed with this one: a form may refer only to its own "
            f"definitions (\"#/$defs/...\") or to another form by its file name (\"other-schema.json#/$defs/...\"); "
            f"councilflow never fetches a URL or opens a file for a form")


def check(name: str, schema: Any, library: Library) -> Checked:
    """Every reference and pattern reachable from form ``name``: references that leave the library,
    point at nothing or loop, and patterns RE2 cannot run. Walks each schema once (depth first,
    iteratively), so a deep or much-referenced form costs no more than its size."""
    result = Checked()
    schema = replace_task_data_options(schema, _stand_in)
    root = resolver(schema, library, name)
    declared = schema.get("$id") if isinstance(schema, dict) else None
    base = declared if isinstance(declared, str) else ""
    files = {base: name, name: name}
    state: dict[int, bool] = {}  # id(node) -> finished (False: on the current path)
    uses: dict[int, list[int]] = {}  # id(node) -> ids of its subschemas and of its $ref's target
    expanded: dict[int, int] = {}  # id(node) -> schemas visited when validating against it
    stack = [_Frame(schema, name, "", base, root)]
    while stack:
        frame = stack.pop()
        node = frame.node
        if frame.leaving:
            state[id(node)] = True
            expanded[id(node)] = min(MAX_EXPANDED + 1, 1 + sum(expanded.get(i, 0) for i in uses[id(node)]))
            continue
        if not isinstance(node, dict) or state.get(id(node)):
            continue
        if id(node) in state:  # on the current path: this $ref leads back to a schema containing it
            file, at, looping = frame.via or (frame.file, frame.at, "")
            result.findings.append(Finding(file, at, f"$ref {looping!r} leads back to {frame.file}#{frame.at}, "
                                                     f"which contains it: a form's references may not loop"))
            continue
        state[id(node)] = False
        stack.append(_Frame(node, frame.file, frame.at, frame.base, frame.resolver, leaving=True))
        uses[id(node)] = []
        here, here_base = frame.resolver, frame.base
        if isinstance(node.get("$id"), str) and node is not schema:
            here = here.in_subresource(DRAFT202012.create_resource(node))
            here_base = urljoin(here_base, node["$id"])
        result.findings += [Finding(frame.file, at, message) for at, message in _pattern_problems(node, frame.at)]
        for keyword in ("$dynamicRef", "$recursiveRef"):
            if keyword in node:
                result.findings.append(Finding(frame.file, frame.at + pointer_to(keyword),
                                               f"{keyword} is not supported in forms: use $ref"))
        for parts, child in reversed(list(_children(node))):
            if parts[0] not in ("$defs", "definitions"):  # only read through a $ref
                uses[id(node)].append(id(child))
            stack.append(_Frame(child, frame.file, frame.at + pointer_to(*parts), here_base, here))
        ref = node.get("$ref")
        if isinstance(ref, str):
            at = frame.at + pointer_to("$ref")
            target = here_base if ref.startswith("#") else urldefrag(urljoin(here_base, ref))[0]
            try:
                resolved = here.lookup(ref)
            except Unresolvable as err:
                shown = frame.file if ref.startswith("#") else target
                result.findings.append(Finding(frame.file, at, _refused(ref, shown, err)))
                continue
            target_file = frame.file if ref.startswith("#") else files.get(
                target, target if is_form_name(target) else frame.file)
            if target_file != name:
                result.forms.add(target_file)
            uses[id(node)].append(id(resolved.contents))
            fragment = urldefrag(ref)[1]
            stack.append(_Frame(resolved.contents, target_file, fragment if fragment.startswith("/") else "",
                                target, resolved.resolver, via=(frame.file, at, ref)))
    if expanded.get(id(schema), 0) > MAX_EXPANDED:
        result.findings.append(Finding(name, "", (
            f"through its $refs the form expands to more than {MAX_EXPANDED:,} schemas, each checked for every "
            f"answer (a definition counts again wherever a $ref uses it): refer to shared definitions from "
            f"fewer places")))
    result.findings = list(dict.fromkeys(result.findings))
    return result


# -- following references for display ------------------------------------------------------------

def _followed(prop: Any, here: Resolver[Any]) -> Any:
    """``prop`` with its ``$ref`` chain merged in (its own keywords win), as a page shows it."""
    merged = prop
    for _ in range(MAX_REF_STEPS):
        if not isinstance(merged, dict) or not isinstance(merged.get("$ref"), str):
            break
        try:
            resolved = here.lookup(merged["$ref"])
        except Unresolvable:
            break
        here = resolved.resolver
        own = {k: v for k, v in merged.items() if k != "$ref"}
        merged = {**resolved.contents, **own} if isinstance(resolved.contents, dict) else own
    if isinstance(merged, dict) and isinstance(merged.get("items"), dict) and "$ref" in merged["items"]:
        merged = {**merged, "items": _followed(merged["items"], here)}
    return merged


def with_properties_followed(schema: dict[str, Any], library: Library | None = None) -> dict[str, Any]:
    """``schema`` with each property's ``$ref`` followed, so titles, types and choices defined by
    reference reach the page and the error messages. Resolves like the validator (same library).
    A form loaded by ``forms.load_schema`` is followed once and the result shared: never change it."""
    known = formcache.of(schema, library)
    if known is not None:
        followed: dict[str, Any] = known.derive("followed", lambda: _followed_properties(schema, known.library))
        return followed
    return _followed_properties(schema, library)


def _refers(prop: Any) -> bool:
    """A property that is a ``$ref``, or an array whose items are."""
    if not isinstance(prop, dict):
        return False
    items = prop.get("items")
    return "$ref" in prop or (isinstance(items, dict) and "$ref" in items)


def _followed_properties(schema: dict[str, Any], library: Library | None) -> dict[str, Any]:
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not any(_refers(p) for p in properties.values()):
        return schema
    here = resolver(schema, library)
    return {**schema, "properties": {name: _followed(prop, here) for name, prop in properties.items()}}
