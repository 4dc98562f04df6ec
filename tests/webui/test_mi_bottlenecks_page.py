"""The bottleneck view's page: a team lead sees each task's waits on Monday 2 March as a table (no
JavaScript needed) with the slowest task named and badged, the diagram box carries the same figures
for the overlays; it is linked from the dashboard and, for those who may open it, the process page;
back-office staff and analysts are refused."""
from __future__ import annotations

import json
import re
from html import unescape

from engine.types import Role
from tests.engine.test_mi_bottlenecks import monday  # noqa: F401  (the fixture)
from webui.mi_bottlenecks import wait_text

PAGE = "/mi/bottlenecks/missed_bin_collection?from=2026-03-02&to=2026-03-02"


def _row(html: str, name: str) -> list[str]:
    row = re.search(rf"<tr class=\"govuk-table__row\">\s*<th scope=\"row\"[^>]*>{name}.*?</tr>", html, re.S).group(0)
    return [c.strip() for c in re.findall(r'<td class="govuk-table__cell[^"]*">([^<]*)</td>', row)]


def test_a_team_lead_sees_the_waits_at_each_task_and_the_slowest(monday, signed_in):  # noqa: F811
    lead = signed_in(Role.TEAM_LEAD)
    html = lead.get(PAGE).get_data(as_text=True)
    assert _row(html, "Record missed collection") == ["3", "2 h 20 min", "4 h", "1"]
    assert _row(html, "Arrange re-collection and record result") == ["2", "2 h 30 min", "3 h", "2"]
    assert re.search(r'Arrange re-collection and record result <strong class="govuk-tag govuk-tag--red">\s*Slowest', html)
    assert "The slowest task is Arrange re-collection and record result: on average\n2 h 30 min" in html
    waits = json.loads(unescape(re.search(r'data-waits="([^"]*)"', html).group(1)))
    assert waits["arrange_recollection"] == {"average": "2 h 30 min", "p90": "3 h", "waiting": 2, "slowest": True}
    assert waits["record_missed_collection"]["slowest"] is False
    assert 'href="/mi/bottlenecks"' in lead.get("/mi").get_data(as_text=True)
    assert 'href="/mi/bottlenecks/missed_bin_collection"' in lead.get("/mi/bottlenecks").get_data(as_text=True)


def test_a_wrong_range_is_explained_and_others_are_refused(monday, signed_in):  # noqa: F811
    lead = signed_in(Role.TEAM_LEAD)
    answer = lead.get("/mi/bottlenecks/missed_bin_collection?from=2026-03-02&to=2026-03-01")
    assert answer.status_code == 400 and "The end date must be on or after the start date" in answer.get_data(True)
    assert lead.get("/mi/bottlenecks/no_such_process").status_code == 404
    assert signed_in(Role.BACK_OFFICE).get(PAGE).status_code == 403
    analyst = signed_in(Role.ANALYST)
    assert analyst.get(PAGE).status_code == 403
    assert "/mi/bottlenecks/" not in analyst.get("/processes/missed_bin_collection").get_data(as_text=True)
    admin = signed_in(Role.ADMIN)
    assert 'href="/mi/bottlenecks/missed_bin_collection"' in admin.get("/processes/missed_bin_collection").get_data(
        as_text=True)


def test_waits_read_as_people_say_them():
    assert [wait_text(s) for s in (None, 0, 2700, 3600, 12000, 86400, 183600, 2 * 86400)] == [
        "none", "0 min", "45 min", "1 h", "3 h 20 min", "1 day", "2 days 3 h", "2 days"]
