"""The appointments section of the management-information dashboard (``/mi``): demand by type and
location, booked against the slots the desks offered, waiting time and appointment length (median and
90th percentile) and the no-show rate, for the dashboard's date range (``engine.appointments.appointment_stats``,
under the ``appointments`` key of the figures). Drawn by templates/mi/_appointments.html."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import mi_charts


@dataclass(frozen=True)
class Section:
    summary: list[tuple[str, str]]  # (figure, value as written)
    headings: list[str]
    rows: list[list[Any]]  # by type, then by location
    chart: mi_charts.Chart


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _minutes(m: dict[str, Any]) -> str:
    if not m["count"]:
        return "None measured"
    return f"{m['p50']} min median, {m['p90']} min at the 90th percentile ({m['count']} measured)"


def section(f: dict[str, Any]) -> Section:
    a = f["appointments"]
    summary = [("Booked", f"{a['booked']} of {a['available']} slots offered ({_percent(a['booked_share'])})"),
               ("Walk-ins", str(a["walk_ins"])), ("Cancelled", str(a["cancelled"])),
               ("Attended", str(a["attended"])), ("No-shows", f"{a['no_shows']} ({_percent(a['no_show_rate'])})"),
               ("Waiting (check-in to call)", _minutes(a["waiting_minutes"])),
               ("Length (call to finish)", _minutes(a["length_minutes"]))]
    headings = ["Type or location", "Slots offered", "Booked", "Walk-ins", "No-shows", "No-show rate",
                "Length p50 (min)", "Length p90 (min)"]
    rows = [[r["name"], r["available"], r["booked"], r["walk_ins"], r["no_shows"], _percent(r["no_show_rate"]),
             r["length_minutes"]["p50"] or "–", r["length_minutes"]["p90"] or "–"] for r in a["by_type"]]
    rows += [[f"At {r['name']}", "–", r["booked"], r["walk_ins"], r["no_shows"], _percent(r["no_show_rate"]),
              r["length_minutes"]["p50"] or "–", r["length_minutes"]["p90"] or "–"] for r in a["by_location"]]
    said = (f"{a['booked']} appointments booked of {a['available']} slots offered; "
            f"no-show rate {_percent(a['no_show_rate'])}.")
    chart = mi_charts.bars("chart-appointments", "Share of slots booked, by appointment type", said,
                           [(r["name"], (r["booked"] / r["available"]) if r["available"] else 0,
                             f"{r['booked']} of {r['available']}") for r in a["by_type"]])
    return Section(summary, headings, rows, chart)
