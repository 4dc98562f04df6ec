"""Documents of a case: list them, and attach one (multipart field ``file``); the worker files it
into the EDRMS (``filing_status`` says how far it got)."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.exceptions import UnsupportedMediaType

from engine import casework
from engine.errors import Forbidden, NotFound, UserError

from . import bp, context
from .errors import RequestInvalid
from .roles import STAFF, current_user, requires

_ENVELOPE = 64 * 1024  # the multipart wrapping around a file at the limit


@bp.get("/cases/<reference>/documents")
@requires(*STAFF)
def list_case_documents(reference: str) -> Any:
    return jsonify([d.to_dict() for d in casework.list_documents(context(), reference, current_user().email)])


@bp.post("/cases/<reference>/documents")
@requires(*STAFF)
def add_case_document(reference: str) -> Any:
    request.max_content_length = casework.MAX_BYTES + _ENVELOPE
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Send the document as multipart/form-data in the field 'file'")
    upload = request.files.get("file")
    if upload is None:
        raise RequestInvalid({"file": "Send the document in the multipart field 'file'"})
    try:
        added = casework.add_document(context(), reference, upload.filename or "", upload.read(), upload.mimetype,
                                      current_user().email)
    except (Forbidden, NotFound):
        raise
    except UserError as err:
        raise RequestInvalid({"file": err.message}) from None
    return jsonify(added.to_dict()), 201
