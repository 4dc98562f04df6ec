"""Hardened XML parsing for uploaded BPMN and DMN: no DTDs, no entities, no network, bounded size."""
from __future__ import annotations

from lxml import etree

from .errors import Problem

MAX_BYTES = 10 * 1024 * 1024


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_pis=True)


def parse_xml(filename: str, content: bytes) -> tuple[etree._Element | None, list[Problem]]:
    """Parse untrusted XML; return the root element, or the problems that stop us using it."""
    if len(content) > MAX_BYTES:
        return None, [Problem(filename, None, None,
                              f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")]
    if b"<!DOCTYPE" in content.upper() or b"<!ENTITY" in content.upper():
        line = content[: content.upper().find(b"<!")].count(b"\n") + 1
        return None, [Problem(filename, line, None,
                              "the file declares a DOCTYPE or entities, which are not allowed in "
                              "uploaded maps (they can be used to read files on the server)")]
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as err:
        return None, [Problem(filename, err.lineno, None, f"the file is not well-formed XML: {err.msg}")]
    return root, []
