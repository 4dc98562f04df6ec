"""Admin pages: the partner organisations that run services for the council (a housing association,
a leisure trust), where the directory's referrals go."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from engine import catalogue
from engine.catalogue import PartnerInfo
from engine.errors import FormInvalid

from ..current import context
from .directory import FLASH

bp = Blueprint("admin_partners", __name__, url_prefix="/admin/directory/partners")
FIELDS = ("name", "email", "phone", "website")


@bp.get("")
def index() -> Any:
    return render_template("admin/directory/partners.html", title="Partner organisations",
                           partners=catalogue.list_partners(context()))


def _page(name: str | None, values: dict[str, str], errors: dict[str, str] | None = None, status: int = 200) -> Any:
    errors = errors or {}
    return render_template("admin/directory/partner.html", title=f"Change {name}" if name else "Add a partner",
                           name=name, values=values, errors=errors,
                           error_list=[{"text": errors[f], "href": f"#{f}"} for f in FIELDS if f in errors] or None
                           ), status


def _save(name: str | None) -> Any:
    values = {f: request.form.get(f, "").strip() for f in FIELDS}
    if name is not None:
        values["name"] = name  # renaming would leave the entries that refer to it behind
    if name is None and any(p.name == values["name"] for p in catalogue.list_partners(context())):
        return _page(None, values, {"name": f"There is already a partner called '{values['name']}'"}, 400)
    try:
        saved = catalogue.set_partner(context(), PartnerInfo(**values), g.user.email)
    except FormInvalid as err:
        return _page(name, values, err.errors, 400)
    flash(f"{saved.name} {'saved' if name else 'added'}", FLASH)
    return redirect(url_for("admin_partners.index"))


@bp.route("/new", methods=["GET", "POST"])
def new() -> Any:
    return _save(None) if request.method == "POST" else _page(None, {f: "" for f in FIELDS})


@bp.route("/<partner>", methods=["GET", "POST"])
def edit(partner: str) -> Any:
    saved = catalogue.get_partner(context(), partner)  # NotFound: the 404 page
    if request.method == "POST":
        return _save(saved.name)
    return _page(saved.name, {f: getattr(saved, f) or "" for f in FIELDS})
