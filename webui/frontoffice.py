"""Front office: the service directory, finding or creating the customer, starting a case with its channel.

The customer's address is found by postcode in the council's gazetteer ("Find address" sends the
form back to the server, so it works without JavaScript) or typed; a picked address is saved with
its UPRN, and a case started for the customer carries it as ``customer_address``.

The chosen customer travels between pages as ``?customer=<id>`` (and the chosen service as
``?service=<key>``), never in the session: an advisor may serve two callers in two tabs.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from engine import casework, catalogue
from engine.casework import CustomerQuery, CustomerView, PossibleDuplicates
from engine.errors import FormInvalid
from engine.types import Channel

from . import addresses
from .current import context
from .forms import address

bp = Blueprint("frontoffice", __name__)
CHANNELS = {Channel.PHONE: "Phone", Channel.FACE_TO_FACE: "Face to face", Channel.EMAIL: "Email",
            Channel.WEB: "Web form", Channel.COUNCILLOR: "Councillor", Channel.PARTNER: "Partner organisation"}
# The customer form's fields: (name, label, autocomplete, input type, width class).
# The postcode comes before the address: "Find address" looks it up in the gazetteer.
CUSTOMER_FIELDS = (("name", "Full name", "name", "text", None),
                   ("postcode", "Postcode", "postal-code", "text", "govuk-input--width-10"),
                   ("address", "Address", "street-address", None, None),
                   ("phone", "Phone number", "tel", "tel", "govuk-input--width-20"),
                   ("email", "Email address", "email", "email", None))


def selected_customer() -> CustomerView | None:
    """The customer named by ``?customer=`` (a 404 page if there is none with that id)."""
    customer_id = request.args.get("customer", type=int)
    return casework.get_customer(context(), customer_id) if customer_id is not None else None


def customer_rows(customer: CustomerView) -> list[dict[str, Any]]:
    """Summary-list rows of a customer's details (the ones they gave)."""
    details = {"Name": customer.name, "Address": customer.address, "Postcode": customer.postcode,
               "Phone": customer.phone, "Email": customer.email}
    return [{"key": {"text": label}, "value": {"text": value}} for label, value in details.items() if value]


# -- the service directory ----------------------------------------------------------------------
@bp.get("/services")
def services() -> Any:
    query = request.args.get("q", "").strip()
    customer = selected_customer()
    found = catalogue.search(context(), query) if query else []
    letters = [] if query else catalogue.a_to_z(catalogue.all_services(context()))
    return render_template("frontoffice/services.html", title="Find a service", query=query, found=found,
                           letters=letters, customer=customer,
                           rows=customer_rows(customer) if customer else [])


def _startable(key: str) -> catalogue.Service:
    """The service ``key`` if it starts a mapped process; 404 otherwise (other directory services are
    resolved, handed off or referred from their own page)."""
    service = catalogue.get_service(context(), key)
    if not service.startable:
        abort(404)
    return service


@bp.get("/services/<key>/start")
def start(key: str) -> Any:
    return _start_page(_startable(key), selected_customer())


def _start_page(service: catalogue.Service, customer: CustomerView | None, error: str | None = None,
                status: int = 200) -> Any:
    choices = [{"value": c.value, "text": label} for c, label in CHANNELS.items()]
    return render_template("frontoffice/start.html", title=f"Start: {service.name}", service=service,
                           customer=customer, rows=customer_rows(customer) if customer else [],
                           channels=choices, error=error,
                           error_list=[{"text": error, "href": "#channel"}] if error else None), status


@bp.post("/services/<key>/start")
def start_case(key: str) -> Any:
    service = _startable(key)
    customer_id = request.form.get("customer", type=int)
    customer = casework.get_customer(context(), customer_id) if customer_id is not None else None
    channel = request.form.get("channel", "")
    if channel not in {c.value for c in Channel}:
        return _start_page(service, customer, "Select how the customer contacted us", 400)
    case = casework.start_case(context(), service.process or key, None, channel, customer_id, actor=g.user.email,
                               service=service.key if service.in_directory else None)
    following = casework.next_task(context(), case.reference, g.user.email)
    if following is not None:
        return redirect(url_for("tasks.show", task_id=following.id))
    return redirect(url_for("tasks.outcome", reference=case.reference))


# -- customers ----------------------------------------------------------------------------------
def _onward(customer_id: int, service: catalogue.Service | None) -> str:
    """Where choosing a customer leads: the service being started (a directory service that starts
    no map: its own page, where the contact is taken), or their own page."""
    if service is not None and service.startable:
        return url_for(".start", key=service.key, customer=customer_id)
    if service is not None:
        return url_for("services.entry", key=service.key, customer=customer_id)
    return url_for(".customer", customer_id=customer_id)


@bp.get("/customers")
def find() -> Any:
    query = request.args.get("q", "").strip()
    service = request.args.get("service") or None
    chosen = catalogue.get_service(context(), service) if service else None
    parsed = CustomerQuery.parse(query)
    found = casework.find_customers(context(), parsed) if query else []
    # "Add a new customer" starts from what was searched for, so nothing is typed twice.
    prefill = {k: v for k, v in vars(parsed).items() if v}
    if service:
        prefill["service"] = service
    return render_template("frontoffice/find.html", title="Find a customer", query=query, service=service,
                           found=found, onward=lambda customer_id, _key: _onward(customer_id, chosen),
                           new_url=url_for(".new_customer", **prefill))


def _address_choices(values: dict[str, str], searched: bool, errors: dict[str, str]) -> list[dict[str, Any]] | None:
    """The gazetteer's addresses at the postcode to pick from, once looked up or one was picked before;
    a postcode that is not one is an error beside it."""
    if not (values.get("postcode") and (searched or values.get("uprn"))):
        return None
    try:
        found = addresses.lookup(values["postcode"])
    except ValueError as err:
        errors.setdefault("postcode", str(err))
        return None
    return [{"value": str(a["uprn"]), "text": a["address"], "selected": str(a["uprn"]) == str(values.get("uprn"))}
            for a in found]


def _customer_form(template: str, title: str, values: dict[str, str], errors: dict[str, str] | None = None,
                   searched: bool = False, **extra: Any) -> Any:
    errors = dict(errors or {})
    choices = _address_choices(values, searched, errors)
    listed = [{"text": errors[name], "href": f"#{name}"} for name, *_ in CUSTOMER_FIELDS if name in errors]
    failed = bool(errors) and not searched
    return render_template(template, title=title, fields=CUSTOMER_FIELDS, values=values, errors=errors,
                           error_list=listed or None, choices=choices, **extra), 400 if failed else 200


def _posted_details() -> dict[str, str]:
    """What was typed; an address picked from the gazetteer replaces the typed address and postcode."""
    details = {name: request.form.get(name, "") for name, *_ in CUSTOMER_FIELDS}
    uprn = request.form.get("address-uprn", "").strip()
    picked = addresses.find(int(uprn)) if uprn.isdigit() else None
    if picked is not None:
        details.update(address=picked["address"], postcode=picked["postcode"], uprn=uprn)
    return details


def _finding_address() -> bool:
    """Whether "Find address" sent the form (to look the postcode up, not to save)."""
    return address.action(request.form) is not None


@bp.route("/customers/new", methods=["GET", "POST"])
def new_customer() -> Any:
    service = request.values.get("service") or None
    chosen = catalogue.get_service(context(), service) if service else None
    if request.method == "GET":
        given = {name: request.args.get(name, "") for name, *_ in CUSTOMER_FIELDS}
        return _customer_form("frontoffice/customer_form.html", "Add a customer", given, service=service)
    details = _posted_details()
    if _finding_address():
        return _customer_form("frontoffice/customer_form.html", "Add a customer", details, searched=True,
                              service=service)
    try:
        created = casework.create_customer(context(), details,
                                           allow_duplicate=request.form.get("allow_duplicate") == "yes")
    except FormInvalid as err:
        return _customer_form("frontoffice/customer_form.html", "Add a customer", details, err.errors,
                              service=service)
    except PossibleDuplicates as err:
        # Offer who they may be (each with "Use this customer"); the same form again adds them anyway.
        matches = [{"customer": m, "href": _onward(m.id, chosen),
                    "rows": [*customer_rows(m), {"key": {"text": "Same"}, "value": {"text": ", ".join(m.matched_on)}}]}
                   for m in err.matches]
        return _customer_form("frontoffice/customer_form.html", "Add a customer", details, service=service,
                              duplicates=matches)
    flash(f"{created.name} added as a customer")
    return redirect(_onward(created.id, chosen))


@bp.get("/customers/<int:customer_id>")
def customer(customer_id: int) -> Any:
    found = casework.get_customer(context(), customer_id)
    history = casework.customer_history(context(), customer_id, g.user.email)
    return render_template("frontoffice/customer.html", title=found.name, customer=found,
                           rows=customer_rows(found), history=history, channels=CHANNELS)


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
def edit_customer(customer_id: int) -> Any:
    found = casework.get_customer(context(), customer_id)
    title = f"Change {found.name}'s details"
    if request.method == "GET":
        values = {name: getattr(found, name) or "" for name, *_ in CUSTOMER_FIELDS}
        values["uprn"] = str(found.uprn or "")
        return _customer_form("frontoffice/customer_form.html", title, values, customer=found)
    details = _posted_details()
    if _finding_address():
        return _customer_form("frontoffice/customer_form.html", title, details, searched=True, customer=found)
    try:
        casework.update_customer(context(), customer_id, details)
    except FormInvalid as err:
        return _customer_form("frontoffice/customer_form.html", title, details, err.errors, customer=found)
    flash("Customer details updated")
    return redirect(url_for(".customer", customer_id=customer_id))
