"""Size limits checked *before* a script does one expensive thing.

The sandbox's deadline (``script_deadline.Deadline``) checks the clock between opcodes, so it cannot
stop a single C-level operation: ``7 ** (10 ** 7)`` runs for seconds and ``"a" * 10 ** 10`` asks for
10 GB while holding the GIL, and every other request of the server waits. Running each script in a
subprocess with rlimits would bound anything, but costs a process round trip per expression (cases
evaluate dozens) and cannot share the task data the script changes; an address-space limit on the
whole web process would kill unrelated requests. So we do what RestrictedPython is for: the
compiler rewrites the operators whose result can outgrow their operands (``*``, ``**``, ``<<``,
``+`` on sequences, ``//``, ``%`` and their in-place forms) into calls to the guards below, and
``pow``, ``divmod``, ``sum``, the ``math`` functions that build big integers (``script_math``), the
padding, joining, replacing and splitting methods of ``str``/``bytes``/``list`` (also when taken
from the type: ``str.center(s, n)``), ``int.to_bytes``, and f-string and ``%`` widths (summed over
the fields of one format) are wrapped the same way. Copies are counted too, since one C call
copies an allowed big value: ``list``/``dict``/``set``/``frozenset``/``sorted`` (``GuardedList`` and
the like, which still pass ``isinstance``), slices, ``*a`` and ``.copy()``/``dict.fromkeys``. Each
guard estimates the size of the result from its operands and refuses before computing it. The
call scripts' Jinja (``webui.forms.instructions``) uses the same guards.

The limits are generous for council scripts (a reference number has 10 digits; a letter a few
thousand characters) and small for a server: integers up to ``MAX_INT_BITS`` bits (about 30,000
decimal digits) take part in multiplication, powers, shifts and division; one text, list or tuple
has at most ``MAX_ITEMS`` characters or items; and one run of a script may build at most
``MAX_RUN_BYTES`` of large values (so a loop of allowed allocations stops too). Converting an
integer to text is already limited by Python 3.11 (``sys.set_int_max_str_digits``); we make sure
that limit is on.

A list may hold the same big list many times (``[x] * 10 ** 6``): cheap to build, but its text or
JSON is a million copies. ``text_size`` measures what a value would print as, visiting each
distinct container once, and guards ``str``/``repr``/``json_dumps``/f-string fields/``%`` and the
data a script leaves behind (which the engine saves as JSON).
"""
from __future__ import annotations

import decimal
import json
import math
import operator
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import chain
from typing import Any

from ..errors import ScriptError

MAX_INT_BITS = 100_000
MAX_ITEMS = 10_000_000
MAX_RUN_BYTES = 256 * 1024 * 1024 // 2  # half the memory the server may spend on one hostile script
_MODULAR_WORK = 4096 * 4096
_LARGE = 1_000_000  # bytes: results smaller than this are not counted against MAX_RUN_BYTES
_DEFAULT_INT_DIGITS = 4300  # Python 3.11's default for sys.set_int_max_str_digits

if sys.get_int_max_str_digits() == 0:  # 0 means "no limit" (PYTHONINTMAXSTRDIGITS=0 or -X)
    sys.set_int_max_str_digits(_DEFAULT_INT_DIGITS)

SEQUENCES = (str, bytes, bytearray, list, tuple)

# Decimal arithmetic in scripts runs in this context (``script_deadline.Deadline.run``): with exponents capped,
# int(Decimal) cannot build a huge integer (int(Decimal("1e999999")) runs for minutes in C, uninterruptibly).
DECIMAL_CONTEXT = decimal.Context(prec=28, Emax=4000, Emin=-4000, rounding=decimal.ROUND_HALF_EVEN,
                                  traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])
_run = threading.local()


@contextmanager
def metered() -> Iterator[None]:
    """One run of a script (or one rendering of a call script): large values it builds are counted."""
    outer = getattr(_run, "spent", None)
    _run.spent = 0
    try:
        yield
    finally:
        _run.spent = outer


def too_big(what: str) -> ScriptError:
    """A number that would be too large."""
    return ScriptError(f"{what}; numbers in scripts are limited to {MAX_INT_BITS:,} bits (about "
                       f"{int(MAX_INT_BITS * math.log10(2)):,} digits)")


def _too_long(what: str) -> ScriptError:
    """A text or list that would be too long."""
    return ScriptError(f"{what}; a text or list in a script may have at most {MAX_ITEMS:,} characters or items")


def charge(items: int, sample: Any, item_bytes: int | None = None) -> None:
    """Refuse a text/list of ``items`` items before it is built, and count it against the run."""
    if items > MAX_ITEMS:
        raise _too_long(f"the result would have {items:,} characters or items")
    size = items * (item_bytes or (8 if isinstance(sample, (list, tuple)) else 1))
    if size < _LARGE:
        return
    spent = (getattr(_run, "spent", None) or 0) + size
    if spent > MAX_RUN_BYTES:
        raise ScriptError(f"the script built more than {MAX_RUN_BYTES // 2**20} MB of large texts or lists "
                          f"in one run and was stopped")
    _run.spent = spent


def bits(value: Any) -> int:
    return value.bit_length() if isinstance(value, int) else 0


def operands(*values: Any) -> None:
    for value in values:
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            raise too_big(f"a number of {value.bit_length():,} bits is too large to calculate with")


def mul(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            operands(left, right)
            raise too_big(f"the product would have about {left.bit_length() + right.bit_length():,} bits")
    elif isinstance(left, SEQUENCES) and isinstance(right, int):
        charge(len(left) * max(right, 0), left)
    elif isinstance(right, SEQUENCES) and isinstance(left, int):
        charge(len(right) * max(left, 0), right)
    return left * right


def power(left: Any, right: Any, modulo: Any = None) -> Any:
    if modulo is not None:
        operands(left, right, modulo)
        # Modular powers cost about (exponent bits) x (modulus bits)^1.6: RSA-sized numbers pass.
        if bits(right) * bits(modulo) > _MODULAR_WORK:
            raise too_big("the modular power would take too long")
        return pow(left, right, modulo)
    if isinstance(left, int) and isinstance(right, int) and right > 1 and left not in (0, 1, -1):
        if right > MAX_INT_BITS:
            raise too_big("the power would be astronomically large")
        estimate = right * (math.log2(abs(left)) if left.bit_length() < 1000 else left.bit_length())
        if estimate > MAX_INT_BITS:
            raise too_big(f"the power would have about {int(estimate):,} bits")
    return left ** right


def lshift(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int) and left and right > 0:
        if right > MAX_INT_BITS or left.bit_length() + right > MAX_INT_BITS:
            raise too_big("the shifted number would be too large")
    return left << right


def add(left: Any, right: Any) -> Any:
    if isinstance(left, SEQUENCES) and isinstance(right, SEQUENCES):
        charge(len(left) + len(right), left)
    return left + right


def floordiv(left: Any, right: Any) -> Any:
    operands(left, right)
    return left // right


def _format_widths(template: str | bytes | bytearray, args: Any) -> None:
    """``"%*d" % (10**10, 1)`` or ``"%10000000000d"`` would pad to a huge width; thirty fields of
    10,000,000 each (``"%10000000d" * 30``) would too, so the widths are summed and counted."""
    text = template.decode("latin-1") if isinstance(template, (bytes, bytearray)) else template
    if "%" not in text:
        return
    total = 0
    for width in re.findall(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?", text):
        for part in width:
            if part.isdigit():
                if len(part) > 8:
                    raise _too_long("the format pads to a width that is too large")
                total += int(part)
    if "*" in text:
        values = args if isinstance(args, tuple) else (args,)
        for v in values:
            if isinstance(v, int):
                if abs(v) > MAX_ITEMS:
                    raise _too_long("the format pads to a width that is too large")
                total += abs(v)
    if total > MAX_ITEMS:
        raise _too_long("the format pads to a width that is too large")
    charge(total, template)


def mod(left: Any, right: Any) -> Any:
    if isinstance(left, (str, bytes, bytearray)):
        _format_widths(left, right)
        check_text(right)
    else:
        operands(left, right)
    return left % right


def format_spec(spec: str) -> str:
    """The format spec of an f-string field (``f"{x:>{width}}"``), refused if it pads too far; the
    width is counted against the run, so thirty fields of 10,000,000 each stop too."""
    total = 0
    for digits in re.findall(r"\d+", spec):
        if len(digits) > 8:
            raise _too_long("the format pads to a width that is too large")
        total += int(digits)
    if total > MAX_ITEMS:
        raise _too_long("the format pads to a width that is too large")
    charge(total, spec)
    return spec


BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "*": mul, "**": power, "<<": lshift, "+": add, "//": floordiv, "%": mod,
}
INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": add, "*=": mul, "**=": power, "<<=": lshift, "//=": floordiv, "%=": mod,
    "-=": operator.isub, "/=": operator.itruediv, "|=": operator.ior, "&=": operator.iand,
    "^=": operator.ixor, ">>=": operator.irshift,
}


def guarded_divmod(left: Any, right: Any) -> Any:
    operands(left, right)
    return divmod(left, right)


def guarded_sum(values: Iterable[Any], start: Any = 0) -> Any:
    if not isinstance(start, (int, float, complex)):  # sum(lists, []) copies quadratically in C
        raise ScriptError("sum() adds numbers only in scripts; join lists with a comprehension")
    return sum(values, start)


# --- text made of containers ----------------------------------------------------------------------

_CONTAINERS = (list, tuple, dict, set, frozenset)


def text_size(value: Any, limit: int = MAX_ITEMS) -> int:
    """Roughly how many characters ``value`` prints as (or more than ``limit``, where it stops
    counting). Each distinct container is measured once, so a list holding the same big list a
    million times costs a million additions, not a million walks."""
    return measure(value, limit)[0]


def measure(value: Any, limit: int = MAX_ITEMS) -> tuple[int, int]:
    """``text_size(value)``, and how deeply containers nest in it (0 for a number or text), from
    the same walk; a container that contains itself counts as deep as it is printed (``[...]``)."""
    sizes: dict[int, tuple[int, int]] = {}
    opened: set[int] = set()  # containers being measured: one that contains itself prints as [...]
    pending: list[tuple[Any, bool]] = [(value, False)]
    while pending:
        item, children_done = pending.pop()
        key = id(item)
        if key in sizes or (key in opened and not children_done):
            continue
        if len(item) * 3 > limit:  # every item prints as at least "0, "
            return limit + 1, 0
        if not children_done:
            opened.add(key)
            pending.append((item, True))
            pushed: set[int] = set()
            for child in _children(item):
                if isinstance(child, _CONTAINERS) and id(child) not in sizes and id(child) not in pushed:
                    pushed.add(id(child))
                    pending.append((child, False))
            continue
        total = 2
        deepest = 0
        for child in _children(item):
            if isinstance(child, _CONTAINERS):
                size, depth = sizes.get(id(child), (0, 0))
                total += 2 + size
                deepest = depth if depth > deepest else deepest
            else:
                total += 2 + _leaf_size(child)
            if total > limit:
                return limit + 1, 0
        sizes[key] = (total, deepest + 1)
    return sizes.get(id(value), (0, 0)) if isinstance(value, _CONTAINERS) else (_leaf_size(value), 0)


def _children(item: Any) -> Iterable[Any]:
    # No generator of our own: each resumption would be a call event for the deadline's tracer.
    return chain.from_iterable(item.items()) if isinstance(item, dict) else item


def _leaf_size(value: Any) -> int:
    if isinstance(value, (str, bytes, bytearray)):
        return len(value)
    return 24  # a number, date or None prints in a few characters


def check_text(value: Any) -> Any:
    """``value`` unchanged, if its text would not be too long; a text's length (or what a
    container prints as) is counted against the run."""
    if isinstance(value, _CONTAINERS):
        check_measured(value)
    elif isinstance(value, (str, bytes, bytearray)):
        charge(len(value), value)
    return value


def check_measured(value: Any) -> int:
    """``check_text`` for a container, returning how deeply it nests."""
    size, depth = measure(value)
    if size > MAX_ITEMS:
        raise _too_long("as text (or as the JSON the case is saved as) the value would have more than "
                        f"{MAX_ITEMS:,} characters")
    charge(size, "")
    return depth


class _StrType(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, str)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, str)


class GuardedStr(str, metaclass=_StrType):
    """The sandbox's ``str``: ``str(value)`` checks the text's size first; ``isinstance(x, str)``
    and ``str.upper`` behave as usual."""

    def __new__(cls, *args: Any, **kwargs: Any) -> str:  # type: ignore[misc]  # a plain str, on purpose
        if args:
            check_text(args[0])
        return str(*args, **kwargs)


def guarded_repr(value: Any) -> str:
    return repr(check_text(value))


def guarded_json_dumps(value: Any, *args: Any, **kwargs: Any) -> str:
    return json.dumps(check_text(value), *args, **kwargs)
