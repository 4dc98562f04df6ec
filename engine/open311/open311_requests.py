"""Service requests from partners' systems over Open311: a request becomes a case (channel
``partner``, started in the partner's name through the case writer), its intake form answered from
the request's attributes and checked with the same form schema staff use, so the case goes straight
to the team that does the work.

Only the request's own fields are ever shown back (``engine.open311.open311_status``): the reporter's name,
email and phone go into the case for staff, never into an Open311 answer.
"""
from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..bpmn import forms
from ..casework import casedata, customers, writer
from ..context import Context
from ..errors import FormInvalid
from ..persistence.tables import Open311Request
from ..residents import intake
from ..types import Channel
from . import open311_media, open311_reporters as reporters, open311_services, open311_status, partner_keys
from .open311_services import Attribute, Open311Service

logger = logging.getLogger(__name__)

LIMITS = {"description": 4000, "address_string": 500, "email": 320, "first_name": 100, "last_name": 100,
          "phone": 50, "media_url": 2000}
# XML 1.0 cannot carry these (nor can the case's JSON carry a lone surrogate): refused, not stripped.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
SPEC_NAMES = {"name": "first_name"}  # a customer's field as the spec names what the reporter sent


@dataclass(frozen=True)
class NewRequest:
    """A POST to requests.{json,xml} as the spec names its fields; ``attributes`` by code, each with
    the values sent (``attribute[CODE]`` once, or ``attribute[CODE][]`` for each choice of a list)."""

    service_code: str
    lat: str | None = None
    long: str | None = None
    address_string: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    description: str | None = None
    media_url: str | None = None
    attributes: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Created:
    service_request_id: str
    service_notice: str


def _coordinate(raw: str | None, name: str, bound: float, problems: dict[str, str]) -> float | None:
    if raw is None or not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > bound:
        problems[name] = f"{name} must be a number from -{bound:g} to {bound:g}"
        return None
    return value


def _standard_problems(new: NewRequest) -> dict[str, str]:
    problems: dict[str, str] = {}
    texts = {name: getattr(new, name) for name in LIMITS}
    texts.update({f"attribute[{code}]": " ".join(values) for code, values in new.attributes.items()})
    for name, text in texts.items():
        if text and UNSTORABLE.search(text):
            problems[name] = f"{name} holds a control character or a lone surrogate, which cannot be accepted"
        elif text and name in LIMITS and len(text) > LIMITS[name]:
            problems[name] = f"{name} must be {LIMITS[name]:,} characters or fewer"
    if new.email and "email" not in problems and not EMAIL.fullmatch(new.email.strip()):
        problems["email"] = "email must be an email address, like name@example.com"
    if new.media_url and "media_url" not in problems and not re.match(r"https?://\S+$", new.media_url.strip()):
        problems["media_url"] = "media_url must be an http or https address"
    return problems


def _value(attribute: Attribute, raw: str) -> Any:
    """A sent value as the form stores it; ValueError when it is not one."""
    if attribute.values:
        for choice in attribute.values:
            if raw == choice.key:
                return choice.value
        raise ValueError(f"attribute[{attribute.code}] must be one of: {', '.join(c.key for c in attribute.values)}")
    if attribute.value_type == "integer":
        return int(raw)
    if attribute.value_type == "number":
        number = float(raw)
        if not math.isfinite(number):
            raise ValueError(f"attribute[{attribute.code}] must be a number")
        return number
    return raw


def _answers(service: Open311Service, sent: dict[str, list[str]], problems: dict[str, str]) -> dict[str, Any]:
    known = {a.code: a for a in service.attributes}
    answers: dict[str, Any] = {}
    for code, values in sent.items():
        attribute = known.get(code)
        values = [v for v in values if v.strip()]
        if attribute is None:
            problems[f"attribute[{code}]"] = f"The service {service.code} has no attribute '{code}'"
            continue
        if not values:
            continue
        try:
            if attribute.datatype == "multivaluelist":
                answers[code] = [_value(attribute, v) for v in values]
            elif len(values) > 1:
                raise ValueError(f"attribute[{code}] takes one value")
            else:
                answers[code] = _value(attribute, values[0].strip() if attribute.value_type != "string" else values[0])
        except ValueError as err:
            problems[f"attribute[{code}]"] = (str(err) if str(err).startswith("attribute[")
                                              else f"attribute[{code}] must be a number")
    return answers


def _form_problems(service: Open311Service, answers: dict[str, Any]) -> dict[str, str]:
    """The intake form's own messages, named by attribute; a required field Open311 cannot fill is
    reported as such."""
    form = service.intake
    if form is None:
        return {}
    schema = form.schema()
    found = forms.errors_for(schema, answers, form.texts.files.get)
    return {f"attribute[{name}]": message for name, message in found.items()}


def _report(new: NewRequest, partner: str, service: Open311Service) -> dict[str, Any]:
    """What the case keeps of the request itself (its photo's address among it: fetched by the worker)."""
    return {"open311": {"partner": partner, "service_code": service.code, "description": new.description or "",
                        "address_string": new.address_string or None, "lat": new.lat or None,
                        "long": new.long or None, "media_url": new.media_url or None}}


def _details(new: NewRequest) -> dict[str, Any]:
    name = " ".join(p.strip() for p in (new.first_name, new.last_name) if p and p.strip())
    return {"name": name or None, "email": (new.email or "").strip() or None, "phone": (new.phone or "").strip() or None}


def _reporter_problems(details: dict[str, Any]) -> dict[str, str]:
    """The reporter's details as a customer's are checked (FormInvalid by the spec's names)."""
    if not details["name"] or not (details["email"] or details["phone"]):
        return {}
    try:
        customers.check_details(details)
    except FormInvalid as err:
        return {SPEC_NAMES.get(name, name): message for name, message in err.errors.items()}
    return {}


def create_request(ctx: Context, api_key: str, new: NewRequest) -> Created:
    """Start the case for a partner's report and answer its intake form (``engine.residents.intake``, as a
    resident's web form does); FormInvalid by field (the spec's names) when the request is incomplete
    or wrong, SignInFailed for a bad key, ServiceCodeNotFound for an unknown code. Nothing is written
    unless all of it is accepted.

    A reporter who gave a name and an email or phone is a customer: the one this partner's earlier
    reports from the same email (else phone) made, or a new one; customers recorded otherwise who may
    be them are flagged for staff, never merged (``engine.residents.intake``)."""
    holder = partner_keys.holder(ctx, api_key)
    service = open311_services.service(ctx, new.service_code)
    problems = _standard_problems(new)
    lat = _coordinate(new.lat, "lat", 90, problems)
    long = _coordinate(new.long, "long", 180, problems)
    if (lat is None) != (long is None) and "lat" not in problems and "long" not in problems:
        problems["lat"] = "Send both lat and long, or neither"
    if lat is None and not (new.address_string or "").strip() and not problems:
        problems["address_string"] = "Send where the problem is: lat and long, or address_string"
    details = _details(new)
    if not problems:
        problems.update(_reporter_problems(details))
    answers = _answers(service, new.attributes, problems)
    if not problems:
        problems.update(_form_problems(service, answers))
    if problems:
        raise FormInvalid(problems)
    report = _report(new, holder.name, service)
    casedata.check_bounds({**report, **answers}, "service request")
    media_url = (new.media_url or "").strip() or None

    def record(w: writer.CaseWriter) -> None:
        w.session.add(Open311Request(case_id=w.case.id, partner_id=holder.partner_id, service_code=service.code,
                                     requested_at=w.now, description=new.description or "",
                                     address=(new.address_string or "").strip() or None, lat=lat, long=long,
                                     media_url=media_url, media_status=open311_media.PENDING if media_url else None))
        reporters.remember(w, holder.partner_id, details)

    for attempt in (1, 2):  # a second try when the same new reporter's first report came at the same moment
        sent = reporters.submission(ctx, holder.partner_id, details, answers, report)
        try:
            started = intake.start(ctx, service.process, sent, Channel.PARTNER, actor=holder.name, person=False,
                                   how=f"Reported through {holder.name}", then=record)
            break
        except IntegrityError:
            if attempt == 2 or sent.customer_id is not None:
                raise
    logger.info("Open311 request %s from %s for %s", started.reference, holder.name, service.code,
                extra={"case": started.reference, "partner": holder.name, "service_code": service.code})
    return Created(started.reference, open311_status.notice(started.due_at))
