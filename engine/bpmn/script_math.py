"""``math`` for scripts: the functions that build big integers refuse a result that would be too large
before computing it (``math.factorial(10**6)`` runs for seconds in C and cannot be interrupted);
the limit is ``script_limits.MAX_INT_BITS``."""
from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

from .script_limits import MAX_INT_BITS, bits, operands, too_big


def _factorial(n: int) -> int:
    if isinstance(n, int) and n > 1 and n * n.bit_length() > MAX_INT_BITS:
        raise too_big(f"factorial({n:,}) would be too large")
    return math.factorial(n)


def _comb(n: int, k: int) -> int:
    if isinstance(n, int) and isinstance(k, int) and 0 <= k <= n:
        if min(k, n - k) * n.bit_length() > MAX_INT_BITS:
            raise too_big(f"comb({n:,}, {k:,}) would be too large")
    return math.comb(n, k)


def _perm(n: int, k: int | None = None) -> int:
    if isinstance(n, int) and (k is None or isinstance(k, int)):
        if (n if k is None else min(k, n)) * n.bit_length() > MAX_INT_BITS:
            raise too_big(f"perm({n:,}) would be too large")
    return math.perm(n, k)


def _growing(fn: Callable[..., int]) -> Callable[..., int]:
    """prod() and lcm(): the result has at most the sum of the operands' bits."""
    def guarded(*args: Any, **kwargs: Any) -> int:
        values = list(args[0]) if fn is math.prod else list(args)
        if sum(bits(v) for v in values) > MAX_INT_BITS:
            raise too_big(f"{fn.__name__}() would be too large")
        return fn(values, **kwargs) if fn is math.prod else fn(*values)
    guarded.__name__ = fn.__name__
    return guarded


def _bigoperands(fn: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any) -> Any:
        operands(*args)
        return fn(*args)
    guarded.__name__ = fn.__name__
    return guarded


def guarded_math() -> ModuleType:
    """A copy of ``math`` whose big-integer functions refuse results that are too large."""
    module = ModuleType("math")
    for name in dir(math):
        if not name.startswith("_"):
            setattr(module, name, getattr(math, name))
    guarded: dict[str, Callable[..., Any]] = {
        "factorial": _factorial, "comb": _comb, "perm": _perm,
        "prod": _growing(math.prod), "lcm": _growing(math.lcm),
        "gcd": _bigoperands(math.gcd), "isqrt": _bigoperands(math.isqrt),
        "pow": math.pow,  # floats: overflows at once
    }
    for name, fn in guarded.items():
        setattr(module, name, fn)
    return module
