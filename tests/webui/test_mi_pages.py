"""The management-information dashboard: a team lead sees the week's figures as charts (with their
numbers written on them), sentences and tables, and downloads them; others are refused."""
from __future__ import annotations

import csv
import io

from engine.types import Role
from tests.engine.test_mi import hub, week  # noqa: F401  (the fixture)
from tests.webui.test_mi_api import _sheets

WEEK = "from=2026-03-02&to=2026-03-06"


def test_a_team_lead_sees_the_weeks_figures_and_downloads_them(hub, signed_in):
    ctx, clock = hub
    week(ctx, clock)
    lead = signed_in(Role.TEAM_LEAD)
    home = lead.get("/").get_data(as_text=True)
    assert 'href="/mi"' in home
    page = lead.get(f"/mi?{WEEK}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The busiest hour was Monday 10:00 to 11:00 with 3 contacts." in html
    assert "33.3% of the 6 cases started were resolved at first contact; 14.3% of contacts were avoidable." in html
    assert "2 hand-offs and 1 bounce-backs in all." in html
    assert html.count('role="img"') == 7 and html.count("<table") == 7
    assert "from=2025-12-25&amp;to=2026-03-05\">Since the week before the 1 January 2026 bank holiday" in html

    rows = list(csv.reader(io.StringIO(lead.get(f"/mi/backlog.csv?{WEEK}").get_data(as_text=True))))
    assert rows == [["Age (working days)", "Open cases"], ["0-2", "1"], ["3-5", "3"], ["6-10", "0"],
                    ["11-20", "0"], ["20+", "0"]]
    sheets = _sheets(lead.get(f"/mi/all.ods?{WEEK}&team=Customer+Hub").get_data())
    assert sheets["Summary"][1] == ["Contacts", "5"]


def test_a_wrong_date_is_explained_and_only_leads_and_admins_get_in(hub, signed_in):
    lead = signed_in(Role.TEAM_LEAD)
    wrong = lead.get("/mi?from=2026-03-06&to=2026-03-02")
    assert wrong.status_code == 400 and "The end date must be on or after the start date" in wrong.get_data(as_text=True)
    assert signed_in(Role.FRONT_OFFICE).get("/mi").status_code == 403
    assert signed_in(Role.ADMIN).get("/mi").status_code == 200
