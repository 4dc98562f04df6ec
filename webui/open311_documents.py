"""The Open311 GeoReport v2 documents in both of the spec's formats: the same records as JSON, or as
XML written with lxml (so whatever a partner sent, markup included, comes back escaped).

A document is a root element holding records (``services``/``service``, ``service_requests``/
``request``, ``errors``/``error``, FixMyStreet's ``service_requests_updates``/``request_update``);
a list inside a record repeats its singular element (``attributes``/``attribute``, ``values``/``value``).
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import Response, current_app
from lxml import etree

# The XML element each list's items are written as.
ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
         "values": "value", "service_requests_updates": "request_update", "endpoints": "endpoint",
         "formats": "format", "service_request_updates": "request_update"}
MIMETYPES = {"json": "application/json", "xml": "text/xml"}


def _scalar(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return _scalar(value)


def _text(value: Any) -> str:
    value = _scalar(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(parent: etree._Element, name: str, value: Any) -> None:
    child = etree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _element(child, key, item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _element(child, ITEMS.get(name, "item"), item)
    else:
        child.text = _text(value)


def xml_text(root: str, content: Any) -> bytes:
    """``content`` (a list of records, or one record) under ``root``."""
    element = etree.Element(root)
    if isinstance(content, dict):
        for key, item in content.items():
            _element(element, key, item)
    else:
        for item in content:
            _element(element, ITEMS.get(root, "item"), item)
    return bytes(etree.tostring(element, xml_declaration=True, encoding="utf-8"))


def document(fmt: str, root: str, content: Any, status: int = 200) -> Response:
    """The answer in ``fmt`` (json or xml); JSON is the content itself, as the spec's examples are."""
    body = (json.dumps(_plain(content), ensure_ascii=False).encode() if fmt == "json"
            else xml_text(root, content))
    return current_app.response_class(body, status=status, mimetype=MIMETYPES[fmt],
                                      headers={"Cache-Control": "no-store"})


def errors(fmt: str, status: int, descriptions: list[str]) -> Response:
    """The spec's error document: ``[{"code", "description"}]`` / ``<errors><error>``."""
    return document(fmt, "errors", [{"code": status, "description": d} for d in descriptions], status)
