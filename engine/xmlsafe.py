"""Hardened XML parsing for uploaded BPMN and DMN: no DTDs, no entities, no network, bounded size."""
from __future__ import annotations

from lxml import etree

from .errors import Problem

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
