"""Documents staff attach to a case, and their filing into the EDRMS.

A document is stored with the case (bytes, sha256, who and when) and, in the same transaction, a
``document_filing`` call asks the worker to file it through the EDRMS adapter (``engine.outbox.filing``):
exactly once in effect, retried, an incident when it cannot be. With no EDRMS configured the document is
kept and marked ``not_filed``.
"""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..context import Context
from ..errors import CaseNotFound, NotFound, UserError
from ..outbox.calls import new_call
from ..people import permissions
from ..people.users import find_user
from ..persistence.tables import Case, Document
from ..types import CallKind, DocumentStatus, EventKind
from . import history
from .views import iso

MAX_BYTES = 20 * 1024 * 1024
MAX_NAME = 200

# What staff may attach, by extension; the stored type comes from here, never from the browser.
ALLOWED: dict[str, str] = {
    ".pdf": "application/pdf", ".txt": "text/plain", ".csv": "text/csv", ".rtf": "application/rtf",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
    ".webp": "image/webp", ".heic": "image/heic", ".tif": "image/tiff", ".tiff": "image/tiff",
    ".doc": "application/msword", ".xls": "application/vnd.ms-excel", ".ppt": "application/vnd.ms-powerpoint",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text", ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation", ".msg": "application/vnd.ms-outlook",
    ".eml": "message/rfc822",
}
SAFE_TYPES = frozenset(ALLOWED.values())
# Formats whose first bytes are fixed: a file claiming to be one must start with them.
_MAGIC = {".pdf": (b"%PDF",), ".png": (b"\x89PNG",), ".jpg": (b"\xff\xd8",), ".jpeg": (b"\xff\xd8",),
          ".gif": (b"GIF8",), ".docx": (b"PK",), ".xlsx": (b"PK",), ".pptx": (b"PK",), ".odt": (b"PK",),
          ".ods": (b"PK",), ".odp": (b"PK",)}
_UNSAFE = re.compile(r"[^\w .()&,'+-]+")


@dataclass(frozen=True)
class DocumentView:
    id: int
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    uploaded_at: str | None
    filing_status: str
    filed_reference: str | None

    @classmethod
    def of(cls, d: Document) -> "DocumentView":
        return cls(d.id, d.filename, d.content_type, d.size, d.uploaded_by, iso(d.uploaded_at), d.filing_status,
                   d.filed_reference)

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class DocumentContent:
    filename: str
    content_type: str
    content: bytes


def filing_operation(ctx: Context) -> str | None:
    """The adapter operation documents are filed with, or None when no EDRMS is configured."""
    wanted = ctx.settings.document_filing  # COUNCILFLOW_DOCUMENT_FILING; None: "none", filing is off
    if not wanted or ctx.adapters is None:
        return None
    return wanted if wanted in ctx.adapters.operations() else None


def _case(session: Session, reference: str, viewer: str | None) -> Case:
    """The case, if ``viewer`` (an email; None for the system itself) may see it."""
    case = session.scalar(select(Case).where(Case.reference == reference))
    if case is None:
        raise CaseNotFound(f"There is no case {reference}")
    user = find_user(session, viewer) if viewer else None
    if viewer and (user is None or not permissions.may_see_case(session, user, case)):
        raise CaseNotFound(f"There is no case {reference}")  # as if it did not exist: no reference leaks
    return case


def clean_filename(raw: str) -> str:
    """The name to keep: no folders, no control or shell characters, at most MAX_NAME characters."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("_", "".join(c for c in name if c.isprintable())).strip(" ._")
    stem, suffix = os.path.splitext(name)
    return stem[:MAX_NAME - len(suffix)] + suffix.lower() if stem else ""


def check_upload(filename: str, content: bytes) -> tuple[str, str]:
    """(clean name, content type) of an acceptable upload, or UserError saying what is wrong."""
    name = clean_filename(filename)
    suffix = PurePosixPath(name).suffix.lower()
    if not name or not PurePosixPath(name).stem:
        raise UserError("Select a file to upload")
    if suffix not in ALLOWED:
        raise UserError(f"{name} is not a type of file you can add: use a PDF, an image, an office document "
                        f"or plain text")
    if not content:
        raise UserError(f"{name} is empty")
    if len(content) > MAX_BYTES:
        raise UserError(f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if suffix in _MAGIC and not content.startswith(_MAGIC[suffix]):
        raise UserError(f"{name} is not really a {suffix[1:].upper()} file")
    return name, ALLOWED[suffix]


def add_document(ctx: Context, reference: str, filename: str, content: bytes, content_type: str | None,
                 actor: str) -> DocumentView:
    """Keep the document with the case and queue its filing into the EDRMS, in one transaction.
    ``content_type`` as the browser claimed is ignored: the type follows the checked extension."""
    name, kind = check_upload(filename, content)
    operation = filing_operation(ctx)
    with ctx.db.transaction() as session:
        case = _case(session, reference, actor)
        return DocumentView.of(keep_document(session, case, name, kind, content, actor, ctx.clock.now(), operation))


def keep_document(session: Session, case: Case, name: str, kind: str, content: bytes, actor: str, now: datetime,
                  operation: str | None) -> Document:
    """Store an already checked file (``check_upload``) with ``case`` and queue its filing through
    ``operation`` (None: not filed), in the caller's transaction (e.g. an email's attachments)."""
    document = Document(case_id=case.id, filename=name, content_type=kind, size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by=actor,
                        uploaded_at=now,
                        filing_status=DocumentStatus.PENDING if operation else DocumentStatus.NOT_FILED)
    session.add(document)
    session.flush()
    history.add_event(session, case.id, None, actor, now, EventKind.DOCUMENT_ADDED,
                      {"document": document.id, "filename": name, "size": len(content),
                       "sha256": document.sha256, "filing": operation})
    if operation:
        params = {"case_ref": case.reference, "document_id": document.id, "filename": name, "mime_type": kind}
        session.add(new_call(case, CallKind.DOCUMENT_FILING, operation, params,
                             f"{case.reference}:document:{document.id}", now, spiff_id="", bpmn_id="",
                             document_id=document.id))
    return document


def get_document(ctx: Context, reference: str, document_id: int, viewer: str | None = None) -> DocumentContent:
    """A document's bytes for download (``viewer``: the person asking, checked like the case page)."""
    with ctx.db.transaction(readonly=True) as session:
        case = _case(session, reference, viewer)
        document = session.get(Document, document_id)
        if document is None or document.case_id != case.id:
            raise NotFound(f"Case {reference} has no document {document_id}")
        return DocumentContent(document.filename, document.content_type, document.content)


def list_documents(ctx: Context, reference: str, viewer: str | None = None) -> list[DocumentView]:
    with ctx.db.transaction(readonly=True) as session:
        case = _case(session, reference, viewer)
        rows = session.scalars(select(Document).where(Document.case_id == case.id).order_by(Document.id))
        return [DocumentView.of(d) for d in rows]
