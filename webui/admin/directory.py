"""Admin pages: the directory of services — every service the front office answers for, with what
advisors do for it, who delivers it and the advisor's knowledge article. Entries are checked by
``directory_entries.problems``, the same check the API and the CSV/JSON import make."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from engine import casework, catalogue, people
from engine.catalogue import Entry
from engine.errors import NotFound

from ..current import context
from ..markdown import markdown_html
from . import directory_form as form

bp = Blueprint("admin_directory", __name__, url_prefix="/admin/directory")
FLASH = "admin_directory"


def _matches(entry: Entry, action: str, text: str) -> bool:
    if action and entry.action != action:
        return False
    words = " ".join((entry.key, entry.name, entry.description, *entry.synonyms)).lower()
    return all(word in words for word in text.lower().split())


def index_page(problems: list[str] | None = None, file_name: str = "", status: int = 200) -> Any:
    """The list with its filters, and the import's ``problems`` (nothing was saved) when it had any."""
    ctx = context()
    action = request.args.get("action", "") if request.method == "GET" else ""
    action = action if action in form.ACTIONS else ""
    text = request.args.get("q", "").strip() if request.method == "GET" else ""
    every = catalogue.list_entries(ctx)
    shown = [e for e in every if _matches(e, action, text)]
    summary = [{"text": p, "href": "#file"} for p in problems or []]
    return render_template("admin/directory/index.html", title="Directory of services", entries=shown,
                           total=len(every), action=action, text=text, actions=form.ACTIONS,
                           today=ctx.clock.now().date(), problems=problems or [], file_name=file_name,
                           error_list=summary or None), status


@bp.get("")
def index() -> Any:
    return index_page()


def _choices() -> dict[str, list[str]]:
    ctx = context()
    processes = [p.process for p in casework.processes(ctx)]
    teams = sorted(name for _, name in people.team_names(ctx))
    partners = [p.name for p in catalogue.list_partners(ctx)]
    return {"processes": processes, "teams": teams, "partners": partners}


def _edit_page(saved: Entry | None, values: dict[str, Any], errors: dict[str, str] | None = None,
               preview: bool = False, status: int = 200) -> Any:
    errors = errors or {}
    key = saved.key if saved else None
    title = f"Change {saved.name}" if saved else "Add a service"
    rendered = {"guidance": markdown_html(values["guidance"]), "public_info": markdown_html(values["public_info"])} \
        if preview else None
    return render_template("admin/directory/entry.html", title=title, key=key, values=values, errors=errors,
                           error_list=form.error_list(errors), actions=form.ACTIONS, hints=form.ACTION_HINTS,
                           sensitivities=form.SENSITIVITIES, options=form.options, preview=rendered,
                           **_choices()), status


def _save(saved: Entry | None) -> Any:
    """Save the posted entry, or show the page again with every problem (or the guidance preview)."""
    key = saved.key if saved else None
    entry, values, errors = form.read(request.form, key)
    if request.form.get("preview"):
        return _edit_page(saved, values, preview=True)
    ctx = context()
    found = catalogue.form_problems(ctx, entry, new=key is None)
    found.update(errors)
    if found:
        return _edit_page(saved, values, found, status=400)
    stored = catalogue.save_entry(ctx, entry, g.user.email)
    flash(f"{stored.name} {'saved' if key else 'added to the directory'}", FLASH)
    return redirect(url_for("admin_directory.index"))


@bp.route("/new", methods=["GET", "POST"])
def new() -> Any:
    return _save(None) if request.method == "POST" else _edit_page(None, form.values_of(None))


@bp.route("/services/<key>", methods=["GET", "POST"])
def edit(key: str) -> Any:
    saved = catalogue.get_entry(context(), key)  # NotFound: the 404 page
    return _save(saved) if request.method == "POST" else _edit_page(saved, form.values_of(saved))


@bp.route("/services/<key>/remove", methods=["GET", "POST"])
def remove(key: str) -> Any:
    """A confirmation page; removing takes the service out of the directory, not out of past cases."""
    entry = catalogue.get_entry(context(), key)
    if request.method == "GET":
        return render_template("admin/directory/remove.html", title=f"Remove {entry.name}", entry=entry)
    try:
        catalogue.remove_entry(context(), key)
    except NotFound:
        pass  # removed by someone else meanwhile: the outcome is the same
    flash(f"{entry.name} was removed from the directory", FLASH)
    return redirect(url_for("admin_directory.index"))
