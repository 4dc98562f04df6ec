"""Documents staff attach to a case, and their filing into the EDRMS."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .context import Context
from .errors import CaseNotFound
from .persistence.tables import Case, Document
from .views import iso


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


def list_documents(ctx: Context, reference: str) -> list[DocumentView]:
    with ctx.db.transaction(readonly=True) as session:
        case_id = session.scalar(select(Case.id).where(Case.reference == reference))
        if case_id is None:
            raise CaseNotFound(f"There is no case {reference}")
        rows = session.scalars(select(Document).where(Document.case_id == case_id).order_by(Document.id))
        return [DocumentView(d.id, d.filename, d.content_type, d.size, d.uploaded_by, iso(d.uploaded_at),
                             d.filing_status, d.filed_reference) for d in rows]
