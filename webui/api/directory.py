"""The directory of services and its partners: every member of staff reads them (the guidance
included); admins write them, one entry at a time or the whole file in the export's shape, checked
by the same ``directory_entries.problems`` as the admin pages and the CLI."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import jsonify, request
from werkzeug.exceptions import UnsupportedMediaType
from werkzeug.routing import BaseConverter

from engine import catalogue
from engine.catalogue import Entry, PartnerInfo
from engine.types import DirectoryAction, Role

from ..downloads import attachment
from . import bp, context
from .errors import RequestInvalid
from .payload import Query, json_body, require_storable
from .roles import EVERYONE, current_user, requires

MIMETYPES = {"csv": "text/csv", "json": "application/json"}


class EntryKey(BaseConverter):
    """An entry's key in an address, never ``export`` or ``import``: those addresses are the whole
    directory's, and an OPTIONS request must not be told that they can be PUT or DELETEd too."""

    regex = r"(?!(?:export|import)$)[^/]+"


@bp.get("/directory")
@requires(*EVERYONE)
def list_directory() -> Any:
    """Every entry by name, or (``q``) those the service search finds, best first; ``action`` narrows."""
    query = Query(request.args)
    words, action = query.text("q"), query.choice("action", ["", *DirectoryAction], "")
    query.check()
    ctx = context()
    found = catalogue.list_entries(ctx)
    if words is not None:
        rank = {s.key: i for i, s in enumerate(catalogue.search(ctx, words)) if s.in_directory}
        found = sorted((e for e in found if e.key in rank), key=lambda e: rank[e.key])
    return jsonify([e.to_dict() for e in found if not action or e.action == action])


@bp.get("/directory/<entry_key:key>")
@requires(*EVERYONE)
def show_directory_entry(key: str) -> Any:
    return jsonify(catalogue.get_entry(context(), key).to_dict())


def _entry(key: str, body: dict[str, Any]) -> Entry:
    if body.get("key", key) != key:
        raise RequestInvalid({"key": "The key in the body must be the key in the address (or left out)"})
    review = body.get("guidance_review_on")
    try:
        review_on = date.fromisoformat(review) if review else None
    except ValueError:
        raise RequestInvalid({"guidance_review_on": "The review date must be a date as YYYY-MM-DD"}) from None
    text = {name: body.get(name) or "" for name in ("description", "public_info", "guidance")}
    optional = {name: body.get(name) or None for name in ("guidance_owner", "process", "team", "partner")}
    return Entry(key=key, name=body["name"], action=body["action"], synonyms=tuple(body.get("synonyms") or ()),
                 lgsl=body.get("lgsl"), guidance_review_on=review_on, related=tuple(body.get("related") or ()),
                 sensitivity=body.get("sensitivity") or "normal", **text, **optional)


@bp.put("/directory/<entry_key:key>")
@requires(Role.ADMIN)
def put_directory_entry(key: str) -> Any:
    """Create (201) or replace (200) the entry ``key``; 422 names each wrong field."""
    entry = _entry(key, json_body("DirectoryEntryBody"))
    ctx = context()
    existed = catalogue.entry_exists(ctx, key)
    saved = catalogue.save_entry(ctx, entry, current_user().email)
    return jsonify(saved.to_dict()), 200 if existed else 201


@bp.delete("/directory/<entry_key:key>")
@requires(Role.ADMIN)
def remove_directory_entry(key: str) -> Any:
    catalogue.remove_entry(context(), key)
    return "", 204


@bp.get("/directory/export")
@requires(Role.ADMIN)
def export_directory() -> Any:
    query = Query(request.args)
    file_format = query.choice("format", list(MIMETYPES), "json")
    query.check()
    ctx = context()
    text = catalogue.export_csv(ctx) if file_format == "csv" else catalogue.export_json(ctx)
    return attachment(text.encode("utf-8"), f"directory.{file_format}", MIMETYPES[file_format])


@bp.post("/directory/import")
@requires(Role.ADMIN)
def import_directory() -> Any:
    """The export's JSON, or its CSV as ``text/csv``: all or nothing (400 lists every problem)."""
    if request.mimetype == "text/csv":
        try:
            text = request.get_data().decode("utf-8")
        except UnicodeDecodeError:
            raise RequestInvalid({"body": "The CSV must be UTF-8 text"}) from None
        require_storable([text], "request body")
        parsed = catalogue.read(text, "csv")
    elif request.is_json:
        json_body("DirectoryFile")  # the shapes checked before the file is read
        parsed = catalogue.read(request.get_data(as_text=True), "json")
    else:
        raise UnsupportedMediaType("Send the directory as JSON (the export's shape) or as text/csv")
    return jsonify(catalogue.import_directory(context(), parsed, current_user().email).to_dict())


@bp.get("/partners")
@requires(*EVERYONE)
def list_partners() -> Any:
    return jsonify([p.to_dict() for p in catalogue.list_partners(context())])


@bp.get("/partners/<name>")
@requires(*EVERYONE)
def show_partner(name: str) -> Any:
    return jsonify(catalogue.get_partner(context(), name).to_dict())


@bp.put("/partners/<name>")
@requires(Role.ADMIN)
def put_partner(name: str) -> Any:
    """Create (201) or change (200) the partner ``name`` with its contact details."""
    body = json_body("PartnerBody", optional=True)
    ctx = context()
    existed = any(p.name == name.strip() for p in catalogue.list_partners(ctx))
    saved = catalogue.set_partner(ctx, PartnerInfo(name, body.get("email"), body.get("phone"),
                                                   body.get("website")), current_user().email)
    return jsonify(saved.to_dict()), 200 if existed else 201
