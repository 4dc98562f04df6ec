"""Process analysts' pages: upload maps, list processes and versions, download files, see diagrams with waiting counts (issue 4)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, get_flashed_messages, redirect, render_template, request, url_for

from engine import bpmn, casework
from engine.errors import DeploymentRejected, Problem, UserError
from engine.bpmn import Deployment
from engine.types import Role
from engine.people import has_role

from .api.processes import uploaded_files
from .current import context
from .downloads import process_file
from .forms import Form, preview

bp = Blueprint("analyst", __name__)
MAX_WARNINGS_SHOWN = 10  # after a deploy the warnings travel in the session cookie, which is small
ACCEPT = ".bpmn,.dmn,.json"


def where(problem: Problem) -> str:
    """File, line and element of a finding, as an analyst looks for them in the modeller."""
    parts = [problem.file or "the upload"]
    if problem.line:
        parts.append(f"line {problem.line}")
    if problem.element:
        parts.append(f"element {problem.element}")
    return ", ".join(parts)


@bp.get("/processes")
def processes() -> Any:
    return render_template("analyst/processes.html", title="Processes", rows=bpmn.process_summaries(context()),
                           notices=get_flashed_messages(with_categories=True))


@bp.get("/processes/upload")
def upload_form() -> Any:
    return render_template("analyst/upload.html", title="Upload process maps")


@bp.post("/processes/upload")
def upload() -> Any:
    """Check, or check and deploy, the chosen files. Nothing is stored unless every file is valid;
    when something is wrong every problem is listed with its file, line and element."""
    names = [u.filename for u in request.files.getlist("files") if u.filename]
    if not names:
        return _refused([], [], "Select one or more .bpmn, .dmn or form .json files")
    checking = request.form.get("action") == "check"
    try:
        files = uploaded_files()
        if checking:
            bundle = bpmn.check(context(), files)
            if bundle.errors:
                raise DeploymentRejected(bundle.errors + bundle.warnings)
            return render_template("analyst/upload.html", title="Upload process maps", names=names,
                                   checked=bundle, warnings=bundle.warnings)
        deployment = bpmn.deploy(context(), files, g.user.email)
    except DeploymentRejected as rejected:
        return _refused(names, rejected.problems)
    except UserError as err:
        return _refused(names, [], err.message)
    return _deployed(deployment)


def _refused(names: list[str], problems: list[Problem], message: str | None = None) -> Any:
    errors = [p for p in problems if p.severity == "error"]
    summary = [{"text": f"{where(p)}: {p.message}", "href": "#files"} for p in errors]
    if message:
        summary.append({"text": message, "href": "#files"})
    field = message or f"Fix the {len(errors)} problem{'s' if len(errors) != 1 else ''} listed, then upload the files again"
    return render_template("analyst/upload.html", title="Upload process maps", names=names, error_list=summary,
                           field_error=field, problems=errors, warnings=[p for p in problems if p not in errors]), 400


def _deployed(deployment: Deployment) -> Any:
    for item in deployment.deployed:
        text = (f"Version {item.version} of {item.name} deployed" if item.changed
                else f"{item.name} is unchanged: version {item.version} already has this content")
        flash(text, "success")
    shown = deployment.warnings[:MAX_WARNINGS_SHOWN]
    for warning in shown:
        flash(f"{where(warning)}: {warning.message}", "warning")
    if len(deployment.warnings) > len(shown):
        flash(f"… and {len(deployment.warnings) - len(shown)} more warnings (run `councilflow check` to see all)",
              "warning")
    if len(deployment.deployed) == 1:
        return redirect(url_for("analyst.process", key=deployment.deployed[0].process), 303)
    if not deployment.deployed:
        flash("The forms and decisions were deployed", "success")
    return redirect(url_for("analyst.processes"), 303)


@bp.get("/processes/<key>")
def process(key: str) -> Any:
    versions = casework.versions(context(), key)
    shown = bpmn.diagram(context(), key)
    return render_template("analyst/process.html", title=shown.name, diagram=shown, versions=versions[::-1],
                           notices=get_flashed_messages(with_categories=True),
                           bottlenecks_shown=has_role(g.user, Role.TEAM_LEAD))  # the view's own rule (webui/app.py)


@bp.get("/processes/<key>/versions/<int(min=1):version>")
def version(key: str, version: int) -> Any:
    shown = bpmn.diagram(context(), key, version)
    detail = next(v for v in casework.versions(context(), key) if v.version == version)
    return render_template("analyst/version.html", title=f"{shown.name}, version {version}", diagram=shown,
                           detail=detail, forms=casework.version_forms(context(), key, version))


@bp.route("/processes/<key>/versions/<int(min=1):version>/forms/<bpmn_id>", methods=["GET", "POST"])
def form_preview(key: str, version: int, bpmn_id: str) -> Any:
    """The form of task ``bpmn_id`` as deployed with a version (uploads never reach the forms folder)."""
    texts = casework.version_forms(context(), key, version).get(bpmn_id)
    if texts is None or texts.schema is None:
        abort(404)
    form = Form.from_texts(texts.schema, texts.ui_schema, texts.files.get, texts.name)  # checked when deployed
    back = url_for(".version", key=key, version=version)
    return preview.show(form, f"Form preview: {texts.name}, version {version} of {key}", request.path,
                        (f"{back}#forms", f"Version {version}"))


@bp.get("/processes/<key>/versions/<int(min=1):version>/files/<name>")
def download(key: str, version: int, name: str) -> Any:
    """One file exactly as deployed in a version."""
    return process_file(name, casework.deployed_file(context(), key, version, name))
