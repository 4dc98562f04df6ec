"""Residents' pages (no sign-in): the services published on the web, a start page for each, the form
before the first hand-off in the residents' wording (``webui.forms.public``) with their contact
details, "Check your answers", and the confirmation with the case reference.

The answers being checked travel in the check page itself, signed (as the staff task pages do), so
nothing is stored until the resident sends them; the confirmation page's address carries the
reference signed and dated, so it cannot be used to look other references up.
"""
from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from markupsafe import Markup

from engine import residents
from engine.appointments import SlotTaken
from engine.errors import FormInvalid
from engine.types import PublishChannel

from . import resident_slots
from .current import context, today
from .forms import Form
from .forms.public import CONTACT_PREFIX, PublicForm, contact_details, contact_form, public_form
from .i18n import N_, locale
from .public_guard import HONEYPOT, honeypot_filled, protect

bp = Blueprint("residents", __name__, url_prefix="/report")


# What the engine may say of a resident's contact details (engine.casework.customers), for the Welsh catalogue.
ENGINE_WORDS = (N_("Enter a real postcode, like AN1 2BC"),
                N_("Enter a telephone number, like 01632 960 001 or 07700 900 982"),
                N_("Enter an email address in the correct format, like name@example.com"))
protect(bp)
CONFIRMATION_MAX_AGE_S = 3600  # the confirmation page's address works for an hour


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="councilflow.resident-answers")


def _receipts() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="councilflow.resident-receipt")


def _service(key: str) -> tuple[residents.WebService, PublicForm | None]:
    found = residents.web_service(context(), key)  # ServiceNotPublished: a 404 page
    found = replace(found, service=found.service.in_language(locale()))
    texts = found.form
    if texts is None or texts.schema is None:
        return found, None
    loaded = Form.from_texts(texts.schema, texts.ui_schema, texts.files.get, texts.name)
    public = public_form(loaded.schema, loaded.ui_schema, texts.files.get, locale())
    resident_slots.offer(public.form)  # an appointment field offers the slots free now
    return found, public


@bp.get("")
def index() -> Any:
    services = [s.in_language(locale()) for s in residents.published(context(), PublishChannel.WEB)]
    return render_template("residents/index.html", title=_("Report or apply online"), services=services)


@bp.get("/<key>")
def start(key: str) -> Any:
    found, _form = _service(key)
    return render_template("residents/start.html", title=found.service.title, service=found.service)


def _form_page(key: str, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
               status: int = 200) -> Any:
    found, public = _service(key)
    contact = contact_form()
    values = values or {}
    errors = errors or {}  # each form's summary lists its own fields' mistakes (once, with their links)
    mine = {name: text for name, text in errors.items() if name.startswith(CONTACT_PREFIX)}
    theirs = {name: text for name, text in errors.items() if name not in mine}
    service_view = public.form.view(values, theirs) if public else {"components": [], "error_list": []}
    contact_view = contact.view(values, mine)
    return render_template(
        "residents/form.html", title=(public.title if public and public.title else found.service.title),
        service=found.service, description=public.description if public else None,
        components=service_view["components"], contact_components=contact_view["components"],
        error_list=(service_view["error_list"] + contact_view["error_list"]) or None, honeypot=HONEYPOT), status


@bp.get("/<key>/form")
def form(key: str) -> Any:
    return _form_page(key)


def _check_page(key: str, answers: dict[str, Any], contact: dict[str, Any]) -> Any:
    found, public = _service(key)
    # The sending's own key: sending this page twice (a double click, the back button) starts one case.
    token = _signer().dumps({"key": key, "answers": answers, "contact": contact, "sending": secrets.token_hex(16)})
    rows = (public.form.answers(answers) if public else []) + contact_form().answers(contact, answered_only=True)
    return render_template("residents/check.html", title=_("Check your answers before sending"),
                           service=found.service, answers=rows, token=token)


@bp.post("/<key>/form")
def submit(key: str) -> Any:
    if honeypot_filled():
        abort(400)
    found, public = _service(key)
    contact = contact_form()
    service_part = public.form.read(request.form) if public else None
    contact_part = contact.read(request.form)
    answers = service_part.data if service_part else {}
    values = {**(service_part.values if service_part else {}), **contact_part.values}
    errors = {**(public.form.errors(answers, today()) if public else {}), **contact.errors(contact_part.data)}
    errors.update({name: _("Remove the character that cannot be stored from this answer")
                   for name, value in {**answers, **contact_part.data}.items() if "\x00" in str(value)})
    if not errors:
        try:  # the engine's own checks of a customer's details (a real postcode, a UK phone number)
            residents.check_contact(contact_details(contact_part.data))
        except FormInvalid as err:
            errors = {CONTACT_PREFIX + k: _(v) for k, v in err.errors.items()}
    if errors:
        return _form_page(key, values, errors, 400)
    return _check_page(key, answers, contact_part.data)


def _carried(key: str) -> dict[str, Any]:
    try:
        carried = _signer().loads(request.form.get("answers", ""))
    except BadSignature:
        abort(400)
    if carried.get("key") != key:
        abort(400)
    return dict(carried)


@bp.post("/<key>/change")
def change(key: str) -> Any:
    carried = _carried(key)
    found, public = _service(key)
    values = {**(public.form.values(carried["answers"]) if public else {}),
              **contact_form().values(carried["contact"])}
    return _form_page(key, values)


@bp.post("/<key>/send")
def send(key: str) -> Any:
    carried = _carried(key)
    try:
        report = residents.submit(context(), key, carried["answers"], contact_details(carried["contact"]),
                                  language=locale(), sending=carried.get("sending"))
    except FormInvalid:  # the map changed since the form was shown: ask again
        return _form_page(key, {}, None, 409)
    except SlotTaken:  # another resident took that time a moment ago: nothing was kept; offer what is free now
        found, public = _service(key)
        fields = resident_slots.booking_fields(public.form) if public else []
        kept = {k: v for k, v in carried["answers"].items() if k not in fields}
        values = {**(public.form.values(kept) if public else {}), **contact_form().values(carried["contact"])}
        return _form_page(key, values, {name: _("That time has just been booked by someone else. Choose another "
                                                "time") for name in fields}, 409)
    return redirect(url_for(".sent", key=key, receipt=_receipts().dumps(report.reference)))


@bp.get("/<key>/sent/<receipt>")
def sent(key: str, receipt: str) -> Any:
    try:
        reference = _receipts().loads(receipt, max_age=CONFIRMATION_MAX_AGE_S)
    except BadSignature:
        abort(404)
    found, _form = _service(key)
    reference_html = Markup("{}<br><strong>{}</strong>").format(_("Your reference number"), reference)
    return render_template("residents/sent.html", title=_("Report sent"), service=found.service,
                           reference=reference, reference_html=reference_html,
                           appointments=resident_slots.booked(reference))
