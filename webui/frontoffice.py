"""Front office: the service directory, finding or creating the customer, starting a case with its channel.

The chosen customer travels between pages as ``?customer=<id>`` (and the chosen service as
``?service=<key>``), never in the session: an advisor may serve two callers in two tabs.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from engine import cases, customers, directory, taskforms
from engine.customers import CustomerQuery, CustomerView, PossibleDuplicates
from engine.errors import FormInvalid
from engine.types import Channel

from .current import context

bp = Blueprint("frontoffice", __name__)
CHANNELS = {Channel.PHONE: "Phone", Channel.FACE_TO_FACE: "Face to face", Channel.EMAIL: "Email",
            Channel.WEB: "Web form", Channel.COUNCILLOR: "Councillor", Channel.PARTNER: "Partner organisation"}
# The customer form's fields: (name, label, autocomplete, input type, width class).
CUSTOMER_FIELDS = (("name", "Full name", "name", "text", None),
                   ("address", "Address", "street-address", None, None),
                   ("postcode", "Postcode", "postal-code", "text", "govuk-input--width-10"),
                   ("phone", "Phone number", "tel", "tel", "govuk-input--width-20"),
                   ("email", "Email address", "email", "email", None))


def _selected_customer() -> CustomerView | None:
    """The customer named by ``?customer=`` (a 404 page if there is none with that id)."""
    customer_id = request.args.get("customer", type=int)
    return customers.get_customer(context(), customer_id) if customer_id is not None else None


def customer_rows(customer: CustomerView) -> list[dict[str, Any]]:
    """Summary-list rows of a customer's details (the ones they gave)."""
    details = {"Name": customer.name, "Address": customer.address, "Postcode": customer.postcode,
               "Phone": customer.phone, "Email": customer.email}
    return [{"key": {"text": label}, "value": {"text": value}} for label, value in details.items() if value]


# -- the service directory ----------------------------------------------------------------------
@bp.get("/services")
def services() -> Any:
    query = request.args.get("q", "").strip()
    customer = _selected_customer()
    found = directory.search(context(), query) if query else []
    letters = [] if query else directory.a_to_z(directory.all_services(context()))
    return render_template("frontoffice/services.html", title="Find a service", query=query, found=found,
                           letters=letters, customer=customer,
                           rows=customer_rows(customer) if customer else [])


@bp.get("/services/<key>/start")
def start(key: str) -> Any:
    return _start_page(directory.get_service(context(), key), _selected_customer())


def _start_page(service: directory.Service, customer: CustomerView | None, error: str | None = None,
                status: int = 200) -> Any:
    choices = [{"value": c.value, "text": label} for c, label in CHANNELS.items()]
    return render_template("frontoffice/start.html", title=f"Start: {service.name}", service=service,
                           customer=customer, rows=customer_rows(customer) if customer else [],
                           channels=choices, error=error,
                           error_list=[{"text": error, "href": "#channel"}] if error else None), status


@bp.post("/services/<key>/start")
def start_case(key: str) -> Any:
    service = directory.get_service(context(), key)
    customer_id = request.form.get("customer", type=int)
    customer = customers.get_customer(context(), customer_id) if customer_id is not None else None
    channel = request.form.get("channel", "")
    if channel not in {c.value for c in Channel}:
        return _start_page(service, customer, "Select how the customer contacted us", 400)
    case = cases.start_case(context(), key, None, channel, customer_id, actor=g.user.email)
    following = taskforms.next_task(context(), case.reference, g.user.email)
    if following is not None:
        return redirect(url_for("tasks.show", task_id=following.id))
    return redirect(url_for("tasks.outcome", reference=case.reference))


# -- customers ----------------------------------------------------------------------------------
def _onward(customer_id: int, service: str | None) -> str:
    """Where choosing a customer leads: the service being started, or their own page."""
    if service:
        return url_for(".start", key=service, customer=customer_id)
    return url_for(".customer", customer_id=customer_id)


@bp.get("/customers")
def find() -> Any:
    query = request.args.get("q", "").strip()
    service = request.args.get("service") or None
    if service:
        directory.get_service(context(), service)
    parsed = CustomerQuery.parse(query)
    found = customers.find_customers(context(), parsed) if query else []
    # "Add a new customer" starts from what was searched for, so nothing is typed twice.
    prefill = {k: v for k, v in vars(parsed).items() if v}
    if service:
        prefill["service"] = service
    return render_template("frontoffice/find.html", title="Find a customer", query=query, service=service,
                           found=found, onward=_onward, new_url=url_for(".new_customer", **prefill))


def _customer_form(template: str, title: str, values: dict[str, str], errors: dict[str, str] | None = None,
                   **extra: Any) -> Any:
    errors = errors or {}
    listed = [{"text": errors[name], "href": f"#{name}"} for name, *_ in CUSTOMER_FIELDS if name in errors]
    return render_template(template, title=title, fields=CUSTOMER_FIELDS, values=values, errors=errors,
                           error_list=listed or None, **extra), 400 if errors else 200


def _posted_details() -> dict[str, str]:
    return {name: request.form.get(name, "") for name, *_ in CUSTOMER_FIELDS}


@bp.route("/customers/new", methods=["GET", "POST"])
def new_customer() -> Any:
    service = request.values.get("service") or None
    if service:
        directory.get_service(context(), service)
    if request.method == "GET":
        given = {name: request.args.get(name, "") for name, *_ in CUSTOMER_FIELDS}
        return _customer_form("frontoffice/customer_form.html", "Add a customer", given, service=service)
    details = _posted_details()
    try:
        created = customers.create_customer(context(), details,
                                            allow_duplicate=request.form.get("allow_duplicate") == "yes")
    except FormInvalid as err:
        return _customer_form("frontoffice/customer_form.html", "Add a customer", details, err.errors,
                              service=service)
    except PossibleDuplicates as err:
        # Offer who they may be (each with "Use this customer"); the same form again adds them anyway.
        matches = [{"customer": m, "href": _onward(m.id, service),
                    "rows": [*customer_rows(m), {"key": {"text": "Same"}, "value": {"text": ", ".join(m.matched_on)}}]}
                   for m in err.matches]
        return _customer_form("frontoffice/customer_form.html", "Add a customer", details, service=service,
                              duplicates=matches)
    flash(f"{created.name} added as a customer")
    return redirect(_onward(created.id, service))


@bp.get("/customers/<int:customer_id>")
def customer(customer_id: int) -> Any:
    found = customers.get_customer(context(), customer_id)
    history = customers.customer_history(context(), customer_id)
    return render_template("frontoffice/customer.html", title=found.name, customer=found,
                           rows=customer_rows(found), history=history, channels=CHANNELS)


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
def edit_customer(customer_id: int) -> Any:
    found = customers.get_customer(context(), customer_id)
    title = f"Change {found.name}'s details"
    if request.method == "GET":
        values = {name: getattr(found, name) or "" for name, *_ in CUSTOMER_FIELDS}
        return _customer_form("frontoffice/customer_form.html", title, values, customer=found)
    details = _posted_details()
    try:
        customers.update_customer(context(), customer_id, details)
    except FormInvalid as err:
        return _customer_form("frontoffice/customer_form.html", title, details, err.errors, customer=found)
    flash("Customer details updated")
    return redirect(url_for(".customer", customer_id=customer_id))
