"""The photo a partner's report points at (``media_url``), fetched by the worker and kept with the case
as a document (filed into the EDRMS like every other, ``engine.casework.documents``).

Only from hosts an admin allowed (``COUNCILFLOW_OPEN311_MEDIA_HOSTS``, docs/operators.md): an address
on any other host is never requested. Images only (JPEG, PNG, GIF, WebP: checked by their first bytes,
whatever the server calls them), at most ``MAX_BYTES``, within ``TIMEOUT_S``, no redirects (one could
lead off the list). A refused host or a failed fetch is recorded on the case as a note for staff; the
request itself was answered long before.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

import requests
from sqlalchemy import select

from ..casework import documents, notes, writer
from ..context import Context
from ..persistence.tables import Open311Request

logger = logging.getLogger(__name__)

PENDING, STORED, REFUSED, FAILED = "pending", "stored", "refused", "failed"
MAX_BYTES = 5 * 1024 * 1024
TIMEOUT_S = 10.0
ACTOR = "open311-media"
IMAGES = {b"\xff\xd8": (".jpg", "image/jpeg"), b"\x89PNG": (".png", "image/png"), b"GIF8": (".gif", "image/gif"),
          b"RIFF": (".webp", "image/webp")}


class MediaRefused(Exception):
    """Why the photo was not kept, in words for staff."""


def allowed(url: str, hosts: tuple[str, ...]) -> bool:
    """Whether ``url`` is http(s) on a host (``host`` or ``host:port``) of the allowlist."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname.lower()
    return host in hosts or (parts.port is not None and f"{host}:{parts.port}" in hosts)


def _kind(content: bytes) -> tuple[str, str]:
    for magic, kind in IMAGES.items():
        if content.startswith(magic) and (magic != b"RIFF" or content[8:12] == b"WEBP"):
            return kind
    raise MediaRefused("it is not a JPEG, PNG, GIF or WebP image")


def fetch(url: str) -> tuple[bytes, str, str]:
    """The image's bytes, file extension and type; MediaRefused saying why not."""
    try:
        with requests.get(url, timeout=TIMEOUT_S, stream=True, allow_redirects=False) as response:
            if response.status_code != 200:
                raise MediaRefused(f"the host answered {response.status_code}")
            if int(response.headers.get("Content-Length") or 0) > MAX_BYTES:
                raise MediaRefused(f"it is larger than {MAX_BYTES // (1024 * 1024)} MB")
            content = b""
            for chunk in response.iter_content(64 * 1024):
                content += chunk
                if len(content) > MAX_BYTES:
                    raise MediaRefused(f"it is larger than {MAX_BYTES // (1024 * 1024)} MB")
    except requests.RequestException as err:
        raise MediaRefused(f"it could not be fetched ({type(err).__name__})") from None
    suffix, kind = _kind(content)
    return content, suffix, kind


def _settle(url: str, hosts: tuple[str, ...]) -> tuple[str, tuple[bytes, str, str] | None, str | None]:
    """(status, the image, why not) for the photo at ``url``; nothing is asked of a host off the list."""
    if not allowed(url, hosts):
        return REFUSED, None, "its host is not on the council's list of photo hosts (COUNCILFLOW_OPEN311_MEDIA_HOSTS)"
    try:
        return STORED, fetch(url), None
    except MediaRefused as why:
        return FAILED, None, str(why)


def fetch_pending(ctx: Context, limit: int = 20) -> int:
    """Fetch the photos of reports still waiting for theirs; how many were settled. The fetch is made
    outside any transaction; the outcome is written under the case's lock, and only while the photo is
    still pending (a second worker that fetched the same photo at the same time keeps nothing)."""
    with ctx.db.transaction(readonly=True) as session:
        waiting = list(session.execute(select(Open311Request.case_id, Open311Request.media_url)
                                       .where(Open311Request.media_status == PENDING)
                                       .order_by(Open311Request.case_id).limit(limit)))
    done = 0
    for case_id, url in waiting:
        status, image, why = _settle(url or "", ctx.settings.open311_media_hosts)
        with writer.open_case(ctx, case_id=case_id, actor=ACTOR, person=False) as w:
            row = w.session.get_one(Open311Request, case_id, populate_existing=True)
            if row.media_status != PENDING:
                continue
            if image is not None:
                content, suffix, kind = image
                documents.keep_document(w.session, w.case, f"{w.case.reference}-photo{suffix}", kind, content,
                                        ACTOR, w.now, documents.filing_operation(ctx))
            else:
                notes.write_system_note(w.session, case_id, f"The photo sent with this report ({(url or '')[:300]}) "
                                        f"was not kept: {why}.", ACTOR, w.now)
            row.media_status = status
        logger.info("Open311 photo %s for case %s", status, case_id, extra={"case_id": case_id, "media": status})
        done += 1
    return done
