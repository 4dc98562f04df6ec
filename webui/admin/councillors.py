"""Admin pages: each councillor's ward, and whether they may follow every enquiry from it
(engine/members/councillors.py; `councilflow councillors set-ward` does the same)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine import members
from engine.errors import FormInvalid

from ..current import context

bp = Blueprint("admin_councillors", __name__, url_prefix="/admin")


@bp.get("/councillors")
def councillor_list() -> Any:
    return render_template("admin/councillors/list.html", title="Councillors' wards",
                           members=members.list_councillors(context()))


@bp.route("/councillors/<int:user_id>", methods=["GET", "POST"])
def councillor_ward(user_id: int) -> Any:
    member = members.councillor_by_id(context(), user_id)
    title = f"Ward of {member.name}"
    if request.method == "GET":
        return render_template("admin/councillors/ward.html", title=title, member=member, ward=member.ward or "",
                               visible=member.ward_visible, errors={})
    ward, visible = request.form.get("ward", ""), request.form.get("ward_visible") == "yes"
    try:
        members.set_ward(context(), member.email, ward, visible)
    except FormInvalid as err:
        return render_template("admin/councillors/ward.html", title=title, member=member, ward=ward, visible=visible,
                               errors=err.errors, error_list=[{"text": err.errors["ward"], "href": "#ward"}]), 400
    flash(f"{member.name}'s ward saved")
    return redirect(url_for("admin_councillors.councillor_list"))
