"""Processes: list, versions, a version's files, and deploying BPMN/DMN/forms (analysts)."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.exceptions import UnsupportedMediaType

from engine import bpmn, casework
from engine.errors import DeploymentRejected, Problem
from engine.types import Role

from ..downloads import process_file
from . import bp, context
from .payload import json_body, require_storable
from .roles import EVERYONE, current_user, requires
from .schemas import MAX_ID

MAX_NAME = 200
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # a whole process library with its forms; each file is capped at 10 MB


@bp.get("/processes")
@requires(*EVERYONE)
def list_processes() -> Any:
    """Every deployed process with its latest version (the shape of `councilflow processes --json`)."""
    return jsonify([p.to_dict() for p in casework.processes(context())])


@bp.get("/processes/<key>/versions")
@requires(*EVERYONE)
def list_versions(key: str) -> Any:
    return jsonify([v.to_dict() for v in casework.versions(context(), key)])


@bp.get(f"/processes/<key>/versions/<int(min=1, max={MAX_ID}):version>/files/<name>")
@requires(Role.ANALYST)
def download_file(key: str, version: int, name: str) -> Any:
    """One file as deployed in a version, e.g. to open the exact map a case ran on."""
    return process_file(name, casework.deployed_file(context(), key, version, name))


def _name_problem(name: str) -> Problem | None:
    if not name.lower().endswith(bpmn.UPLOAD_SUFFIXES):
        return Problem(name, None, None, "only .bpmn, .dmn and form .json files can be deployed")
    if len(name) > MAX_NAME or any(c in name for c in "/\\") or not name.isprintable():
        return Problem(name, None, None, f"a file name must be at most {MAX_NAME} printable characters "
                                         "without folders")
    return None


def uploaded_files() -> dict[str, bytes]:
    """The files of a multipart upload (field ``files``, repeatable) or of a JSON body."""
    request.max_content_length = MAX_UPLOAD_BYTES
    if request.mimetype == "multipart/form-data":
        uploads = request.files.getlist("files") + request.files.getlist("files[]")
        files = {(u.filename or ""): u.read() for u in uploads}
    elif not request.is_json:
        raise UnsupportedMediaType("Send the files as multipart/form-data (field 'files'), or as JSON")
    else:
        files = {name: text.encode("utf-8") for name, text in json_body("DeployFiles")["files"].items()}
    require_storable(files, "file names")
    if not files:
        raise DeploymentRejected([Problem("", None, None, "send at least one .bpmn, .dmn or form .json file "
                                                          "in the multipart field 'files'")])
    problems = [p for p in map(_name_problem, files) if p is not None]
    if problems:
        raise DeploymentRejected(problems)
    return files


@bp.post("/processes")
@requires(Role.ANALYST)
def deploy() -> Any:
    """Validate, lint and store: 201 with the versions (new or unchanged), or 422 with every problem
    by file, line and element; nothing is stored unless everything is valid."""
    result = bpmn.deploy(context(), uploaded_files(), current_user().email)
    return jsonify(result.to_dict()), 201
