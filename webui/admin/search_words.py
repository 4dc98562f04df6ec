"""Admin page: the words the service search understands — callers' synonyms and service keywords —
with a box to try a caller's phrase against them."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from engine import catalogue
from engine.errors import UserError

from ..current import context

bp = Blueprint("admin_search_words", __name__, url_prefix="/admin/search-words")
FLASH = "admin_search_words"
SHOWN = {"all": "All synonyms", "council": "The council's changes"}


def _index(errors: dict[str, str] | None = None, entered: dict[str, str] | None = None, status: int = 200) -> Any:
    ctx = context()
    shown = request.args.get("show", "all") if request.method == "GET" else "all"
    tried = request.args.get("try", "").strip() if request.method == "GET" else ""
    synonyms = catalogue.list_synonyms(ctx, council_only=shown == "council")
    errors = errors or {}
    return render_template("admin/search_words/index.html", title="Service search words", synonyms=synonyms,
                           services=catalogue.all_services(ctx), shown=shown if shown in SHOWN else "all",
                           choices=SHOWN, tried=tried, found=catalogue.search(ctx, tried) if tried else [],
                           errors=errors, entered=entered or {},
                           error_list=[{"text": text, "href": f"#{field}"} for field, text in errors.items()] or None
                           ), status


@bp.get("")
def index() -> Any:
    return _index()


@bp.post("/synonyms")
def set_synonym() -> Any:
    said, meant = request.form.get("said", ""), request.form.get("meant", "")
    ctx = context()
    try:
        synonym = catalogue.save_synonym(ctx, g.user.email, said, meant)
    except UserError as err:
        field = "said" if "callers say" in err.message else "meant"
        return _index({field: err.message}, {"said": said, "meant": meant}, status=400)
    flash(f"Callers saying '{synonym.said}' now find services about '{synonym.meant}'", FLASH)
    return redirect(url_for("admin_search_words.index"))


@bp.post("/synonyms/<any(remove, restore):action>")
def change_synonym(action: str) -> Any:
    said = request.form.get("said", "")
    ctx = context()
    if action == "restore":  # NotFound (404) reaches the error page
        catalogue.bring_back(ctx, said)
        done = "restored as shipped"
    else:
        done = catalogue.drop_synonym(ctx, g.user.email, said)
    flash(f"The synonym '{catalogue.phrase(said)}' was {done}", FLASH)
    return redirect(url_for("admin_search_words.index"))


@bp.route("/services/<key>", methods=["GET", "POST"])
def keywords(key: str) -> Any:
    ctx = context()
    service = catalogue.get_service(ctx, key)  # ProcessNotFound: 404
    error, entered = None, service.keywords
    if request.method == "POST":
        entered = request.form.get("keywords", "")
        try:
            stored = catalogue.save_keywords(ctx, g.user.email, key, entered)
        except UserError as err:
            error = err.message
        else:
            flash(f"Keywords for {service.name}: {stored}" if stored else f"{service.name} has no keywords now", FLASH)
            return redirect(url_for("admin_search_words.index"))
    return render_template("admin/search_words/keywords.html", title=f"Keywords: {service.name}", service=service,
                           entered=entered, error=error,
                           error_list=[{"text": error, "href": "#keywords"}] if error else None), 400 if error else 200
