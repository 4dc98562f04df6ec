"""The Open311 GeoReport v2 server at /open311/v2/, as FixMyStreet and other partners' systems use it:
discovery, services and their definitions, posting a request, following requests, and FixMyStreet's
``servicerequestupdates`` extension. Every call answers in the format its address ends with
(``.json`` or ``.xml``); errors use the spec's error document and HTTP codes.

No staff sign-in and no CSRF token (``access.PARTNER_KEY``): reading services and requests is open,
as the spec has it; posting a request and reading updates need a partner's ``api_key``
(``councilflow partners add NAME``). What is offered is decided in the engine (``engine.residents.publishing``,
``engine.open311.open311_services``); this module only reads the request and shapes the answer.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request, url_for
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from engine import open311
from engine.context import Context
from engine.errors import EngineError, FormInvalid, SignInFailed, UserError
from engine.errors import NotFound as EngineNotFound

from . import access
from .open311_documents import document, errors

PREFIX = "/open311/v2"
SPEC = "http://wiki.open311.org/GeoReport_v2"
MAX_BODY = 64 * 1024  # a report with every field at its limit is well under this
FORMAT = "<any(json,xml):fmt>"
UPDATE_FIELDS = ("update_id", "service_request_id", "description", "status", "updated_datetime", "first_name",
                 "last_name", "email")
STANDARD = ("lat", "long", "address_string", "email", "first_name", "last_name", "phone", "description", "media_url")

bp = Blueprint("open311", __name__, url_prefix=PREFIX)


def _ctx() -> Context:
    ctx: Context = current_app.extensions["councilflow"]
    return ctx


def _fmt() -> str:
    return "xml" if request.path.endswith(".xml") else "json"


def _datetime(name: str) -> datetime | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise UserError(f"{name} must be a W3C date and time, like 2026-01-31T09:00:00Z") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _listed(name: str) -> tuple[str, ...]:
    return tuple(v.strip() for raw in request.args.getlist(name) for v in raw.split(",") if v.strip())


def _service(service: open311.Open311Service) -> dict[str, Any]:
    return {"service_code": service.code, "service_name": service.name, "description": service.description,
            "metadata": True, "type": "realtime", "keywords": ", ".join(service.keywords), "group": ""}


def _attribute(attribute: open311.Attribute) -> dict[str, Any]:
    return {"variable": True, "code": attribute.code, "datatype": attribute.datatype,
            "required": attribute.required, "datatype_description": attribute.hint or "",
            "order": attribute.order, "description": attribute.description,
            "values": [{"key": v.key, "name": v.name} for v in attribute.values]}


def _request(status: open311.RequestStatus) -> dict[str, Any]:
    return {"service_request_id": status.service_request_id, "status": status.status,
            "status_notes": status.status_notes, "service_name": status.service_name,
            "service_code": status.service_code, "description": status.description,
            "agency_responsible": status.agency_responsible or "", "service_notice": status.service_notice,
            "requested_datetime": status.requested_datetime, "updated_datetime": status.updated_datetime,
            "expected_datetime": status.expected_datetime, "address": status.address or "",
            "address_id": "", "zipcode": "", "lat": status.lat, "long": status.long,
            "media_url": status.media_url or ""}


@bp.get("/discovery.<any(json,xml):fmt>")
def discovery(fmt: str) -> Response:
    return document(fmt, "discovery", {
        "changeset": "2026-12-05T00:00:00+00:00", "contact": current_app.config["COUNCIL_NAME"],
        "key_service": "Ask the council for an API key (councilflow partners add NAME)",
        "endpoints": [{"specification": SPEC, "url": url_for("open311.discovery", fmt=fmt, _external=True)
                       .rsplit("/", 1)[0], "changeset": "2026-12-05T00:00:00+00:00", "type": "production",
                       "formats": ["application/json", "text/xml"]}]})


@bp.get(f"/services.{FORMAT}")
def services(fmt: str) -> Response:
    return document(fmt, "services", [_service(s) for s in open311.services(_ctx())])


@bp.get(f"/services/<code>.{FORMAT}")
def service_definition(code: str, fmt: str) -> Response:
    found = open311.service(_ctx(), code)
    return document(fmt, "service_definition",
                    {"service_code": found.code, "attributes": [_attribute(a) for a in found.attributes]})


@bp.post(f"/requests.{FORMAT}")
def create_request(fmt: str) -> Response:
    if (request.content_length or 0) > MAX_BODY:
        return errors(fmt, 413, [f"The request must be {MAX_BODY // 1024} KB or smaller"])
    form = request.form
    attributes: dict[str, list[str]] = {}
    for name in form:
        if name.startswith("attribute[") and "]" in name:
            attributes.setdefault(name[len("attribute["):name.index("]")], []).extend(form.getlist(name))
    new = open311.NewRequest(form.get("service_code", "").strip(), attributes=attributes,
                             **{f: form.get(f) for f in STANDARD})
    if not new.service_code:
        raise UserError("service_code is required")
    created = open311.create_request(_ctx(), form.get("api_key", ""), new)
    return document(fmt, "service_requests", [{"service_request_id": created.service_request_id,
                                               "service_notice": created.service_notice, "account_id": ""}], 201)


@bp.get(f"/requests.{FORMAT}")
def list_requests(fmt: str) -> Response:
    filters = open311.Filters(_listed("service_request_id"), _listed("service_code"),
                              _datetime("start_date"), _datetime("end_date"), _listed("status"))
    return document(fmt, "service_requests", [_request(r) for r in open311.requests(_ctx(), filters)])


@bp.get(f"/requests/<request_id>.{FORMAT}")
def one_request(request_id: str, fmt: str) -> Response:
    return document(fmt, "service_requests", [_request(open311.request(_ctx(), request_id))])


@bp.get("/servicerequestupdates.<any(json,xml):fmt>")
def request_updates(fmt: str) -> Response:
    holder = open311.holder(_ctx(), request.args.get("api_key", ""))
    found = open311.updates(_ctx(), holder.partner_id, _datetime("start_date"), _datetime("end_date"))
    return document(fmt, "service_requests_updates", [
        {"update_id": u.update_id, "service_request_id": u.service_request_id, "status": u.status,
         "updated_datetime": u.updated_datetime, "description": u.description, "media_url": ""} for u in found])


@bp.post("/servicerequestupdates.<any(json,xml):fmt>")
def post_update(fmt: str) -> Response:
    """FixMyStreet's extension: a comment or status its user added to a report; the same update_id
    again gives the same answer."""
    if (request.content_length or 0) > MAX_BODY:
        return errors(fmt, 413, [f"The request must be {MAX_BODY // 1024} KB or smaller"])
    form = request.form
    sent = open311.PostedUpdate(**{name: form.get(name, "") for name in UPDATE_FIELDS})
    ours = open311.post_update(_ctx(), form.get("api_key", ""), sent)
    return document(fmt, "service_request_updates", [{"update_id": ours}])


@bp.errorhandler(EngineError)
def engine_error(err: EngineError) -> Response:
    if isinstance(err, open311.RateLimited):
        response = errors(_fmt(), 429, [err.message])
        response.headers["Retry-After"] = str(err.retry_after)
        return response
    if isinstance(err, FormInvalid):
        return errors(_fmt(), 400, [f"{name}: {message}" if not message.startswith(name) else message
                                    for name, message in err.errors.items()])
    if isinstance(err, SignInFailed):
        return errors(_fmt(), 403, [err.message])
    if isinstance(err, EngineNotFound):
        return errors(_fmt(), 404, [err.message])
    if isinstance(err, UserError):
        return errors(_fmt(), 400, [err.message])
    current_app.logger.exception("Open311 call failed")
    return errors(_fmt(), 500, ["The council's system could not answer; try again later"])


@bp.errorhandler(HTTPException)
def http_error(err: HTTPException) -> Response:
    return errors(_fmt(), err.code or 500, [err.description or err.name])


def routing_errors() -> Response | None:
    """Before every request: an address under /open311/v2/ that matches no route, or not with this
    method, is answered in the spec's error format (blueprint handlers never see those)."""
    err = request.routing_exception
    if not request.path.startswith(PREFIX + "/") or not isinstance(err, (NotFound, MethodNotAllowed)):
        return None
    if isinstance(err, NotFound):
        return errors(_fmt(), 404, [f"There is nothing at {request.path} in this Open311 server"])
    response = errors(_fmt(), 405, [f"{request.method} is not allowed here"])
    response.headers["Allow"] = ", ".join(sorted(err.valid_methods or []))
    return response


def register(app: Flask, csrf: Any) -> None:
    """No staff sign-in and no CSRF token: partners' systems are not browsers with our session; the
    calls that change or reveal a partner's data check its api_key themselves."""
    access.register(app, bp, access.PARTNER_KEY)
    csrf.exempt(bp)
    app.before_request(routing_errors)
