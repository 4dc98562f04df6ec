"""The start page (each role's places to work) and the error pages every page view shares."""
from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import Blueprint, Flask, g, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from engine import members
from engine.errors import CaseRestricted, EngineError
from engine.persistence import UNAVAILABLE
from engine.types import Role
from engine.people import has_role

from . import current, notifications
from .api.errors import RETRY_AFTER_S, status_for
from .i18n import N_

bp = Blueprint("home", __name__)
logger = logging.getLogger(__name__)

# (role, title, where, what it is for): the start page shows the places the user's roles admit.
PLACES = (
    (Role.FRONT_OFFICE, "Services", "/services", "Find a service for a resident and start their case."),
    (Role.FRONT_OFFICE, "Task inbox", "/inbox", "Customer Hub tasks: call-backs and more information."),
    (Role.FRONT_OFFICE, "Questions", "/inbox/questions", "Questions the back office handed back to you."),
    (Role.FRONT_OFFICE, "Emails", "/emails", "Emails to the shared mailboxes: start a case, add to one or resolve."),
    (Role.FRONT_OFFICE, "Arrivals", "/arrivals", "Today's appointments at the hub: check in, call, finish, walk-ins."),
    (Role.BACK_OFFICE, "Task inbox", "/inbox", "Your tasks and your teams' queues."),
    (Role.TEAM_LEAD, "Task inbox", "/inbox", "Your teams' queues, workload and escalations."),
    (Role.TEAM_LEAD, "Management information", "/mi",
     "Demand and peaks, first-contact resolution, avoidable contact, hand-offs, SLAs and backlog."),
    (Role.COUNCILLOR, N_("My enquiries"), "/councillor/", "Raise enquiries for residents and follow them."),
    (Role.ANALYST, "Processes", "/processes", "Upload process maps, see versions and where cases wait."),
    (Role.ANALYST, "Form previews", "/forms/", "See every form as staff will see it."),
    (Role.ANALYST, "Published services", "/published-services", "Offer services to residents online, councillors and partners' systems."),
    (Role.ADMIN, "Users", "/admin/users", "Users, roles and team membership."),
    (Role.ADMIN, "Teams and lanes", "/admin/teams", "Teams and which BPMN lanes they work."),
    (Role.ADMIN, "API tokens", "/admin/tokens", "Personal tokens for the REST API."),
    (Role.ADMIN, "Incidents", "/admin/incidents", "Hand-offs to back-office systems that need a person."),
    (Role.ADMIN, "SLAs", "/admin/sla", "Service levels, working calendar and closure days."),
    (Role.ADMIN, "Service search", "/admin/search-words", "Callers' words and keywords the service search knows."),
    (Role.ADMIN, "Appointments", "/admin/appointments", "Appointment types, locations and desks' opening."),
    (Role.ADMIN, "Mailboxes", "/admin/mailboxes", "Shared mailboxes whose emails come into the triage inboxes."),
    (Role.ADMIN, "Audit trail", "/admin/audit", "Sign-ins and admin changes, filtered and exported."),
    (Role.ADMIN, "Retention", "/admin/retention", "How long closed cases keep personal data; subject access and erasure."),
    (Role.ADMIN, "Directory of services", "/admin/directory",
     "Every service the front office answers for: what advisors do, who delivers it, guidance."),
)


def places() -> list[dict[str, str]]:
    """The places the signed-in user may go, once each, in the order above; a place several of their
    roles share is described as the last of those roles sees it (a team lead's inbox, not an advisor's)."""
    found: dict[str, dict[str, str]] = {}
    for role, title, href, text in PLACES:
        if role == Role.COUNCILLOR and role.value not in g.user.roles:
            continue  # an admin is not an elected member: they have no enquiries of their own
        if has_role(g.user, role):
            found.setdefault(href, {"title": title, "href": href})["text"] = text
    return list(found.values())


def navigation() -> list[dict[str, Any]]:
    """Service navigation items for the header: the user's places, the one the page is under marked,
    then their notifications with the unread count."""
    if g.get("user") is None:
        return []
    items = places()
    under = [p["href"] for p in items if request.path.startswith(p["href"].rstrip("/") or "/")]
    current = max(under, key=len) if under else None
    return [*({"href": p["href"], "text": _(p["title"]), "active": p["href"] == current} for p in items),
            notifications.menu_item(request.path.startswith(notifications.HREF))]


MEMBER_SERVICES_PLACE = {"title": "Raise an enquiry for a councillor", "href": "/member-services/enquiries/new",
                         "text": "For a councillor who phoned or emailed Member Services."}


@bp.get("/")
def index() -> Any:
    here = places()
    if not has_role(g.user) and members.may_raise_for_members(current.context(), g.user.email):
        here.append(MEMBER_SERVICES_PLACE)  # Member Services staff (admins reach it from the users page)
    return render_template("home.html", title="Home", places=here)


UNAVAILABLE_MESSAGE = "Sorry, the service is unavailable"


def _page_error(status: int, message: str) -> Any:
    return render_template("errors/error.html", title=message, status=status, message=message), status


def restricted_page(err: CaseRestricted, reason: str = "", reason_error: str | None = None) -> Any:
    """What someone who may not open a restricted case sees: that it exists, whom to contact and, for
    team leads and admins, the form to open it with a reason."""
    return render_template("errors/restricted.html", title=f"Case {err.reference} is restricted", restricted=err,
                           reason=reason, reason_error=reason_error,
                           error_list=[{"text": reason_error, "href": "#reason"}] if reason_error else None), 403


def engine_error(err: EngineError) -> Any:
    """An engine error raised by a page view: its message, with the status the API would give."""
    if request.path.startswith("/api/"):
        raise err
    if isinstance(err, CaseRestricted):
        return restricted_page(err)
    status = status_for(err)
    if status == 500:
        return unexpected(err)
    return _page_error(status, err.message)


def http_error(err: HTTPException) -> Any:
    if request.path.startswith("/api/"):
        return err
    messages = {403: "You do not have access to this page", 404: "Page not found",
                400: "The request could not be understood", 413: "The file is too large"}
    status = err.code or 500
    return _page_error(status, messages.get(status, err.description or "Something went wrong"))


def unexpected(err: Exception) -> Any:
    error_id = str(uuid.uuid4())
    logger.error("Page request failed with error id %s", error_id, exc_info=err)
    return _page_error(500, f"Sorry, there is a problem with the service (error {error_id})")


def unavailable(err: Exception) -> Any:
    """The database cannot be reached or stayed locked: 503 with Retry-After, never a bare 500."""
    if request.path.startswith("/api/"):
        from .api.errors import unavailable as api_unavailable
        return api_unavailable(err)
    logger.warning("Database unavailable for %s %s: %s", request.method, request.path, err,
                   extra={"path": request.path})
    page, status = _page_error(503, UNAVAILABLE_MESSAGE)
    return page, status, {"Retry-After": str(RETRY_AFTER_S)}


def register_error_pages(app: Flask) -> None:
    app.register_error_handler(EngineError, engine_error)
    app.register_error_handler(HTTPException, http_error)
    for kind in UNAVAILABLE:
        app.register_error_handler(kind, unavailable)
