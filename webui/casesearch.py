"""Find a case: the search box in every staff page's header and the ``/cases`` results page.

The search is the engine's (``engine.casework.casesearch``, with the case-visibility rule); a reference typed
in full (``CF-000123``, ``cf000123``) goes straight to the case page when the person may see it.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for

from engine import casework, people
from engine.types import CaseStatus, Role
from engine.people import has_role

from .current import context
from .dates import uk_date, uk_datetime
from .inbox import page_number, pagination, process_choices, sla_tag

bp = Blueprint("casesearch", __name__)
PAGE_SIZE = 25
SEARCHERS = (Role.FRONT_OFFICE, Role.BACK_OFFICE, Role.TEAM_LEAD)  # and admins: who may use the search
STATUS_TAGS = {CaseStatus.OPEN: "govuk-tag--blue", CaseStatus.COMPLETED: "govuk-tag--green",
               CaseStatus.CANCELLED: "govuk-tag--grey", CaseStatus.FAILED: "govuk-tag--red"}


def header_search_shown() -> bool:
    """Whether the header carries the search box: for signed-in staff who work cases."""
    user = g.get("user")
    return user is not None and has_role(user, *SEARCHERS)


def _teams() -> list[dict[str, str]]:
    return [{"value": name, "text": name} for _, name in people.team_names(context())]


def _options(choices: list[dict[str, str]], anything: str, value: str) -> list[dict[str, Any]]:
    return [{"value": "", "text": anything}, *({**c, "selected": c["value"] == value} for c in choices)]


@bp.get("/cases")
def find() -> Any:
    args = {name: " ".join(request.args.get(name, "").split())[:casework.MAX_SEARCH_TEXT]
            for name in ("q", "status", "service", "team")}
    status = args["status"] if args["status"] in set(CaseStatus) else ""
    wanted = casework.CaseSearch(args["q"], CaseStatus(status) if status else None, args["service"] or None,
                                 args["team"] or None)
    found = casework.find_cases(context(), wanted, g.user.email, page_number(), PAGE_SIZE)
    if found.exact:
        return redirect(url_for("casepage.show", reference=found.exact))
    rows = [{"hit": h, "due": uk_datetime(h.due_at), "sla": sla_tag(h.sla_state), "started": uk_date(h.created_at),
             "tag": STATUS_TAGS.get(CaseStatus(h.status), "govuk-tag--grey")} for h in found.items]
    return render_template(
        "cases/find.html", title="Find a case", args=args, searched=not wanted.is_empty(), rows=rows,
        total=found.total, total_capped=found.total_capped,
        statuses=_options([{"value": s.value, "text": s.value.capitalize()} for s in CaseStatus], "Any status",
                          status),
        services=_options(process_choices(), "Any service", args["service"]),
        teams=_options(_teams(), "Any team", args["team"]),
        pagination=pagination(found, args, "Pages of cases"))
