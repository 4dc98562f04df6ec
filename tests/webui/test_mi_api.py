"""Management information through the REST API and the CLI: the same JSON for the same week, one
table as CSV and every table as an ODS spreadsheet, each read back; only team leads and admins."""
from __future__ import annotations

import csv
import io

from odf.opendocument import load
from odf.table import Table, TableCell, TableRow
from odf.text import P

from engine.types import Role
from tests.engine.test_mi import hub, week  # noqa: F401  (the fixture)
from tests.webui.test_api import api_as  # noqa: F401  (the fixture)

PROMISED = {"contacts": 7, "by_channel": {"face-to-face": 0, "telephone": 4, "email": 0, "web": 2, "post": 0,
                                          "social media": 0, "partner": 0, "councillor": 1},
            "cases_started": 6, "fcr_rate": 0.3333, "handoffs": 2, "bounce_backs": 1,
            "avoidable_contact_rate": 0.1429,
            "sla": {"closed_on_time": 1, "closed_late": 1, "open_at_risk": 0, "open_breached": 2},
            "backlog": {"0-2": 1, "3-5": 3, "6-10": 0, "11-20": 0, "20+": 0}}


def _sheets(data: bytes) -> dict[str, list[list[str]]]:
    doc = load(io.BytesIO(data))
    out = {}
    for sheet in doc.spreadsheet.getElementsByType(Table):
        out[sheet.getAttribute("name")] = [
            ["".join(str(p) for p in cell.getElementsByType(P)) for cell in row.getElementsByType(TableCell)]
            for row in sheet.getElementsByType(TableRow)]
    return out


def test_the_api_and_the_cli_give_the_promised_figures_and_files(hub, api_as, cli, tmp_path):
    ctx, clock = hub
    week(ctx, clock)
    lead = api_as(Role.TEAM_LEAD)
    got = lead.get("/mi?from=2026-03-02&to=2026-03-06")
    assert got.status_code == 200, got.json
    assert {k: got.json[k] for k in PROMISED} == PROMISED

    ran = cli("mi", "--from", "2026-03-02", "--to", "2026-03-06", "--json")
    assert ran.exit_code == 0, ran.stdout
    now_reading = {**PROMISED, "backlog": {"0-2": 0, "3-5": 0, "6-10": 0, "11-20": 0, "20+": 4}}
    assert {k: ran.json()[k] for k in PROMISED} == now_reading  # the CLI's clock is the real one: months later
    bins = cli("mi", "--from", "2026-03-02", "--to", "2026-03-06", "--service", "missed_bin_collection",
               "--team", "Customer Hub", "--json").json()
    assert (bins["cases_started"], bins["contacts"]) == (3, 4)

    daily = lead.get("/mi?from=2026-03-02&to=2026-03-06&format=csv&table=daily")
    assert daily.mimetype == "text/csv" and "attachment" in daily.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(daily.get_data(as_text=True))))
    assert rows[0][:3] == ["Day", "face-to-face", "telephone"] and rows[1][:3] == ["2026-03-02", "0", "3"]

    ods = lead.get("/mi?from=2026-03-02&to=2026-03-06&format=ods")
    assert ods.mimetype == "application/vnd.oasis.opendocument.spreadsheet"
    sheets = _sheets(ods.get_data())
    assert sheets["Summary"][1] == ["Contacts", "7"] and sheets["Open cases by age"][2] == ["3-5", "3"]
    written = tmp_path / "mi.ods"
    assert cli("mi", "--from", "2026-03-02", "--to", "2026-03-06", "--ods", str(written)).exit_code == 0
    assert _sheets(written.read_bytes())["By service"][0][:3] == ["Service", "Name", "LGSL"]


def test_only_team_leads_and_admins_read_figures_and_a_bad_range_is_explained(hub, api_as, cli):
    assert api_as(Role.FRONT_OFFICE).get("/mi?from=2026-03-02&to=2026-03-06").status_code == 403
    admin = api_as(Role.ADMIN)
    backwards = admin.get("/mi?from=2026-03-06&to=2026-03-02")
    assert backwards.status_code == 400 and "on or after" in backwards.json["message"]
    assert admin.get("/mi?from=2026-03-02&to=2026-03-06&team=Nobody").status_code == 404
    ran = cli("mi", "--from", "yesterday", "--to", "2026-03-06")
    assert ran.exit_code == 2 and "2026-03-02" in ran.stderr
