"""The councillors' area (role ``councillor``): a mobile-first place to raise an enquiry for a
constituent, follow "my enquiries" and add information; and Member Services' page to raise one for a
member who phoned or emailed. The engine decides who may see and do what (engine/members/member_enquiries.py);
these views only read forms and show pages.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine import members as members_wing
from engine.errors import FormInvalid

from .current import context
from .i18n import N_

bp = Blueprint("councillor", __name__, url_prefix="/councillor")
staff_bp = Blueprint("member_services", __name__, url_prefix="/member-services")

# The member's fields as the form shows them: the map's own form supplies the rules and messages.
# The councillors' pages are in English or Welsh (webui.i18n); Member Services' page stays English.
ENQUIRY_TYPES = [("on_behalf_of_resident", N_("Casework for a resident")),
                 ("ward_issue", N_("A ward issue")),
                 ("policy_question", N_("A question about policy or performance"))]
PRIORITIES = [("standard", N_("Standard: answer within 10 working days")),
              ("urgent", N_("Urgent: a risk to someone's health or safety, answer within 2 working days"))]
CONSENT = [("yes", N_("Yes")), ("no", N_("No"))]
# What the engine and the map's form say on these pages: statuses, history lines and mistakes.
ENGINE_WORDS = (N_("Answered"), N_("Closed"), N_("More information needed"), N_("Received"), N_("In progress"),
                N_("Enquiry raised"), N_("Enquiry raised for you by Member Services"), N_("You added information"),
                N_("Information added"), N_("Enquiry closed"),
                N_("Closed without an answer: contact Member Services to ask why"),
                N_("Enter the ward"), N_("Ward must be 60 characters or fewer"), N_("Select what kind of enquiry it is"),
                N_("Enter the resident's name"), N_("Resident's name must be 100 characters or fewer"),
                N_("Enter the resident's address"), N_("Resident's address must be 300 characters or fewer"),
                N_("Select whether the resident has agreed to their details being shared"),
                N_("Enter what the enquiry is"), N_("What is the enquiry must be 3000 characters or fewer"),
                N_("Select the priority"), N_("Enter the information you want to add"))
# The order the fields appear in on the page, which the error summary follows.
FIELD_ORDER = ("councillor", "received_by", "enquiry_type", "enquiry_summary", "ward", "resident_name",
               "resident_address", "resident_consent", "priority")


def _words(errors: dict[str, str]) -> dict[str, str]:
    """The mistakes in the page's language (the engine's and the form's messages are English)."""
    return {name: _(text) for name, text in errors.items()}


def _error_list(errors: dict[str, str]) -> list[dict[str, str]]:
    return [{"text": errors[name], "href": f"#{name}"} for name in FIELD_ORDER if name in errors]


def _items(options: list[tuple[str, str]], chosen: str | None) -> list[dict[str, Any]]:
    return [{"value": value, "text": _(text), "checked": value == chosen} for value, text in options]


def _form(template: str, title: str, values: dict[str, Any], errors: dict[str, str], status: int = 200,
          **extra: Any) -> Any:
    items = {"enquiry_type": _items(ENQUIRY_TYPES, values.get("enquiry_type")),
             "priority": _items(PRIORITIES, values.get("priority")),
             "resident_consent": _items(CONSENT, values.get("resident_consent")),
             "received_by": _items(list(members_wing.RECEIVED_BY.items()), values.get("received_by"))}
    errors = _words(errors)
    return render_template(template, title=title, values=values, errors=errors, error_list=_error_list(errors),
                           items=items, **extra), status


# -- the member's own pages ----------------------------------------------------------------------

@bp.get("/")
def my_enquiries() -> Any:
    member = members_wing.councillor(context(), g.user.email)
    rows = members_wing.my_enquiries(context(), g.user.email)
    return render_template("councillor/list.html", title=_("My enquiries"), member=member, enquiries=rows)


@bp.route("/enquiries/new", methods=["GET", "POST"])
def new_enquiry() -> Any:
    title = _("Raise an enquiry")
    if request.method == "GET":
        return _form("councillor/new.html", title, {"ward": members_wing.councillor(context(), g.user.email).ward or ""},
                     {})
    values = {name: request.form.get(name, "") for name in members_wing.FIELDS}
    try:
        reference = members_wing.raise_enquiry(context(), g.user.email, values, g.user.email)
    except FormInvalid as err:
        return _form("councillor/new.html", title, values, err.errors, 400)
    flash(_("Enquiry %(reference)s raised. Member Services will log it and tell you who is dealing with it.",
            reference=reference))
    return redirect(url_for("councillor.show", reference=reference))


@bp.get("/enquiries/<reference>")
def show(reference: str, information: str = "", errors: dict[str, str] | None = None, status: int = 200) -> Any:
    detail = members_wing.enquiry(context(), g.user.email, reference)  # 404 unless theirs (or their ward's)
    errors = _words(errors or {})
    return render_template("councillor/show.html", title=_("Enquiry %(reference)s", reference=reference),
                           detail=detail, e=detail.enquiry,
                           information=information, errors=errors,
                           error_list=[{"text": errors["information"], "href": "#information"}] if errors else None,
                           enquiry_types={k: _(v) for k, v in ENQUIRY_TYPES}), status


@bp.post("/enquiries/<reference>/information")
def add_information(reference: str) -> Any:
    text = request.form.get("information", "")
    try:
        members_wing.add_information(context(), g.user.email, reference, text)
    except FormInvalid as err:
        return show(reference, text, err.errors, 400)
    flash(_("Information added. The team working on your enquiry has been told."))
    return redirect(url_for("councillor.show", reference=reference) + "#history")


# -- Member Services, for a member who phoned or emailed --------------------------------------------

@staff_bp.route("/enquiries/new", methods=["GET", "POST"])
def raise_for_member() -> Any:
    ctx = context()
    if not members_wing.may_raise_for_members(ctx, g.user.email):
        abort(403)
    title = "Raise an enquiry for a councillor"
    people = members_wing.list_councillors(ctx)
    chosen = request.form.get("councillor", "")
    members = {"members": people, "member_items": [{"value": "", "text": "Select a councillor"}] + [
        {"value": m.email, "text": f"{m.name} ({m.ward} ward)" if m.ward else m.name, "selected": m.email == chosen}
        for m in people]}
    if request.method == "GET":
        return _form("councillor/raise_for_member.html", title, {}, {}, **members)
    values = {name: request.form.get(name, "") for name in ("councillor", "received_by", *members_wing.FIELDS)}
    errors: dict[str, str] = {}
    if not values["councillor"]:
        errors["councillor"] = "Select the councillor"
    try:
        if errors:
            raise FormInvalid(errors)
        reference = members_wing.raise_enquiry(ctx, values["councillor"], values, g.user.email,
                                               values["received_by"] or None)
    except FormInvalid as err:
        return _form("councillor/raise_for_member.html", title, values, {**errors, **err.errors}, 400, **members)
    except members_wing.CouncillorNotFound:
        return _form("councillor/raise_for_member.html", title, values, {"councillor": "Select the councillor"}, 400,
                     **members)
    flash(f"Enquiry {reference} raised for the councillor. It is in Member Services' inbox to log.")
    return redirect(url_for("member_services.raise_for_member"))
