"""Admin pages: the whole directory of services imported from, or downloaded as, a CSV or JSON file
(the files ``councilflow directory import`` and ``export`` read and write). An import is all or
nothing: the page lists every problem the file has, or what it added and updated."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, request, url_for

from engine import catalogue
from engine.errors import UserError

from ..current import context
from ..downloads import attachment
from .directory import FLASH, index_page

bp = Blueprint("admin_directory_files", __name__, url_prefix="/admin/directory")
MIMETYPES = {"csv": "text/csv", "json": "application/json"}


@bp.post("/import")
def import_file() -> Any:
    upload = request.files.get("file")
    name = (upload.filename or "") if upload else ""
    if upload is None or not name:
        return index_page(["Choose a .csv or .json file to import"], status=400)
    try:
        text = upload.read().decode("utf-8")
    except UnicodeDecodeError:
        return index_page([f"{name} is not a text file in UTF-8: save it as CSV UTF-8 or JSON"], name, 400)
    try:
        parsed = catalogue.read(text, name.rsplit(".", 1)[-1].lower() if "." in name else "")
        result = catalogue.import_directory(context(), parsed, g.user.email)
    except catalogue.DirectoryImportRefused as err:
        return index_page(err.problems, name, 400)
    except UserError as err:
        return index_page([err.message], name, 400)
    teams = f"; new teams: {', '.join(result.teams_created)}" if result.teams_created else ""
    flash(f"{name} imported: {len(result.created)} services added, {len(result.updated)} updated, "
          f"{len(result.partners)} partners{teams}", FLASH)
    return redirect(url_for("admin_directory.index"))


@bp.get("/export.<any(csv, json):file_format>")
def export(file_format: str) -> Any:
    """The whole directory as a download (``downloads.attachment``: never shown by the browser)."""
    ctx = context()
    text = catalogue.export_csv(ctx) if file_format == "csv" else catalogue.export_json(ctx)
    return attachment(text.encode("utf-8"), f"directory.{file_format}", MIMETYPES[file_format])
