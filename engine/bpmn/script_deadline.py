"""The sandbox's deadline: a script (or a call script's template) that runs too long is stopped.

A tracer checks the clock at every opcode of the watched code and at every call it makes into Python.
Stopping must hold whatever the script does, so three things are closed off:

* CPython turns a tracer off for good once it raises. The stop is therefore ``Stopped``, a
  ``BaseException`` scripts cannot catch: ``except Exception`` lets it through, a bare ``except:`` is
  compiled as ``except Exception:`` and the ``BaseException`` family is not among scripts' names
  (``engine.bpmn.scripting``). A ``finally:`` block, which would run untraced after the stop, starts
  with ``check()``, which stops it again.
* The garbage collector runs weak-reference callbacks and ``__del__`` methods inside whatever frame is
  current, the script's too. An error raised there is printed and dropped, which would both switch
  the tracer off and leave the script running with no deadline: the clock is not checked in them,
  and the script's next step stops it.
* A run inside a run (a script's expression evaluated by a helper) keeps the outer deadline's place.
"""
from __future__ import annotations

import _weakrefset
import decimal
import sys
import threading
import time
import weakref
from collections.abc import Callable
from types import FrameType
from typing import Any

from ..errors import ScriptError
from . import script_limits

DEFAULT_TIME_LIMIT_S = 2.0

_COLLECTOR_CALLBACKS = frozenset({weakref.__file__, _weakrefset.__file__})
_current = threading.local()  # the deadline of the run in progress on this thread


class Stopped(BaseException):
    """The deadline passed (turned into a ScriptError where the run ends)."""


def check() -> None:
    """Stop now if the run in progress is past its deadline (the start of every ``finally:`` block)."""
    deadline: Deadline | None = getattr(_current, "deadline", None)
    if deadline is not None and time.monotonic() > deadline.until:
        raise Stopped


class Deadline:
    """Stops runaway scripts (``while True: pass``) by checking the clock on every line."""

    def __init__(self, seconds: float, watched: str = "<script>") -> None:
        self.until = time.monotonic() + seconds
        self.seconds = seconds
        self.watched = watched

    def _trace(self, frame: FrameType, event: str, arg: Any) -> Callable[[FrameType, str, Any], Any] | None:
        code = frame.f_code
        # Checked first, so that each call a script makes into the engine's own Python (a guard,
        # ``str``) is a chance to stop it too, e.g. in ``list(map(str, rows))``.
        if time.monotonic() > self.until and code.co_filename not in _COLLECTOR_CALLBACKS \
                and code.co_name != "__del__":
            raise Stopped
        if event == "call":
            if code.co_filename != self.watched:
                return None  # only the map's own code is watched line by line
            # A one-line loop (``while True: pass``) emits no line events, so watch opcodes.
            frame.f_trace_opcodes = True
        return self._trace

    def run(self, fn: Callable[[], Any], then: Callable[[], None] | None = None) -> Any:
        """``fn()`` under the deadline; ``then()`` after it, counted in the same run but untraced."""
        with script_limits.metered(), decimal.localcontext(script_limits.DECIMAL_CONTEXT):  # untraced: faster
            outer, _current.deadline = getattr(_current, "deadline", None), self
            previous = sys.gettrace()
            sys.settrace(self._trace)
            try:
                result = fn()
            except Stopped:
                raise ScriptError(f"the script ran for more than {self.seconds:g} seconds and was stopped") from None
            finally:
                sys.settrace(previous)
                _current.deadline = outer
            if then is not None:
                then()
            return result


def run_bounded(fn: Callable[[], Any], seconds: float = DEFAULT_TIME_LIMIT_S, watched: str = "<script>") -> Any:
    """Run ``fn`` under the sandbox's deadline (watching code compiled as ``watched``) and with the
    size guards counting what it builds; for other sandboxes, such as the call scripts' Jinja."""
    return Deadline(seconds, watched).run(fn)
