"""The sandbox's guards on methods and copies whose result can outgrow the object they start from:
padding, joining, replacing, splitting and ``int.to_bytes`` (also when taken from the type:
``str.center(s, n)``), and the copies one C call makes of an allowed big value (``list``/``dict``/
``set``/``frozenset``/``sorted``, slices, ``*a``, ``.copy()``, ``dict.fromkeys``). Each counts the
size of its result against ``script_limits`` before making it; why that is needed is said there.
"""
from __future__ import annotations

import operator
from collections.abc import Callable
from functools import partial
from itertools import islice
from typing import Any

from .script_limits import MAX_ITEMS, SEQUENCES, charge


# --- methods of str, bytes and list whose result can outgrow the object ---------------------------

def _padded(obj: Any, width: int, *_: Any) -> None:
    charge(max(width, len(obj)), obj)


def _replaced(obj: Any, old: Any, new: Any, count: int = -1) -> None:
    found = obj.count(old) if count < 0 else min(count, obj.count(old))
    charge(len(obj) + found * max(len(new) - len(old), 0), obj)


def _expanded(obj: Any, tabsize: int = 8) -> None:
    charge(len(obj) + obj.count("\t" if isinstance(obj, str) else b"\t") * max(tabsize, 0), obj)


def _joined(obj: Any, parts: list[Any]) -> None:
    total = len(obj) * max(len(parts) - 1, 0)
    for part in parts:
        total += len(part) if isinstance(part, SEQUENCES) else 0
        if total > MAX_ITEMS:
            break
    charge(total, obj)


def _translated(obj: Any, table: Any, *_: Any) -> None:
    if isinstance(table, dict):
        longest = max((len(v) for v in table.values() if isinstance(v, (str, bytes))), default=1)
        charge(len(obj) * max(longest, 1), obj)


def _extended(obj: Any, items: Any) -> None:
    if isinstance(items, SEQUENCES):
        charge(len(obj) + len(items), obj)


def _split(obj: Any, sep: Any = None, *_: Any) -> None:
    # Each piece is an object of its own (about 56 bytes however short), so a 10 MB text of short
    # words splits into hundreds of MB.
    pieces = obj.count(sep) + 1 if sep else len(obj) // 2 + 1
    charge(pieces, [], item_bytes=64)


def _copied(obj: Any, *_: Any) -> None:
    charge(len(obj), obj, item_bytes=_item_bytes(obj))


def _to_bytes(obj: Any, *args: Any) -> None:
    # (1).to_bytes(10**10, "big") asks for 10 GB; the length may come by position or keyword.
    charge(max((a for a in args if type(a) is int), default=1), b"")


def _fromkeys(obj: Any, keys: Any = (), *_: Any) -> None:
    charge(operator.length_hint(keys), {}, item_bytes=_MAPPING_ITEM_BYTES)


_METHOD_CHECKS: dict[str, Callable[..., None]] = {
    "center": _padded, "ljust": _padded, "rjust": _padded, "zfill": _padded, "replace": _replaced,
    "expandtabs": _expanded, "join": _joined, "translate": _translated, "extend": _extended,
    "split": _split, "rsplit": _split, "splitlines": lambda obj, *_: _split(obj, "\n" if isinstance(obj, str) else b"\n"),
    "copy": _copied, "to_bytes": _to_bytes, "fromkeys": _fromkeys,
}
_OWNERS = (*SEQUENCES, dict, set, frozenset, int)  # the types with a method above


def check_method(obj: Any, name: str, *args: Any) -> None:
    """Refuse ``obj.name(*args)`` if its result would be too large (no-op for other methods)."""
    check = _METHOD_CHECKS.get(name)
    if check is not None and isinstance(obj, SEQUENCES):
        check(obj, *args)


def sized_method(obj: Any, name: str, value: Any) -> Any:
    """``value`` (the attribute ``name`` of ``obj``), wrapped in its check if it is a method whose
    result can outgrow ``obj`` (or copies it)."""
    check = _METHOD_CHECKS.get(name)
    if check is None or not callable(value):
        return value
    if name == "fromkeys":  # a class method: dict.fromkeys(keys) and {}.fromkeys(keys) alike
        def from_keys(*args: Any, **kwargs: Any) -> Any:
            _fromkeys(obj, *args, *kwargs.values())
            return value(*args, **kwargs)
        return from_keys
    if isinstance(obj, type) and issubclass(obj, _OWNERS):  # str.center("a", 10**10)
        return lambda target, *args, **kwargs: sized_method(target, name, partial(value, target))(*args, **kwargs)
    if not isinstance(obj, _OWNERS):
        return value

    def checked(*args: Any, **kwargs: Any) -> Any:
        if name == "join" and args and not isinstance(args[0], (list, tuple)):
            args = (list(args[0]), *args[1:])  # a generator is read once: keep what was counted
        check(obj, *args, *kwargs.values())
        return value(*args, **kwargs)
    return checked


# --- copies: list(x), sorted(x), x[:] and the like copy an allowed big value in one C call ---------

_MAPPING_ITEM_BYTES = 64  # a dict or set entry, with its share of the hash table
_UNSIZED_ITEM_BYTES = 64  # an item read from an iterator is usually a new object (zip's tuples, map's texts)
_CHUNK = 2 ** 17  # items read from an iterator at a time: enough that each chunk is counted


def _item_bytes(obj: Any) -> int:
    return _MAPPING_ITEM_BYTES if isinstance(obj, (dict, set, frozenset)) else 8 if isinstance(obj, (list, tuple)) else 1


def counted(source: Any, item_bytes: int = 8) -> Any:
    """``source`` if it is sized (its length counted), else its items, read and counted a chunk at a
    time, so ``list(zip(a, a))`` stops as it grows instead of after."""
    if hasattr(source, "__len__"):
        charge(len(source), [], item_bytes=item_bytes)
        return source
    items: list[Any] = []
    iterator = iter(source)
    while chunk := list(islice(iterator, _CHUNK)):
        charge(len(chunk), [], item_bytes=max(item_bytes, _UNSIZED_ITEM_BYTES))
        items.extend(chunk)
    return items


def _sized_type(base: type, item_bytes: int) -> type:
    """The sandbox's ``list``/``dict``/``set``/``frozenset``: building one from another counts its
    size first; ``isinstance(x, list)`` and ``list.append`` behave as usual (as ``GuardedStr``)."""
    def new(cls: type, *args: Any, **kwargs: Any) -> Any:
        return base(counted(args[0], item_bytes), *args[1:], **kwargs) if args else base(**kwargs)

    meta = type(f"_{base.__name__}Type", (type,), {
        "__instancecheck__": lambda cls, obj: isinstance(obj, base),
        "__subclasscheck__": lambda cls, sub: issubclass(sub, base)})
    sized: type = meta(base.__name__, (base,), {"__new__": new, "__doc__": base.__doc__})
    return sized


GuardedList = _sized_type(list, 8)
GuardedDict = _sized_type(dict, _MAPPING_ITEM_BYTES)
GuardedSet = _sized_type(set, _MAPPING_ITEM_BYTES)
GuardedFrozenset = _sized_type(frozenset, _MAPPING_ITEM_BYTES)


def guarded_sorted(iterable: Any, *args: Any, **kwargs: Any) -> list[Any]:
    return sorted(counted(iterable), *args, **kwargs)


def check_slice(obj: Any, key: Any) -> None:
    """A slice copies: ``obj[key]``'s length is counted first."""
    if type(key) is slice and isinstance(obj, SEQUENCES):
        charge(len(range(*key.indices(len(obj)))), obj)


def guarded_getitem(obj: Any, key: Any) -> Any:
    check_slice(obj, key)
    return obj[key]


def spread(value: Any) -> Any:
    """``*value`` in a list, tuple, set or call copies ``value``'s items."""
    return counted(value)
