"""Markdown written by staff (analysts' call scripts, the directory's guidance and public information)
as GOV.UK-styled HTML. Raw HTML is never passed through: MarkdownIt runs with ``html`` off, so a
``<script>`` in the text is shown as text, and links get no ``javascript:`` (MarkdownIt's own check)."""
from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

_CLASSES = {
    "paragraph_open": "govuk-body", "bullet_list_open": "govuk-list govuk-list--bullet",
    "ordered_list_open": "govuk-list govuk-list--number", "link_open": "govuk-link",
    "blockquote_open": "govuk-inset-text", "table_open": "govuk-table",
}
_HEADINGS = {"h1": "govuk-heading-m", "h2": "govuk-heading-m", "h3": "govuk-heading-s"}
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def _style(tokens: list[Token]) -> None:
    """GOV.UK typography classes on what Markdown produced."""
    for token in tokens:
        css = _HEADINGS.get(token.tag) if token.type == "heading_open" else _CLASSES.get(token.type)
        if css:
            token.attrSet("class", css)
        if token.children:
            _style(token.children)


def markdown_html(text: str | None) -> Markup:
    """``text`` as safe HTML (html disabled: any markup in it is escaped)."""
    if not text or not text.strip():
        return Markup("")
    tokens = _markdown.parse(text)
    _style(tokens)
    return Markup(_markdown.renderer.render(tokens, _markdown.options, {}))
