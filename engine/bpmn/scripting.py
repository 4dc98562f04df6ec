"""The script sandbox: every script, condition and expression in an uploaded map runs here.

SpiffWorkflow's default engine ``exec``s arbitrary Python as the server user. Ours compiles with
RestrictedPython (no imports, no names or attributes starting with ``_``, no file or network
builtins), runs under a wall-clock deadline, and reports adapter errors truthfully instead of
SpiffWorkflow 3.2's ``NameError: name 'script' is not defined``.
"""
from __future__ import annotations

import ast
import datetime as _dt
import decimal
import json
import re
import time
from collections.abc import Callable
from functools import lru_cache
from types import CodeType, FunctionType, ModuleType
from typing import Any, Literal, cast

from RestrictedPython.compile import compile_restricted
from RestrictedPython.Guards import (full_write_guard, guarded_iter_unpack_sequence,
                                     guarded_unpack_sequence, safe_builtins, safer_getattr)
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task as SpiffTask

from ..casework.casedata import MAX_DEPTH
from ..errors import ScriptError
from . import data_stores, script_copies, script_deadline, script_helpers, script_limits, script_math, timer_limits
from .script_deadline import DEFAULT_TIME_LIMIT_S, Deadline


# Camunda Modeler users write timer expressions unquoted (P5D, PT4H, R3/PT1H, 2026-01-05T09:00Z);
# SpiffWorkflow evaluates them as Python. A bare ISO 8601 token is taken as the string it spells.
_ISO8601 = re.compile(
    r"(R\d*/)?(P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
    r"|\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)"
    r"(/(P[0-9YMWDTHS.]+|\d{4}-[0-9T:.Z+-]+))?")


def iso8601_literal(expression: str) -> str | None:
    """The ISO 8601 duration/date/cycle an unquoted timer expression spells, if it is one."""
    text = expression.strip()
    return text if text and _ISO8601.fullmatch(text) else None


def _inplace(op: str, left: Any, right: Any) -> Any:
    guard = script_limits.INPLACE.get(op)
    if guard is None:
        raise ScriptError(f"The operator {op} is not allowed in scripts")
    return guard(left, right)


# Operators whose result can outgrow their operands; each becomes a call to its guard.
_GUARDED_OPS: dict[type[ast.operator], str] = {
    ast.Mult: "_guard_mul_", ast.Pow: "_guard_pow_", ast.LShift: "_guard_lshift_", ast.Add: "_guard_add_",
    ast.FloorDiv: "_guard_floordiv_", ast.Mod: "_guard_mod_",
}


# Exceptions that are not errors: a script that could name one could catch the deadline's stop.
_NOT_ERRORS = ("BaseException", "GeneratorExit", "KeyboardInterrupt", "SystemExit")


class _SizeGuardingPolicy(RestrictingNodeTransformer):
    """RestrictedPython's rules, plus: guarded operators and f-string widths call ``script_limits``, and
    handlers and ``finally:`` blocks check the deadline (``engine.bpmn.script_deadline``).

    The rewrite also means CPython's compiler folds no constant expression of these operators, so
    compiling ``7 ** (10 ** 7)`` at upload costs nothing either."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        guard = _GUARDED_OPS.get(type(node.op))
        if guard is None or self._cannot_grow(node):
            return node
        call = ast.Call(func=ast.Name(guard, ast.Load()), args=[node.left, node.right], keywords=[])
        return ast.fix_missing_locations(ast.copy_location(call, node))

    @staticmethod
    def _cannot_grow(node: ast.BinOp) -> bool:
        """``count + 1``, ``n // 2``: with a number on either side, ``+`` and ``//`` cannot build a
        large value (a sequence plus a number is a TypeError), so the guard's cost is saved."""
        numbers = [isinstance(side, ast.Constant) and isinstance(side.value, (int, float))
                   and not isinstance(side.value, bool) and abs(side.value) < 2**64
                   for side in (node.left, node.right)]
        return isinstance(node.op, (ast.Add, ast.FloorDiv)) and any(numbers)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in _NOT_ERRORS:
            self.error(node, f"{node.id} cannot be used in scripts; catch Exception (or a named error) instead")
        return cast(ast.AST, super().visit_Name(node))  # a new node for ``print`` and ``printed``

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.AST:
        """A bare ``except:`` catches what ``except Exception:`` does, never the deadline's stop; and what a
        handler names is looked up only after the deadline is checked (``except no_such_name:`` would
        otherwise turn the stop into a NameError an outer ``except Exception`` could catch)."""
        if node.type is None:
            node.type = ast.copy_location(ast.Name("Exception", ast.Load()), node)
        super().visit_ExceptHandler(node)
        check = ast.Call(func=ast.Name("_guard_deadline_", ast.Load()), args=[], keywords=[])
        node.type = ast.fix_missing_locations(ast.copy_location(ast.BoolOp(ast.Or(), [check, node.type]), node.type))
        return node

    def visit_Try(self, node: ast.Try) -> ast.AST:
        """A ``finally:`` block checks the deadline first: after the stop it would run untraced."""
        super().visit_Try(node)
        if node.finalbody:
            check = ast.Expr(ast.Call(func=ast.Name("_guard_deadline_", ast.Load()), args=[], keywords=[]))
            node.finalbody.insert(0, ast.fix_missing_locations(ast.copy_location(check, node.finalbody[0])))
        return node

    def visit_Starred(self, node: ast.Starred) -> ast.AST:
        """``[*a]``, ``{*a}`` and ``f(*a)`` copy ``a``: counted like ``list(a)``."""
        node = self.node_contents_visit(node)
        node.value = ast.fix_missing_locations(ast.copy_location(
            ast.Call(func=ast.Name("_guard_spread_", ast.Load()), args=[node.value], keywords=[]), node.value))
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        node = self.node_contents_visit(node)
        node.value = ast.fix_missing_locations(ast.copy_location(
            ast.Call(func=ast.Name("_guard_text_", ast.Load()), args=[node.value], keywords=[]), node.value))
        if node.format_spec is not None:
            check = ast.Call(func=ast.Name("_guard_format_spec_", ast.Load()), args=[node.format_spec],
                             keywords=[])
            node.format_spec = ast.JoinedStr(values=[ast.FormattedValue(value=check, conversion=-1)])
            ast.fix_missing_locations(ast.copy_location(node.format_spec, node))
        return node


MAX_RANGE = 1_000_000


def _bounded_range(*args: int) -> range:
    # C-level loops cannot be interrupted by the deadline, so refuse absurd ranges up front.
    span = range(*args)
    if len(span) > MAX_RANGE:
        raise ScriptError(f"range() is limited to {MAX_RANGE:,} items in scripts")
    return span


class SafeModule:
    """A read-only stand-in for a module analysts expect (``time``, ``decimal``, ``json``): only the
    members listed are there; scripts can neither import the real module nor replace a member."""

    __slots__ = ("_module", "_members")

    def __init__(self, module: str, **members: Any) -> None:
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "_members", members)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._members[name]
        except KeyError:
            raise AttributeError(f"{self._module}.{name} is not available in scripts") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise ScriptError(f"{self._module}.{name} cannot be changed in scripts")

    def __repr__(self) -> str:
        return f"<{self._module} for scripts: {', '.join(sorted(self._members))}>"


def _decimal(value: Any = "0") -> decimal.Decimal:
    """``Decimal(x)`` for scripts: made in the capped context, so a huge exponent is refused."""
    try:
        return script_limits.DECIMAL_CONTEXT.create_decimal(value)
    except decimal.DecimalException as err:
        raise ScriptError(f"Decimal({script_limits.guarded_repr(value)[:40]}) is out of range for scripts") from err


def _modules() -> dict[str, SafeModule]:
    rounding = {name: getattr(decimal, name) for name in (
        "ROUND_HALF_UP", "ROUND_HALF_EVEN", "ROUND_HALF_DOWN", "ROUND_UP", "ROUND_DOWN", "ROUND_CEILING",
        "ROUND_FLOOR")}
    return {
        "time": SafeModule("time", time=time.time, gmtime=time.gmtime, localtime=time.localtime,
                           mktime=time.mktime, strftime=time.strftime, strptime=time.strptime),
        "decimal": SafeModule("decimal", Decimal=_decimal, InvalidOperation=decimal.InvalidOperation, **rounding),
        "json": SafeModule("json", dumps=script_limits.guarded_json_dumps, loads=json.loads),
    }


def _builtins() -> dict[str, Any]:
    allowed = {name: value for name, value in safe_builtins.items() if name not in _NOT_ERRORS}
    for fn in (min, max, sum, any, all, sorted, enumerate, list, dict, set, frozenset, reversed,
               map, filter):
        allowed[fn.__name__] = fn
    allowed["range"] = _bounded_range
    allowed.update(pow=script_limits.power, divmod=script_limits.guarded_divmod, sum=script_limits.guarded_sum,
                   str=script_limits.GuardedStr, repr=script_limits.guarded_repr)
    # Copies of an allowed big value are counted too: ``[list(a) for i in range(15)]``.
    allowed.update(list=script_copies.GuardedList, dict=script_copies.GuardedDict, set=script_copies.GuardedSet,
                   frozenset=script_copies.GuardedFrozenset, sorted=script_copies.guarded_sorted)
    allowed.update(math=script_math.guarded_math(), json_dumps=script_limits.guarded_json_dumps,
                   json_loads=json.loads,
                   datetime=_dt.datetime, date=_dt.date, timedelta=_dt.timedelta, timezone=_dt.timezone)
    allowed.update(_modules(), Decimal=_decimal)
    return allowed


def _getattr(obj: Any, name: str, default: Any = None) -> Any:
    found = safer_getattr(obj, name, default)  # type: ignore[no-untyped-call]  # RestrictedPython leaves it unannotated
    return script_copies.sized_method(obj, name, found)


_GUARDS: dict[str, Any] = {
    "__builtins__": _builtins(),
    "_getattr_": _getattr,
    "_getitem_": script_copies.guarded_getitem,
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplace,
    "_print_": PrintCollector,
    "_guard_mul_": script_limits.mul, "_guard_pow_": script_limits.power, "_guard_lshift_": script_limits.lshift,
    "_guard_add_": script_limits.add, "_guard_floordiv_": script_limits.floordiv, "_guard_mod_": script_limits.mod,
    "_guard_format_spec_": script_limits.format_spec, "_guard_text_": script_limits.check_text,
    "_guard_spread_": script_copies.spread, "_guard_deadline_": script_deadline.check,
}


ScriptMode = Literal["exec", "eval"]  # a script, or an expression (a condition, a parameter...)


@lru_cache(maxsize=4096)
def compile_sandboxed(source: str, mode: ScriptMode) -> CodeType:
    """Compile under the sandbox's rules; raises ScriptError with the reason in plain English."""
    try:
        tree = ast.parse(source, mode=mode)
        if any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in ast.walk(tree)):
            raise ScriptError("imports are not allowed in scripts")
        return compile_restricted(source, filename="<script>", mode=mode, policy=_SizeGuardingPolicy)
    except SyntaxError as err:
        raw = err.msg if hasattr(err, "msg") else err
        # RestrictedPython reports its refusals as a tuple of messages.
        reason = "; ".join(map(str, raw)) if isinstance(raw, (tuple, list)) else str(raw)
        raise ScriptError(_explain(reason)) from None


def _explain(reason: str) -> str:
    reason = reason.replace("\n", " ").strip()
    if "invalid variable name" in reason or "is an invalid attribute name" in reason:
        return f"names that start with an underscore are not allowed ({reason})"
    if "import" in reason.lower():
        return "imports are not allowed in scripts"
    return reason


def sandbox_problem(source: str, mode: ScriptMode) -> str | None:
    """For the linter: why this script or expression would be refused, or None if it is fine."""
    try:
        compile_sandboxed(source, mode)
    except ScriptError as err:
        return err.message
    return None


def _is_data(value: Any) -> bool:
    return not isinstance(value, (FunctionType, ModuleType, type, PrintCollector)) and not callable(value)


class SandboxEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]  # SpiffWorkflow is untyped: Any
    """Runs expressions and scripts against task data inside the sandbox."""

    def __init__(self, time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> None:
        super().__init__({})
        self.time_limit_s = time_limit_s

    def _globals(self, context: dict[str, Any], external_context: dict[str, Any] | None) -> dict[str, Any]:
        scope = dict(_GUARDS)
        scope.update(external_context or {})
        scope.update(context)
        return scope

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        literal = iso8601_literal(expression)
        if literal is not None and literal not in context:
            return literal
        code = compile_sandboxed(expression.strip(), "eval")
        scope = self._globals(context, external_context)
        return Deadline(self.time_limit_s).run(lambda: eval(code, scope))  # noqa: S307 - sandboxed

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        code = compile_sandboxed(script, "exec")
        scope = self._globals(context, external_context)
        before = set(scope)
        Deadline(self.time_limit_s).run(lambda: exec(code, scope),  # noqa: S102 - sandboxed
                                         then=lambda: self._keep(scope, before, context))
        return True

    @staticmethod
    def _keep(scope: dict[str, Any], before: set[str], context: dict[str, Any]) -> None:
        """Copy what the script left behind into the task data, once all of it is known to be savable."""
        kept: dict[str, Any] = {}
        for name, value in scope.items():
            if name in _GUARDS or name.startswith("_"):
                continue
            if (name in context or name not in before) and _is_data(value):
                # [rows] * 10**6 is small in memory but huge as the JSON the case is saved as; a
                # list nested 700 deep saves, but SpiffWorkflow cannot load the case again.
                if isinstance(value, (list, tuple, dict, set, frozenset)):
                    if script_limits.check_measured(value) > MAX_DEPTH:
                        raise ScriptError(f"the script left {name} nested more than {MAX_DEPTH} levels deep; "
                                          f"case data may be nested at most {MAX_DEPTH} levels")
                elif isinstance(value, (str, bytes)):
                    script_limits.check_text(value)
                elif isinstance(value, decimal.Decimal):
                    raise ScriptError(f"the script left {name} as a Decimal, which case data cannot hold; "
                                      f"keep str({name}) or float({name})")
                kept[name] = value
        for name in set(context) - set(scope):
            del context[name]
        context.update(kept)


ServiceHandler = Callable[[Any, str, dict[str, Any]], Any]


class SandboxScriptEngine(PythonScriptEngine):  # type: ignore[misc]  # SpiffWorkflow is untyped: Any
    """SpiffWorkflow script engine bound to the sandbox and to our service-call handler."""

    def __init__(self, services: ServiceHandler | None = None,
                 time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> None:
        super().__init__(environment=SandboxEnvironment(time_limit_s))
        self.services = services

    def validate(self, expression: str) -> None:
        compile_sandboxed(expression, "exec")

    def execute(self, task: SpiffTask, script: str, external_context: dict[str, Any] | None = None) -> bool:
        return bool(super().execute(task, script, {**script_helpers.functions(task), **data_stores.getters(task),
                                                   **(external_context or {})}))

    def evaluate(self, task: SpiffTask, expression: str,
                 external_context: dict[str, Any] | None = None) -> Any:
        external_context = {**script_helpers.functions(task), **(external_context or {})}
        try:
            value = self.environment.evaluate(expression, task.data, external_context)
        except ScriptError as err:
            # SpiffWorkflow's own evaluate keeps only the error's type, not why the sandbox refused.
            raise WorkflowTaskException(f"Error evaluating expression '{expression}': {err.message}",
                                        task=task, exception=err) from err
        except SpiffWorkflowException as err:
            err.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as err:  # as SpiffWorkflow's own evaluate reports it ("did you mean" for names)
            raise WorkflowTaskException(f"Error evaluating expression '{expression}'", task=task,
                                        exception=err) from err
        # A cycle timer computed from case data is held to the same minimum interval as one
        # written in the map (the linter refuses those at upload).
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, CycleTimerEventDefinition) and isinstance(value, str) \
                and (problem := timer_limits.cycle_problem(value)) is not None:
            raise WorkflowTaskException(problem, task=task)
        return value

    def call_service(self, task: SpiffTask, operation_name: str = "",
                     operation_params: dict[str, dict[str, Any]] | None = None, **kwargs: Any) -> str:
        if self.services is None:
            raise WorkflowTaskException(
                f"No adapter is configured to run the service operation '{operation_name}'", task=task)
        params = {name: spec.get("value") for name, spec in (operation_params or {}).items()}
        try:
            return json.dumps(self.services(task, operation_name, params))
        except Exception as err:  # reported as it is, never masked
            raise WorkflowTaskException(
                f"Service operation '{operation_name}' failed: {type(err).__name__}: {err}",
                task=task, exception=err) from err
