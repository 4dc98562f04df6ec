"""Documents handed to EDRMS adapters: where their bytes come from, and names safe to file under.

A service task passes a document either inline (``content_base64``) or as ``path`` relative to
the adapter's ``source_dir`` (the council's attachment store); a path may not leave that folder.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base import AdapterError

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    mime_type: str


def safe_name(text: str) -> str:
    """A file-system-safe form of ``text``; a short hash keeps different texts apart."""
    cleaned = _SAFE.sub("_", text).strip("._") or "document"
    if cleaned == text:
        return cleaned
    return f"{cleaned[:80]}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def read_document(spec: dict[str, Any], source_dir: str | None) -> Document:
    """The document a task's parameters describe; a missing or unsafe one is a business rejection
    (the case data is wrong, not the system)."""
    filename = spec.get("filename") or (Path(spec["path"]).name if spec.get("path") else None)
    if not filename:
        raise AdapterError.rejected("the document has no filename", "document_invalid")
    if spec.get("content_base64") is not None:
        try:
            content = base64.b64decode(spec["content_base64"], validate=True)
        except (binascii.Error, ValueError) as err:
            raise AdapterError.rejected(f"the content of {filename} is not valid base64",
                                        "document_invalid") from err
    elif spec.get("content_text") is not None:
        content = str(spec["content_text"]).encode("utf-8")
    elif spec.get("path"):
        content = _read_from(source_dir, str(spec["path"]))
    else:
        raise AdapterError.rejected(f"{filename} has neither content_base64 nor path", "document_invalid")
    mime = spec.get("mime_type") or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return Document(Path(filename).name, content, mime)


def _read_from(source_dir: str | None, relative: str) -> bytes:
    if not source_dir:
        raise AdapterError.broken("documents are passed by path but the adapter has no source_dir")
    root = Path(source_dir).resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise AdapterError.rejected(f"the document path {relative} is outside the attachment store",
                                    "document_invalid")
    try:
        return target.read_bytes()
    except FileNotFoundError as err:
        raise AdapterError.rejected(f"the document {relative} does not exist", "document_missing") from err
