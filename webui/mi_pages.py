"""The management-information dashboard for team leads and admins (``/mi``): demand by hour and
weekday, daily contacts, first-contact resolution and avoidable contact, hand-offs and bounce-backs
per service, SLA compliance, backlog by age and the oldest open cases, for a range and filters; each
table downloadable as CSV, all of them as ODS. Figures and definitions: ``engine.mi.mi``, docs/mi.md."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, render_template, request

from engine import mi
from engine.errors import UserError

from . import mi_appointments, mi_charts
from .current import context

bp = Blueprint("mi", __name__, url_prefix="/mi")
FIELDS = ("from", "to", "team", "service", "channel")
DEFAULT_DAYS = 28
ODS = "application/vnd.oasis.opendocument.spreadsheet"


def _defaults() -> dict[str, str]:
    """The last four weeks to today, for everyone."""
    today = context().clock.now().date()
    return {**{name: "" for name in FIELDS}, "from": (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
            "to": today.isoformat()}


def _given() -> dict[str, str]:
    """The filters in the address, the defaults where none is given."""
    given = {name: request.args.get(name, "").strip() for name in FIELDS}
    return {name: value or _defaults()[name] for name, value in given.items()}


def _figures(given: dict[str, str]) -> dict[str, Any]:
    return mi.figures(context(), mi.Filters.of(given["from"], given["to"], given["team"], given["service"],
                                               given["channel"]))


def _ranges() -> list[tuple[str, dict[str, str]]]:
    """Quick ranges: the last 4 and 13 weeks, and from the week before the last bank holiday (when
    hubs see their peak) to today."""
    today = context().clock.now().date()
    out = [(f"Last {weeks} weeks", {"from": (today - timedelta(weeks=weeks, days=-1)).isoformat(),
                                    "to": today.isoformat()}) for weeks in (4, 13)]
    holiday = mi.last_bank_holiday(context())
    if holiday is not None:
        out.append((f"Since the week before the {holiday.strftime('%-d %B %Y')} bank holiday",
                    {"from": (holiday - timedelta(days=7)).isoformat(), "to": today.isoformat()}))
    return out


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def charts(f: dict[str, Any]) -> list[mi_charts.Chart]:
    heat = f["heat_map"]
    busiest = max(((row["weekday"], h, n) for row in heat for h, n in enumerate(row["hours"])),
                  key=lambda t: t[2], default=("", 0, 0))
    heat_words = (f"The busiest hour was {busiest[0]} {busiest[1]:02d}:00 to {busiest[1] + 1:02d}:00 with "
                  f"{busiest[2]} contacts." if busiest[2] else "There were no contacts in this range.")
    days = [(d["day"], sum(v for k, v in d.items() if k != "day")) for d in f["daily"]]
    peak = max(days, key=lambda d: d[1], default=("", 0))
    day_words = (f"{f['contacts']} contacts over {len(days)} days; the busiest day was {peak[0]} with {peak[1]}."
                 if peak[1] else "There were no contacts in this range.")
    services = f["by_service"][:15]
    by_channel = f["by_start_channel"]
    backlog = list(f["backlog"].items())
    return [
        mi_charts.heat_map("chart-heat", "Contacts by weekday and hour", heat_words, heat),
        mi_charts.columns("chart-daily", "Contacts per day", day_words, [(d[5:], n) for d, n in days],
                          label_every=max(1, len(days) // 10), marked=peak[0][5:] if peak[1] else None),
        mi_charts.bars("chart-fcr", "Resolved at first contact, by channel the case started on",
                       f"{_percent(f['fcr_rate'])} of the {f['cases_started']} cases started were resolved at first "
                       f"contact; {_percent(f['avoidable_contact_rate'])} of contacts were avoidable.",
                       [(r["channel"], r["fcr_rate"], _percent(r["fcr_rate"])) for r in by_channel]),
        mi_charts.bars("chart-handoffs", "Hand-offs per service",
                       f"{f['handoffs']} hand-offs and {f['bounce_backs']} bounce-backs in all.",
                       [(r["name"], r["handoffs"], str(r["handoffs"])) for r in services]),
        mi_charts.bars("chart-bounces", "Bounce-backs per service",
                       f"{f['bounce_backs']} bounce-backs: questions handed back and work returned to a team.",
                       [(r["name"], r["bounce_backs"], str(r["bounce_backs"])) for r in services], hatched=True),
        mi_charts.bars("chart-sla", "Closed on time, by team and week",
                       f"{f['sla']['closed_on_time']} closed on time and {f['sla']['closed_late']} late; "
                       f"{f['sla']['open_at_risk']} open items at risk and {f['sla']['open_breached']} breached now.",
                       [(f"{r['week']} {r['team']}", r["on_time_rate"], _percent(r["on_time_rate"]))
                        for r in f["sla_by_team_week"][-12:]]),
        mi_charts.columns("chart-backlog", "Open cases by age in working days",
                          f"{sum(n for _, n in backlog)} open cases; {f['backlog']['20+']} are more than 20 working "
                          f"days old.", backlog),
    ]


@bp.get("")
def dashboard() -> Any:
    given, problem = _given(), None
    try:
        found = _figures(given)
    except UserError as err:  # a wrong date or filter: say so above the last four weeks' figures
        problem = [{"text": err.message, "href": "#from"}]
        found = _figures(_defaults())
    page = render_template("mi/dashboard.html", title="Management information", f=found, given=given,
                           ranges=_ranges(),
                           choices=mi.choices(context()), charts=charts(found), tables=mi.tables(found),
                           titles=mi.TABLE_TITLES, query={k: v for k, v in given.items() if v},
                           error_list=problem, appointments=mi_appointments.section(found))
    return (page, 400) if problem else page


@bp.get("/<table>.csv")
def table_csv(table: str) -> Any:
    found = _figures(_given())
    name = f"councilflow-mi-{found['from']}-to-{found['to']}-{table}.csv"
    return Response(mi.to_csv(*mi.table(found, table)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/all.ods")
def all_ods() -> Any:
    found = _figures(_given())
    name = f"councilflow-mi-{found['from']}-to-{found['to']}.ods"
    return Response(mi.to_ods(mi.tables(found)), mimetype=ODS,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
