"""Documents staff attach to a case: upload, download; filed into the EDRMS by the adapter.

Anyone who may see the case may add and open its documents (``engine.people.permissions.may_see_case``).
The case page includes ``documents/panel.html``; ``/cases/<ref>/documents`` shows the same panel on
a page of its own, and is where a refused upload is explained.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from engine import casework
from engine.errors import Forbidden, NotFound, UserError
from engine.types import DocumentStatus

from .current import context
from .downloads import attachment

bp = Blueprint("documents", __name__)
FLASH = "documents"  # the panel shows only its own banners
# The multipart envelope around a file at the limit; anything longer cannot be an acceptable upload.
_ENVELOPE = 64 * 1024
STATUS_TAGS = {
    DocumentStatus.PENDING: ("Waiting to be filed", "govuk-tag--blue"),
    DocumentStatus.FILED: ("Filed", "govuk-tag--green"),
    DocumentStatus.FAILED: ("Filing failed", "govuk-tag--red"),
    DocumentStatus.NOT_FILED: ("Not filed", "govuk-tag--grey"),
}


@bp.app_context_processor
def document_helpers() -> dict[str, Any]:
    """What ``documents/panel.html`` needs wherever it is included."""
    return {"edrms_configured": lambda: casework.filing_operation(context()) is not None,
            "document_tag": lambda status: STATUS_TAGS.get(status, (status, "govuk-tag--grey")),
            "document_limit_mb": casework.MAX_BYTES // (1024 * 1024)}


@bp.app_template_filter("document_size")
def document_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _page(reference: str, error: str | None = None, status: int = 200) -> Any:
    rows = casework.list_documents(context(), reference, g.user.email)
    return render_template("documents/page.html", title=f"Documents of case {reference}", case_reference=reference,
                           documents=rows, document_error=error, problem=None,
                           error_list=[{"text": error, "href": "#document"}] if error else None), status


@bp.get("/cases/<reference>/documents")
def index(reference: str) -> Any:
    return _page(reference)


@bp.post("/cases/<reference>/documents")
def upload(reference: str) -> Any:
    if (request.content_length or 0) > casework.MAX_BYTES + _ENVELOPE:
        return _page(reference, f"The file must be smaller than {casework.MAX_BYTES // (1024 * 1024)} MB", 413)
    file = request.files.get("document")
    try:
        added = casework.add_document(context(), reference, (file.filename or "") if file else "",
                                      file.read() if file else b"", file.mimetype if file else None, g.user.email)
    except (Forbidden, NotFound):
        raise  # the error page says so
    except UserError as err:
        return _page(reference, err.message, 400)
    filing = " It will be filed in the records system shortly." if added.filing_status == "pending" else ""
    flash(f"{added.filename} was added to the case.{filing}", FLASH)
    return redirect(_case_page(reference))


def _case_page(reference: str) -> str:
    """The case page's documents section, or this blueprint's page while there is no case page."""
    path = f"/cases/{quote(reference, safe='')}"
    try:
        current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return url_for("documents.index", reference=reference, _anchor="documents")
    return f"{path}#documents"


@bp.get("/cases/<reference>/documents/<int:document_id>")
def download(reference: str, document_id: int) -> Any:
    found = casework.get_document(context(), reference, document_id, g.user.email)
    kind = found.content_type if found.content_type in casework.SAFE_TYPES else "application/octet-stream"
    return attachment(found.content, found.filename, kind)
