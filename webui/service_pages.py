"""A directory service's own page for advisors (``/services/<key>``): what it is, what to tell the
customer, the advisor's guidance (flagged when past its review date), who delivers it, and its action
at the front door: start its map, or record the contact as resolved, handed off or referred.

Every action records a case through the engine (``engine.catalogue.directory_actions``), so the outcome page,
the case page and MI see each contact. The chosen customer travels as ``?customer=`` (a hidden field
on the form), as on the other front-office pages.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for

from engine import casework, catalogue
from engine.catalogue import EntryPage, WrongAction
from engine.errors import FormInvalid
from engine.types import Channel, DirectoryAction

from .current import context, today
from .forms import Form
from .forms.components import Errors, Values
from .frontoffice import CHANNELS, customer_rows, selected_customer
from .markdown import markdown_html

bp = Blueprint("services", __name__)
RESOLUTIONS = (("resolved", "Resolved: I gave the information or advice they needed"),
               ("signposted", "Signposted: I told them who to contact instead"))
BUTTONS = {DirectoryAction.RESOLVE: "Record the contact", DirectoryAction.HAND_OFF: "Hand off to {team}",
           DirectoryAction.REFER: "Refer to {partner}"}


def _form(page: EntryPage) -> Form | None:
    texts = page.form
    if texts is None or texts.schema is None:
        return None
    return Form.from_texts(texts.schema, texts.ui_schema, texts.files.get, texts.name)


def _page(page: EntryPage, customer: casework.CustomerView | None, values: Values | None = None,
          errors: Errors | None = None, chosen: dict[str, str] | None = None, status: int = 200) -> Any:
    entry, form, errors, chosen = page.entry, _form(page), errors or {}, chosen or {}
    view = form.view(values if values is not None else form.values(), errors) if form is not None else \
        {"components": [], "error_list": []}
    listed = [{"text": errors[name], "href": f"#{name}"} for name in ("channel", "outcome") if name in errors]
    listed += view["error_list"]
    channels = [{"value": c.value, "text": label, "checked": chosen.get("channel") == c.value}
                for c, label in CHANNELS.items()]
    resolutions = [{"value": v, "text": t, "checked": chosen.get("outcome", "resolved") == v} for v, t in RESOLUTIONS]
    button = BUTTONS.get(DirectoryAction(entry.action), "").format(team=entry.team, partner=entry.partner)
    return render_template("frontoffice/entry.html", title=entry.name, page=page, entry=entry, customer=customer,
                           rows=customer_rows(customer) if customer else [], channels=channels,
                           resolutions=resolutions, errors=errors, components=view["components"],
                           error_list=listed or None, button=button,
                           public_info=markdown_html(entry.public_info), guidance=markdown_html(entry.guidance),
                           carry={"customer": customer.id} if customer else {}), status


@bp.get("/services/<key>")
def entry(key: str) -> Any:
    return _page(catalogue.entry_page(context(), key), selected_customer())


@bp.post("/services/<key>/contact")
def take_contact(key: str) -> Any:
    page = catalogue.entry_page(context(), key)
    customer_id = request.form.get("customer", type=int)
    customer = casework.get_customer(context(), customer_id) if customer_id is not None else None
    form = _form(page)
    submission = form.read(request.form) if form is not None else None
    chosen = {"channel": request.form.get("channel", ""), "outcome": request.form.get("outcome", "")}
    errors: Errors = {}
    if chosen["channel"] not in {c.value for c in Channel}:
        errors["channel"] = "Select how the customer contacted us"
    if page.entry.action == DirectoryAction.RESOLVE and chosen["outcome"] not in dict(RESOLUTIONS):
        errors["outcome"] = "Select how the contact ended"
    if submission is not None and form is not None:
        errors.update(form.errors(submission.data, today()))
    values = submission.values if submission is not None else None
    if errors:
        return _page(page, customer, values, errors, chosen, 400)
    try:
        taken = catalogue.take_contact(context(), key, page.entry.action, chosen["channel"], customer_id,
                                              actor=g.user.email, resolution=chosen["outcome"] or None,
                                              details=submission.data if submission is not None else None)
    except (FormInvalid, WrongAction) as err:
        found = err.errors if isinstance(err, FormInvalid) else {"channel": err.message}
        return _page(page, customer, values, found, chosen, 400)
    return redirect(url_for("tasks.outcome", reference=taken.case.reference))
