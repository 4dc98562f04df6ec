"""Hardened XML parsing for uploaded BPMN and DMN: no DTDs, no entities, no network, bounded size; and
no markup a web browser would run if someone opened the file (see ``active_markup``)."""
from __future__ import annotations

import re

from lxml import etree

from ..errors import Problem

MAX_BYTES = 10 * 1024 * 1024
_DTD_REASON = ("the file declares a DOCTYPE or entities, which are not allowed in uploaded maps (they can "
               "be used to read files on the server)")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_pis=True)


def _dtd_line(content: bytes) -> int | None:
    """The line of the first DOCTYPE or ENTITY declaration, if the bytes show one (UTF-8 and kin)."""
    upper = content.upper()
    found = [at for at in (upper.find(b"<!DOCTYPE"), upper.find(b"<!ENTITY")) if at >= 0]
    return content[: min(found)].count(b"\n") + 1 if found else None


def parse_xml(filename: str, content: bytes) -> tuple[etree._Element | None, list[Problem]]:
    """Parse untrusted XML; return the root element, or the problems that stop us using it."""
    if len(content) > MAX_BYTES:
        return None, [Problem(filename, None, None,
                              f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")]
    line = _dtd_line(content)
    if line is not None:
        return None, [Problem(filename, line, None, _DTD_REASON)]
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as err:
        return None, [Problem(filename, err.lineno, None, f"the file is not well-formed XML: {err.msg}")]
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # e.g. UTF-16, which the byte check misses
        return None, [Problem(filename, None, None, _DTD_REASON)]
    return root, []


# Vocabularies whose elements a browser renders and runs (script, iframe, img onerror, svg onload,
# foreignObject, animate to a javascript: href, MathML links). No modeller writes them: refused whole.
BROWSER_NAMESPACES = {"http://www.w3.org/1999/xhtml": "HTML", "http://www.w3.org/2000/svg": "SVG",
                      "http://www.w3.org/1998/Math/MathML": "MathML"}
_SCRIPT_URL = re.compile(r"(javascript|vbscript):", re.IGNORECASE)
_STYLESHEET = re.compile(r"<\?xml-stylesheet", re.IGNORECASE)


def _vocabulary(name: str | etree._Element) -> str | None:
    return BROWSER_NAMESPACES.get(etree.QName(name).namespace or "")


def _located(filename: str, element: etree._Element, message: str) -> Problem:
    owner = next((e for e in (element, *element.iterancestors()) if e.get("id") is not None), None)
    return Problem(filename, element.sourceline, owner.get("id") if owner is not None else None, message)


def active_markup(filename: str, content: bytes, root: etree._Element) -> list[Problem]:
    """Markup in an upload that would run in a browser which opened the file: HTML, SVG or MathML elements
    (or attributes), ``javascript:``/``vbscript:`` links in any attribute, and ``<?xml-stylesheet?>``.

    Refused rather than stripped: the file the analyst keeps in version control stays the file we run and
    serve, and nothing legitimate is lost (no BPMN or DMN modeller writes these; documentation is text).
    Event-handler attributes (``onload=``) only run on HTML/SVG/MathML elements, which are refused whole,
    so ``on*`` names elsewhere are allowed (Flowable's ``onTransaction``). Stored files are also served as
    sandboxed attachments (webui/downloads.py): this check is the second wall, not the only one."""
    problems = []
    text = content.decode(root.getroottree().docinfo.encoding or "utf-8", "replace")
    if at := _STYLESHEET.search(text):  # the parser drops processing instructions, so look at the text
        problems.append(Problem(filename, text.count("\n", 0, at.start()) + 1, None,
                                "the file asks a browser to apply a style sheet (<?xml-stylesheet?>), which can "
                                "run script when the file is opened; remove that line"))
    for element in root.iter(etree.Element):
        if vocabulary := _vocabulary(element):
            if not any(_vocabulary(parent) for parent in element.iterancestors()):  # the outermost only
                problems.append(_located(filename, element, (
                    f"<{etree.QName(element).localname}> is {vocabulary} markup, which a web browser runs when "
                    "the file is opened (it could carry a script); uploaded maps may not contain it: write "
                    "documentation as plain text")))
            continue
        for name, value in element.attrib.items():
            # Browsers ignore spaces and control characters in a URL's scheme ("java\tscript:").
            scheme_link = _SCRIPT_URL.match("".join(c for c in value if c > " "))
            if (vocabulary := _vocabulary(name)) or scheme_link:
                what = f"an {vocabulary} attribute" if vocabulary else "a script link (javascript:)"
                problems.append(_located(filename, element, (
                    f"the {etree.QName(name).localname} attribute of <{etree.QName(element).localname}> is "
                    f"{what}, which a web browser could run; uploaded maps may not contain it")))
    return problems
