"""Forms already checked, kept so that a completion or a page does not check its form again.

Loading a form (``forms.load_schema``) checks it against the JSON Schema meta-schema and walks its
references (``formschema.check``): 7.6 ms for the Blue Badge application form, on every completion
and every render of its page, while validating an answer against it takes 0.2 ms. A process
version's forms never change once deployed, so the checked schema, its validator and its
properties with references followed are kept here, keyed by the form's file name and a hash of its
text, and found again by content whichever session or version row the text came from.

A form's ``$ref``s may read other forms of the library it was checked with. The entry records each
form it read and what it said, and is used again only when the caller's library still says the same
(a form of another version with the same text but different referenced forms is checked afresh);
the validator resolves references from that recorded snapshot only. At most ``MAX_ENTRIES`` forms
are kept, least recently used first out. Schemas handed out are shared: callers must not change them.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Library = Callable[[str], "str | None"]  # form file name -> its text (None: no such form); as formschema's

MAX_ENTRIES = 256  # deployed forms in use at once: a council's few dozen processes, a few versions each


def _nothing(name: str) -> str | None:
    return None


@dataclass(eq=False)
class Entry:
    """One checked form: its parsed schema, the library forms its check read, and what was derived."""

    schema: Any
    reads: dict[str, str | None]
    derived: dict[str, Any] = field(default_factory=dict)  # e.g. "validator", "followed"

    def agrees(self, library: Library | None) -> bool:
        """Whether ``library`` still holds the forms this one was checked with."""
        library = library or _nothing
        return all(library(name) == text for name, text in self.reads.items())

    def library(self, name: str) -> str | None:
        """The recorded forms, as a library: what the validator's ``$ref``s may read."""
        return self.reads.get(name)

    def derive(self, key: str, make: Callable[[], Any]) -> Any:
        # Two threads may both make it the first time; either result is the same, so no lock.
        if key not in self.derived:
            self.derived[key] = make()
        return self.derived[key]


class Recording:
    """A library that remembers each form read through it and the answer, for ``Entry.reads``."""

    def __init__(self, library: Library | None) -> None:
        self._library = library or _nothing
        self.reads: dict[str, str | None] = {}

    def __call__(self, name: str) -> str | None:
        text = self._library(name)
        self.reads[name] = text
        return text


_lock = threading.Lock()
_entries: OrderedDict[tuple[str, bytes], Entry] = OrderedDict()
_by_schema: dict[int, Entry] = {}  # id(entry.schema) -> entry; the entry holds the schema, so ids stay unique


def _key(name: str, text: str) -> tuple[str, bytes]:
    return name, hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def find(name: str, text: str, library: Library | None) -> Entry | None:
    """The entry for form ``name`` with this text, if it was checked with a library that agrees."""
    key = _key(name, text)
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
    return entry if entry is not None and entry.agrees(library) else None


def keep(name: str, text: str, schema: Any, reads: dict[str, str | None]) -> Entry:
    """Remember a form that passed its check (the newest entry for its text replaces an older one)."""
    key, entry = _key(name, text), Entry(schema, dict(reads))
    with _lock:
        old = _entries.pop(key, None)
        if old is not None:
            _by_schema.pop(id(old.schema), None)
        _entries[key] = entry
        _by_schema[id(schema)] = entry
        while len(_entries) > MAX_ENTRIES:
            _, dropped = _entries.popitem(last=False)
            _by_schema.pop(id(dropped.schema), None)
    return entry


def of(schema: Any, library: Library | None) -> Entry | None:
    """The entry whose schema is this very object, if ``library`` agrees with it (None otherwise:
    a schema from elsewhere, or one checked against other forms)."""
    with _lock:
        entry = _by_schema.get(id(schema))
    return entry if entry is not None and entry.schema is schema and entry.agrees(library) else None


def clear() -> None:
    """Forget every form (tests that count checks start from nothing)."""
    with _lock:
        _entries.clear()
        _by_schema.clear()
