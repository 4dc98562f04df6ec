"""Task instructions (``instructionsForEndUser`` or ``bpmn:documentation``): the advisor's call
script, written by analysts as Jinja + Markdown with the case data as variables.

The Jinja runs in an immutable sandbox (no ``_`` attributes, no mutating methods, no unsafe
calls); a variable that is missing renders as nothing; every value printed is Markdown-escaped so
a resident's answer can never become a link or heading; the Markdown allows no raw HTML. A script
that fails to render is shown as written rather than breaking the page.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from jinja2 import ChainableUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

logger = logging.getLogger(__name__)

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&])")
_CLASSES = {
    "paragraph_open": "govuk-body", "bullet_list_open": "govuk-list govuk-list--bullet",
    "ordered_list_open": "govuk-list govuk-list--number", "link_open": "govuk-link",
    "blockquote_open": "govuk-inset-text", "table_open": "govuk-table",
}
_HEADINGS = {"h1": "govuk-heading-m", "h2": "govuk-heading-m", "h3": "govuk-heading-s"}


def _escape_markdown(value: Any) -> str:
    """Output of ``{{ ... }}``: literal text in the Markdown that follows."""
    if value is None:
        return ""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))


_jinja = ImmutableSandboxedEnvironment(undefined=ChainableUndefined, autoescape=False, finalize=_escape_markdown)
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def _style(tokens: list[Token]) -> None:
    """GOV.UK typography classes on what Markdown produced."""
    for token in tokens:
        css = _HEADINGS.get(token.tag) if token.type == "heading_open" else _CLASSES.get(token.type)
        if css:
            token.attrSet("class", css)
        if token.children:
            _style(token.children)


def _markdown_html(text: str) -> Markup:
    tokens = _markdown.parse(text)
    _style(tokens)
    return Markup(_markdown.renderer.render(tokens, _markdown.options, {}))  # html disabled: escaped


def render_instructions(text: str | None, data: Mapping[str, Any]) -> Markup:
    """The instructions as safe HTML, with the case data filled in."""
    if not text or not text.strip():
        return Markup("")
    try:
        script = _jinja.from_string(text).render({k: v for k, v in data.items() if isinstance(k, str)})
    except Exception:  # noqa: BLE001 - an analyst's template mistake must not stop the call
        logger.warning("Instructions could not be rendered; showing them as written", exc_info=True)
        script = text
    return _markdown_html(script)
