"""The management-information tables as files: each table as CSV, all of them as one OpenDocument
spreadsheet (ODS, the UK government's standard for spreadsheets), one sheet a table.

``tables`` turns ``engine.mi.mi.figures`` into named tables (headings and rows); the dashboards draw the
same tables, so a download always matches the page."""
from __future__ import annotations

import csv
import io
from typing import Any

from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

from ..errors import UserError
from .mi import LGCL_CHANNELS

Rows = list[list[Any]]
TABLE_TITLES = {
    "summary": "Summary", "by_service": "By service", "by_start_channel": "FCR by channel",
    "daily": "Contacts per day by channel", "heat_map": "Contacts by weekday and hour",
    "sla_by_team_week": "SLA compliance by team and week", "backlog": "Open cases by age",
    "oldest_open": "Oldest open cases",
}


def _summary(f: dict[str, Any]) -> Rows:
    rows: Rows = [["Contacts", f["contacts"]], ["Cases started", f["cases_started"]],
                  ["Resolved at first contact", f["resolved_first"]], ["First-contact resolution rate", f["fcr_rate"]],
                  ["Avoidable contacts", f["avoidable_contacts"]],
                  ["Avoidable contact rate", f["avoidable_contact_rate"]],
                  ["Hand-offs", f["handoffs"]], ["Bounce-backs", f["bounce_backs"]],
                  ["Closed on time", f["sla"]["closed_on_time"]], ["Closed late", f["sla"]["closed_late"]],
                  ["Open at risk", f["sla"]["open_at_risk"]], ["Open breached", f["sla"]["open_breached"]]]
    return rows + [[f"Contacts by {ch}", f["by_channel"][ch]] for ch in LGCL_CHANNELS]


def tables(f: dict[str, Any]) -> dict[str, tuple[list[str], Rows]]:
    """Every table of ``figures`` with its column headings."""
    return {
        "summary": (["Figure", "Value"], _summary(f)),
        "by_service": (["Service", "Name", "LGSL", "Contacts", "Cases started", "Resolved at first contact",
                        "FCR rate", "Avoidable contacts", "Hand-offs", "Bounce-backs"],
                       [[r["service"], r["name"], r["lgsl"] or "", r["contacts"], r["cases_started"],
                         r["resolved_first"], r["fcr_rate"], r["avoidable_contacts"], r["handoffs"], r["bounce_backs"]]
                        for r in f["by_service"]]),
        "by_start_channel": (["Channel", "Cases started", "Resolved at first contact", "FCR rate"],
                             [[r["channel"], r["cases_started"], r["resolved_first"], r["fcr_rate"]]
                              for r in f["by_start_channel"]]),
        "daily": (["Day", *LGCL_CHANNELS, "Total"],
                  [[d["day"], *(d[ch] for ch in LGCL_CHANNELS), sum(d[ch] for ch in LGCL_CHANNELS)] for d in f["daily"]]),
        "heat_map": (["Weekday", *(f"{h:02d}:00" for h in range(24))],
                     [[row["weekday"], *row["hours"]] for row in f["heat_map"]]),
        "sla_by_team_week": (["Week beginning", "Team", "Closed on time", "Closed late", "On-time rate"],
                             [[r["week"], r["team"], r["closed_on_time"], r["closed_late"], r["on_time_rate"]]
                              for r in f["sla_by_team_week"]]),
        "backlog": (["Age (working days)", "Open cases"], [[band, n] for band, n in f["backlog"].items()]),
        "oldest_open": (["Reference", "Process", "Service", "Channel", "Started", "Working days old", "SLA"],
                        [[r["reference"], r["process"], r["service"] or "", r["channel"], r["started_at"],
                          r["working_days_old"], r["sla_state"] or ""] for r in f["oldest_open"]]),
    }


def table(f: dict[str, Any], name: str) -> tuple[list[str], Rows]:
    found = tables(f).get(name)
    if found is None:
        raise UserError(f"There is no table '{name}'; there are {', '.join(TABLE_TITLES)}")
    return found


def to_csv(headings: list[str], rows: Rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    writer.writerows([_safe(v) for v in row] for row in rows)
    return out.getvalue()


def _safe(value: Any) -> Any:
    """A text a spreadsheet would run as a formula (=, +, -, @ first) is quoted; numbers stay numbers."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


def to_ods(named: dict[str, tuple[list[str], Rows]]) -> bytes:
    doc = OpenDocumentSpreadsheet()
    for name, (headings, rows) in named.items():
        sheet = Table(name=TABLE_TITLES.get(name, name)[:31])
        for row in [headings, *rows]:
            tr = TableRow()
            for value in row:
                tr.addElement(_cell(value))
            sheet.addElement(tr)
        doc.spreadsheet.addElement(sheet)
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


def _cell(value: Any) -> TableCell:
    if isinstance(value, bool) or not isinstance(value, int | float):
        cell = TableCell(valuetype="string")
        cell.addElement(P(text=str(value)))
        return cell
    cell = TableCell(valuetype="float", value=value)
    cell.addElement(P(text=str(value)))
    return cell
