"""Analysts' preview: every form in the forms folder rendered exactly as staff will see it, with
sample answers, with the errors an empty submission gets (``?errors=1``), or checked against what
the analyst types in, before the process that uses it is deployed. ``show`` also previews the forms
deployed with a process version (uploaded in the browser, so never in the forms folder)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from jsonschema.exceptions import SchemaError

from engine.bpmn import is_form_name
from engine.bpmn import FormUnusable

from .. import addresses
from ..current import today
from . import address
from .form import Form
from .samples import sample_data

bp = Blueprint("forms_preview", __name__)
REPO_FORMS = Path(__file__).resolve().parents[2] / "forms"
SCHEMA_SUFFIX, UI_SUFFIX = "-schema.json", "-uischema.json"


@dataclass
class FormFile:
    name: str  # what the preview URL calls it: the file name without "-schema.json"
    schema: Path
    ui_schema: Path | None

    def load(self) -> Form:
        ui = self.ui_schema.read_text(encoding="utf-8") if self.ui_schema else None
        return Form.from_texts(self.schema.read_text(encoding="utf-8"), ui, self.neighbour, self.schema.name)

    def neighbour(self, name: str) -> str | None:
        """Another form of the same folder, by file name (what its $refs may point to)."""
        path = self.schema.parent / name
        return path.read_text(encoding="utf-8") if is_form_name(name) and path.is_file() else None


def forms_folder() -> Path:
    configured = current_app.extensions["councilflow"].settings.forms_dir
    return Path(configured) if configured else REPO_FORMS


def catalogue(folder: Path) -> dict[str, FormFile]:
    """The forms in ``folder``: each JSON Schema file with its UI schema ("x-uischema.json") if any."""
    found = {}
    for path in sorted(folder.glob("*.json")):
        if path.name.endswith(UI_SUFFIX) or path.name.startswith("test_"):
            continue
        base = path.name.removesuffix(SCHEMA_SUFFIX) if path.name.endswith(SCHEMA_SUFFIX) else path.stem
        ui = folder / f"{base}{UI_SUFFIX}"
        found[base] = FormFile(base, path, ui if ui.is_file() else None)
    return found


def _title(file: FormFile) -> str:
    try:
        return str(json.loads(file.schema.read_text(encoding="utf-8")).get("title") or file.name)
    except (ValueError, AttributeError):
        return f"{file.name} (not a valid form)"


@bp.get("/forms/")
def index() -> Any:
    files = catalogue(forms_folder())
    return render_template("forms/index.html", title="Form previews",
                           forms=[(f, _title(f)) for f in files.values()])


@bp.route("/forms/<name>", methods=["GET", "POST"])
def preview(name: str) -> Any:
    if "/" in name or "\\" in name or name.startswith("."):
        abort(404)
    file = catalogue(forms_folder()).get(name)
    if file is None:
        abort(404)
    try:
        form = file.load()
    except (ValueError, SchemaError, FormUnusable) as err:
        return render_template("forms/invalid.html", title=name, file=file, reason=str(err)), 422
    return show(form, f"Form preview: {file.schema.name}", url_for(".preview", name=name),
                (url_for(".index"), "All forms"))


def show(form: Form, caption: str, here: str, back: tuple[str, str]) -> Any:
    """The preview of ``form`` at ``here``: with sample answers, with the errors of an empty form
    (``?errors=1``), or checked against what the analyst posted. Forms of the forms folder and forms
    deployed with a process version (``webui.analyst``) are previewed alike; ``back`` is (href, text)."""
    answers = None
    lookup = address.action(request.form) if request.method == "POST" else None
    if lookup is not None:  # "Find address" or manual entry: the same preview again, nothing checked yet
        values, errors = form.read(request.form).values, {}
        values[lookup[1]] = address.after(values.get(lookup[1]) or {}, lookup[0])
    elif request.method == "POST":
        submission = form.read(request.form, addresses.find)
        values, errors = submission.values, form.errors(submission.data, today())
        answers = None if errors else form.answers(submission.data)
    elif request.args.get("errors"):
        values, errors = form.values({}), form.errors({})
    else:
        values, errors = form.values(sample_data(form.shown)), {}
    status = 400 if errors and request.method == "POST" else 200
    return render_template("forms/preview.html", title=f"Preview: {form.title}", definition=form, caption=caption,
                           here=here, back=back, answers=answers,
                           **form.view(addresses.with_addresses(form.fields, values), errors)), status
