"""The one way the app hands back a file somebody uploaded (a case document, a deployed map, decision or
form): as an attachment that a browser saves rather than shows, and that cannot run anything even if it
is opened on our origin. Uploaded BPMN once carried an XHTML ``<script>`` that ran as the admin who
clicked its link (issue 10): every route that serves stored content goes through ``attachment``."""
from __future__ import annotations

import io

from flask import Response, send_file

# The file is its own sandboxed origin with nothing allowed: no script, style, frame, plugin or fetch.
SANDBOX = "default-src 'none'; sandbox"


def attachment(content: bytes, filename: str, mimetype: str, cache_seconds: int = 0) -> Response:
    """``content`` as a download named ``filename``; kept by the browser for ``cache_seconds`` if the
    content never changes (a deployed version's files), otherwise never stored."""
    response = send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=filename,
                         max_age=0, conditional=False)
    response.headers["Content-Security-Policy"] = SANDBOX
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = f"private, max-age={cache_seconds}" if cache_seconds else "private, no-store"
    return response


def process_file(name: str, text: str, cache_seconds: int = 0) -> Response:
    """A file of a deployed version (BPMN, DMN or form JSON), as ``attachment``."""
    mimetype = "application/json" if name.lower().endswith(".json") else "application/xml"
    return attachment(text.encode("utf-8"), name, mimetype, cache_seconds)
