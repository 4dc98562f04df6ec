"""Task instructions (``instructionsForEndUser`` or ``bpmn:documentation``): the advisor's call
script, written by analysts as Jinja + Markdown with the case data as variables.

The Jinja runs in an immutable sandbox (no ``_`` attributes, no mutating methods, no unsafe
calls); a variable that is missing renders as nothing; every value printed is Markdown-escaped so
a resident's answer can never become a link or heading; the Markdown allows no raw HTML. A script
that fails to render is shown as written rather than breaking the page.

The Jinja is held to the limits of the script sandbox (``engine.bpmn.script_limits``): ``*``, ``**``,
``+``, ``//`` and ``%`` and the padding, joining and replacing methods and filters refuse a result
that would be too large before computing it, as do ``~`` and the text printed (counted as it is
produced, not only at the end); the rendering runs under the sandbox's deadline, and
only the ``range`` and ``dict`` globals are offered (``lipsum`` and ``namespace`` could build text
without limit). A call script longer than ``MAX_INSTRUCTIONS`` characters is not rendered at all.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from jinja2 import ChainableUndefined, nodes, pass_environment, pass_eval_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from engine import bpmn
from engine.bpmn import run_bounded

from ..markdown import markdown_html

logger = logging.getLogger(__name__)

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&])")
_ESCAPE_PIECE = 1 << 16  # characters escaped per regex call (each special one is a single character)


def _escape_markdown(value: Any) -> str:
    """Output of ``{{ ... }}``: literal text in the Markdown that follows. Each piece is counted
    against the rendering's run as it is produced (escaping may double it), so a loop printing a
    big text stops as the output grows rather than at the final length check."""
    if value is None:
        return ""
    text = str(bpmn.check_text(value))
    # A piece at a time: one regex call holds the GIL until it ends (80 ms for a 10 MB text, which a call
    # script may print again and again until the run's limit stops it), and every other request waits.
    escaped = "".join(_MARKDOWN_SPECIAL.sub(r"\\\1", text[start:start + _ESCAPE_PIECE])
                      for start in range(0, len(text), _ESCAPE_PIECE))
    bpmn.charge(len(escaped), escaped)
    return escaped


MAX_INSTRUCTIONS = 100_000  # characters, before and after filling in: Markdown parsing is not bounded
_TEMPLATE = "<template>"  # the file name Jinja compiles from_string templates under
_NESTED_FIELD = re.compile(r"\{[^{}]*:[^{}]*\{")


class _GuardedCodeGenerator(CodeGenerator):
    """``a ~ b ~ c`` compiles to a call of ``environment.concat`` (Jinja's own ``str_join`` counts
    nothing), so forty copies of a 10 MB text are refused before they are joined; and a slice
    ``a[1:]`` (which Jinja indexes directly) to ``environment.getitem``, which counts the copy."""

    def visit_Getitem(self, node: nodes.Getitem, frame: Frame) -> None:
        if not isinstance(node.arg, nodes.Slice):
            super().visit_Getitem(node, frame)
            return
        self.write("environment.getitem(")
        self.visit(node.node, frame)
        self.write(", slice(")
        for part in (node.arg.start, node.arg.stop, node.arg.step):
            if part is None:
                self.write("None")
            else:
                self.visit(part, frame)
            self.write(", ")
        self.write("))")

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _CallScriptEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with the script sandbox's size guards."""

    intercepted_binops = frozenset(bpmn.BINARY)
    code_generator_class = _GuardedCodeGenerator

    @staticmethod
    def concat(values: tuple[Any, ...]) -> str:
        parts = [v if isinstance(v, str) else str(bpmn.check_text(v)) for v in values]
        bpmn.charge(sum(map(len, parts)), "")
        return "".join(parts)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        return bpmn.BINARY[operator](left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        return bpmn.sized_method(obj, attribute, super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        bpmn.check_slice(obj, argument)
        value = super().getitem(obj, argument)
        return bpmn.sized_method(obj, argument, value) if isinstance(argument, str) else value

    def wrap_str_format(self, value: Any) -> Any:
        formatter = super().wrap_str_format(value)
        if formatter is None:
            return None
        template = value.__self__

        def checked(*args: Any, **kwargs: Any) -> str:
            bpmn.format_spec(template)  # "{:10000000000}".format(1)
            if _NESTED_FIELD.search(template):  # "{:{}}".format(1, 10**10): the width is an argument
                values = [*args, *kwargs.values(), *(args[0].values() if args and isinstance(args[0], dict) else ())]
                for width in values:
                    if isinstance(width, int) or (isinstance(width, str) and len(width) < 32):
                        bpmn.format_spec(str(width))
            return formatter(*args, **kwargs)
        return checked

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        # A macro that calls itself with its argument doubled (``f(s ~ s)``) grows text by
        # concatenation, which Jinja cannot intercept; refuse the call once the text is too long.
        for value in (*args, *kwargs.values()):
            if isinstance(value, (str, list, tuple)):
                bpmn.charge(len(value), value)
        return super().call(__context, __obj, *args, **kwargs)


def _guarded_filters(filters: dict[str, Any]) -> None:
    """The filters whose output can outgrow their input check its size first."""
    center, indent, replace, join = filters["center"], filters["indent"], filters["replace"], filters["join"]
    batch, slice_, total = filters["batch"], filters["slice"], filters["sum"]
    sort, dictsort = filters["sort"], filters["dictsort"]

    def do_center(value: Any, width: int = 80) -> str:
        bpmn.check_method(str(value), "center", width)
        return center(value, width)

    def do_indent(s: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
        text = str(s)
        pad = len(width) if isinstance(width, str) else width
        bpmn.charge(len(text) + max(pad, 0) * (text.count("\n") + 1), text)
        return indent(s, width, first, blank)

    @pass_eval_context
    def do_replace(eval_ctx: Any, s: Any, old: str, new: str, count: int | None = None) -> str:
        bpmn.check_method(str(s), "replace", str(old), str(new), -1 if count is None else count)
        return replace(eval_ctx, s, old, new, count)

    @pass_eval_context
    def do_join(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> str:
        items = list(value)
        if attribute is None:
            bpmn.check_method(d, "join", [i for i in items if isinstance(i, str)])
        return join(eval_ctx, items, d, attribute)

    def do_format(value: Any, *args: Any, **kwargs: Any) -> str:
        return bpmn.mod(str(value), kwargs or args)

    def do_batch(value: Any, linecount: int, fill_with: Any = None) -> Any:
        bpmn.charge(linecount, [])
        return batch(value, linecount, fill_with)

    @pass_eval_context
    def do_slice(eval_ctx: Any, value: Any, slices: int, fill_with: Any = None) -> Any:
        bpmn.charge(slices, [])
        return slice_(eval_ctx, value, slices, fill_with)

    @pass_environment
    def do_sum(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
        bpmn.guarded_sum([], start)
        return total(environment, iterable, attribute, start)

    # Copies of an allowed big value, each one C call: counted as the script sandbox's list() is.
    def do_list(value: Any) -> list[Any]:
        return bpmn.GuardedList(value)

    @pass_environment
    def do_sort(environment: Any, value: Any, *args: Any, **kwargs: Any) -> list[Any]:
        return sort(environment, bpmn.counted(value), *args, **kwargs)

    def do_dictsort(value: Any, *args: Any, **kwargs: Any) -> list[Any]:
        bpmn.counted(value, item_bytes=64)
        return dictsort(value, *args, **kwargs)

    filters.update(list=do_list, sort=do_sort, dictsort=do_dictsort)
    filters.update(center=do_center, indent=do_indent, replace=do_replace, join=do_join, format=do_format,
                   batch=do_batch, slice=do_slice, sum=do_sum)


_jinja = _CallScriptEnvironment(undefined=ChainableUndefined, autoescape=False, finalize=_escape_markdown)
_jinja.globals = {"range": _jinja.globals["range"], "dict": bpmn.GuardedDict}
_guarded_filters(_jinja.filters)


def render_instructions(text: str | None, data: Mapping[str, Any]) -> Markup:
    """The instructions as safe HTML, with the case data filled in."""
    if not text or not text.strip():
        return Markup("")
    if len(text) > MAX_INSTRUCTIONS:
        return markdown_html(f"The call script is longer than {MAX_INSTRUCTIONS:,} characters and is not shown.")
    values = {k: v for k, v in data.items() if isinstance(k, str)}
    try:
        script = run_bounded(lambda: _jinja.from_string(text).render(values), watched=_TEMPLATE)
        if len(script) > MAX_INSTRUCTIONS:
            raise ValueError(f"the filled-in call script is longer than {MAX_INSTRUCTIONS:,} characters")
    except Exception as err:  # noqa: BLE001 - an analyst's template mistake must not stop the call
        logger.warning("Instructions could not be rendered; showing them as written", exc_info=True)
        notice = _escape_markdown(f"This call script could not be filled in with the case data ({err}); it is "
                                  f"shown as written.")
        return markdown_html(f"{notice}\n\n{text}")
    return markdown_html(script)
