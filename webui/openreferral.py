"""The directory of services as an Open Referral UK (HSDS 3.0 UK profile) feed at /openreferral/, so
other directories and service finders can read it without asking us.

Public, anonymous and read-only, as the standard's compliance rules require: GET only, every answer
(errors and preflights too) carries ``Access-Control-Allow-Origin: *`` so a browser app on any site
can read it. What is published is decided in the engine (``engine.catalogue.directory_feed``); this module
only shapes it. The UK profile defines no error body, so errors are our API's
``{"message": ...}``. Optional fields with no value are left out rather than sent empty, as the
standard asks.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed, NotFound

from engine import catalogue
from engine.catalogue import PartnerInfo

from . import access

PREFIX = "/openreferral"
HSDS_VERSION = "3.0"
PROFILE_URL = "https://docs.openreferraluk.org/en/latest/"
OPENAPI_URL = "https://raw.githubusercontent.com/OpenReferralUK/uk-profile/main/schema/openapi.json"
# The LGSL as the UK profile's service finders know it: vocabulary name and each type's address.
LGSL_VOCABULARY = "esdServiceTypes"
LGSL_LIST_URI = "http://id.esd.org.uk/list/services"
LGSL_TERM_URI = "http://id.esd.org.uk/service/{}"
DEFAULT_PER_PAGE, MAX_PER_PAGE = 50, 500  # a larger per_page is served as the largest, not refused
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
        "Access-Control-Allow-Headers": "Accept, Accept-Language, Content-Type, Cache-Control",
        "Access-Control-Max-Age": "86400"}

bp = Blueprint("openreferral", __name__, url_prefix=PREFIX)


def _json(document: dict[str, Any], status: int = 200) -> Response:
    """Keys in the order written (the paging fields before the contents, as validators expect)."""
    return current_app.response_class(json.dumps(document, ensure_ascii=False), status=status,
                                      mimetype="application/json")


def _ids() -> catalogue.FeedIds:
    return catalogue.FeedIds(current_app.config["COUNCIL_NAME"])


def _filled(**fields: Any) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value not in (None, "", [])}


def _web_address(text: str | None) -> str | None:
    """A partner's website as an absolute http(s) address ("www.x.org" gains "https://")."""
    text = (text or "").strip()
    if not text or re.search(r"\s", text):
        return None
    return text if re.match(r"https?://", text, re.I) else None if "://" in text else f"https://{text}"


def _email(text: str | None) -> str | None:
    return text.strip() if text and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text.strip()) else None


def _organisation(partner: PartnerInfo | None) -> dict[str, Any]:
    council = current_app.config["COUNCIL_NAME"]
    if partner is None:
        return {"id": _ids().organisation(None), "name": council,
                "description": f"{council}, the local authority that publishes this directory of services."}
    return _filled(id=_ids().organisation(partner.name), name=partner.name,
                   description=f"An organisation outside {council} that runs services residents are referred to.",
                   email=_email(partner.email), website=_web_address(partner.website))


def _service(service: catalogue.PublicService, full: bool) -> dict[str, Any]:
    ids, partner = _ids(), service.partner
    described = "\n\n".join(text for text in (service.description.strip(), service.public_info) if text)
    shaped = _filled(id=ids.service(service.key), organization_id=ids.organisation(partner.name if partner else None),
                     name=service.name, description=described,
                     url=_web_address(partner.website) if partner else None,
                     email=_email(partner.email) if partner else None, status="active",
                     last_modified=service.updated_at.isoformat(timespec="seconds"),
                     organization=_organisation(partner))
    if full:
        shaped.update(_filled(
            attributes=[{"id": ids.id_for("attribute", service.key), "link_id": shaped["id"],
                         "taxonomy_term_id": ids.lgsl_term(service.lgsl), "taxonomy_term": _term(service.lgsl)}]
            if service.lgsl is not None else None,
            phones=[{"id": ids.id_for("phone", service.key), "number": partner.phone}]
            if partner is not None and partner.phone else None))
    return shaped


def _term(lgsl: int) -> dict[str, Any]:
    return {"id": _ids().lgsl_term(lgsl), "name": f"LGSL {lgsl}",
            "description": f"Service type {lgsl} of the Local Government Service List",
            "taxonomy": LGSL_VOCABULARY, "taxonomy_id": _ids().lgsl_taxonomy(),
            "term_uri": LGSL_TERM_URI.format(lgsl), "term": str(lgsl)}


def _taxonomy(terms: list[int] | None = None) -> dict[str, Any]:
    shaped = {"id": _ids().lgsl_taxonomy(), "name": LGSL_VOCABULARY,
              "description": "The Local Government Service List (LGSL): the types of service UK councils provide",
              "uri": LGSL_LIST_URI}
    return shaped if terms is None else {**shaped, "taxonomy_terms": [_term(n) for n in terms]}


def _number(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise BadRequest(f"'{name}' must be a whole number from 1")
    return int(raw)


def _paging() -> tuple[int, int]:
    return _number("page", 1), min(_number("per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)


def _page(contents: list[dict[str, Any]], total: int, page: int, per_page: int) -> Response:
    pages = math.ceil(total / per_page)
    return _json({"total_items": total, "total_pages": pages, "page_number": page, "size": len(contents),
                  "first_page": page == 1, "last_page": page >= pages, "empty": not contents,
                  "contents": contents})


def _lgsl_filter() -> frozenset[int] | None:
    """The LGSL ids ``taxonomy_term_id`` (ours, or the term's esd address) or ``taxonomy_id`` ask for;
    an id we do not publish matches nothing."""
    term, taxonomy = request.args.get("taxonomy_term_id"), request.args.get("taxonomy_id")
    if not term and not taxonomy:
        return None
    known = catalogue.published_lgsl_ids(current_app.extensions["councilflow"])
    wanted = set(known) if not taxonomy or taxonomy == _ids().lgsl_taxonomy() else set()
    if term:
        wanted &= {n for n in known if term in (_ids().lgsl_term(n), LGSL_TERM_URI.format(n))}
    return frozenset(wanted)


@bp.get("/")
def info() -> Response:
    return _json({"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL})


@bp.get("/services", strict_slashes=False)  # ORUK 1.0 clients ask for /services/
def services() -> Response:
    page, per_page = _paging()
    found = catalogue.public_services(current_app.extensions["councilflow"],
                                      request.args.get("search") or request.args.get("text"), _lgsl_filter(),
                                      offset=(page - 1) * per_page, limit=per_page)
    return _page([_service(s, full=False) for s in found.services], found.total, page, per_page)


@bp.get("/services/<service_id>")
def service(service_id: str) -> Response:
    found = catalogue.find_public_service(current_app.extensions["councilflow"], _ids(), service_id)
    if found is None:
        raise NotFound(f"There is no service '{service_id}' in this directory")
    return _json(_service(found, full=True))


@bp.get("/taxonomies", strict_slashes=False)  # ORUK 1.0 clients ask for /taxonomies/
def taxonomies() -> Response:
    page, per_page = _paging()
    return _page([_taxonomy()] if page == 1 else [], 1, page, per_page)


@bp.get("/taxonomies/<taxonomy_id>")
def taxonomy(taxonomy_id: str) -> Response:
    if taxonomy_id != _ids().lgsl_taxonomy():
        raise NotFound(f"There is no taxonomy '{taxonomy_id}' in this directory")
    return _json(_taxonomy(catalogue.published_lgsl_ids(current_app.extensions["councilflow"])))


@bp.get("/taxonomy_terms", strict_slashes=False)  # ORUK 1.0 clients ask for /taxonomy_terms/
def taxonomy_terms() -> Response:
    page, per_page = _paging()
    terms = catalogue.published_lgsl_ids(current_app.extensions["councilflow"])
    shown = terms[(page - 1) * per_page:page * per_page]
    return _page([_term(n) for n in shown], len(terms), page, per_page)


@bp.get("/taxonomy_terms/<term_id>")
def taxonomy_term(term_id: str) -> Response:
    found = next((n for n in catalogue.published_lgsl_ids(current_app.extensions["councilflow"])
                  if _ids().lgsl_term(n) == term_id), None)
    if found is None:
        raise NotFound(f"There is no taxonomy term '{term_id}' in this directory")
    return _json(_term(found))


@bp.errorhandler(HTTPException)
def error(err: HTTPException) -> Response:
    return _json({"message": err.description or err.name}, err.code or 500)


def routing_errors() -> Response | None:
    """Before every request: an address under /openreferral/ that matches no route, or not with this
    method (the feed is GET only), is answered as JSON here — blueprint handlers never see those."""
    err = request.routing_exception
    if not request.path.startswith(PREFIX + "/") or not isinstance(err, (NotFound, MethodNotAllowed)):
        return None
    if isinstance(err, NotFound):
        err = NotFound(f"There is nothing at {request.path} in this Open Referral feed")
    response = error(err)
    if isinstance(err, MethodNotAllowed):
        response.headers["Allow"] = "GET, HEAD, OPTIONS"
    return response


def cors(response: Response) -> Response:
    """On every answer under /openreferral/ (errors and preflights included): readable from any site.
    Nothing here depends on who asks, so no credentials are ever allowed."""
    if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
        response.headers.update(CORS)
    return response


def register(app: Flask) -> None:
    """Public (no sign-in, no API key: the standard's openness rule); GET needs no CSRF token."""
    access.register(app, bp, access.PUBLIC)
    app.before_request(routing_errors)
    app.after_request(cors)
