"""A safe subset of FEEL (Camunda 8's expression language), translated to the Python our sandbox runs.

Camunda 8 maps write conditions and mappings as ``=expression``. No FEEL implementation on PyPI is
kept up and small enough to run inside our sandbox's limits, so the subset analysts use in
conditions is translated token by token into an equivalent Python expression, which then runs (and
is checked at upload) exactly like a SpiffArena condition: comparisons (``=`` is equality), ``and``,
``or``, ``not(...)``, arithmetic, string concatenation, literals (numbers, strings, ``true``,
``false``, ``null``), case variables and paths into them (``applicant.age``), and the functions in
``FUNCTIONS``. Anything else (``if``/``for``/``some``/``every``, ranges, lists, contexts, filters,
temporal literals, names with spaces, other functions) is refused with ``FeelUnsupported``, whose
message says ``FEEL expression '…' is not supported: <why>``, never a Python syntax error.
"""
from __future__ import annotations

import json
import re

from ..errors import UserError

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|!=|<=|>=|\.\.|[=<>+\-*/().,\[\]{}@:?])
""", re.VERBOSE)
_LITERALS = {"true": "True", "false": "False", "null": "None"}
_KEYWORDS = {"and": "and", "or": "or"}
_REFUSED_WORDS = {"if", "then", "else", "for", "in", "return", "some", "every", "satisfies", "between",
                  "instance", "of", "function", "is"}
# FEEL functions with a Python equivalent of the same meaning on the values a case holds.
FUNCTIONS = {"not": "not", "string": "str", "abs": "abs"}
_OPERATORS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "+": "+", "-": "-", "*": "*",
              "/": "/", "**": "**", "(": "(", ")": ")", ",": ","}
_REFUSED_OPS = {"..": "ranges", "[": "lists and filters", "]": "lists and filters", "{": "contexts",
                "}": "contexts", "@": "temporal literals", ":": "contexts", "?": "the '?' placeholder"}
MAX_LENGTH = 2000


class FeelUnsupported(UserError):
    def __init__(self, expression: str, why: str) -> None:
        shown = expression if len(expression) <= 80 else expression[:77] + "..."
        super().__init__(f"FEEL expression '{shown}' is not supported: {why}")


def is_feel(text: str | None) -> bool:
    return bool(text) and text.lstrip().startswith("=")  # type: ignore[union-attr]


def _tokens(expression: str, source: str) -> list[tuple[str, str]]:
    found, at = [], 0
    while at < len(source):
        match = _TOKEN.match(source, at)
        if match is None:
            raise FeelUnsupported(expression, f"it cannot be read at '{source[at:at + 10]}'")
        at = match.end()
        kind = match.lastgroup or ""
        if kind != "space":
            found.append((kind, match.group()))
    return found


def _name_or_function(expression: str, tokens: list[tuple[str, str]], i: int) -> tuple[str, int]:
    """The Python for the name at ``tokens[i]`` (a variable, a path into it, a literal, a keyword or a
    function call's name), and the index after it."""
    word = tokens[i][1]
    if word.startswith("_"):
        raise FeelUnsupported(expression, f"names starting with '_' ('{word}') are not allowed")
    if word in _LITERALS:
        return _LITERALS[word], i + 1
    if word in _KEYWORDS:
        return _KEYWORDS[word], i + 1
    if word in _REFUSED_WORDS:
        raise FeelUnsupported(expression, f"'{word}' expressions are not in the subset councilflow runs")
    following = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
    if following[0] == "name" and following[1] not in {*_KEYWORDS, *_LITERALS, *_REFUSED_WORDS}:
        two = f"{word} {following[1]}"
        if two in FUNCTIONS and i + 2 < len(tokens) and tokens[i + 2][1] == "(":
            return FUNCTIONS[two], i + 2
        raise FeelUnsupported(expression, f"names with spaces ('{two}') are not supported; use a name "
                                          "without spaces")
    if following[1] == "(":
        if word not in FUNCTIONS:
            raise FeelUnsupported(expression, f"the function '{word}' is not available (available: "
                                              f"{', '.join(sorted(FUNCTIONS))})")
        return FUNCTIONS[word], i + 1
    python, i = word, i + 1
    while i + 1 < len(tokens) and tokens[i][1] == "." and tokens[i + 1][0] == "name":
        if tokens[i + 1][1].startswith("_"):
            raise FeelUnsupported(expression, f"names starting with '_' ('{tokens[i + 1][1]}') are not allowed")
        python += f"[{json.dumps(tokens[i + 1][1])}]"  # a path into a context: the case holds a dict
        i += 2
    return python, i


def to_python(expression: str) -> str:
    """The Python equivalent of a FEEL expression (with or without its leading ``=``), or FeelUnsupported."""
    source = expression.strip()
    source = source[1:].strip() if source.startswith("=") else source
    if not source:
        raise FeelUnsupported(expression, "it is empty")
    if len(source) > MAX_LENGTH:
        raise FeelUnsupported(expression, f"it is longer than {MAX_LENGTH} characters")
    tokens, out, i = _tokens(expression, source), [], 0
    while i < len(tokens):
        kind, text = tokens[i]
        if kind == "name":
            python, i = _name_or_function(expression, tokens, i)
            out.append(python)
            continue
        if kind in ("number", "string"):
            out.append(text)
        elif text in _REFUSED_OPS:
            raise FeelUnsupported(expression, f"{_REFUSED_OPS[text]} are not in the subset councilflow runs")
        elif text == ".":
            raise FeelUnsupported(expression, "a path must follow a name")
        else:
            out.append(_OPERATORS[text])
        i += 1
    python = " ".join(out).replace("( ", "(").replace(" )", ")")
    return re.sub(r"\b(str|abs) \(", r"\1(", python)
