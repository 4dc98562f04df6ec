"""The live hub board: on the Monday after the hub's working week, today's contacts so far against
the Mondays before, the front office's open tasks and the question waiting for it; the fragment the
page refreshes from says the same; back-office staff are refused."""
from __future__ import annotations

from datetime import datetime, timezone

from engine.casework import cases
from engine.types import Role
from tests.engine.test_mi import ADVISOR, hub, week  # noqa: F401  (the fixture)


def test_the_hub_board_compares_today_with_the_same_weekday(hub, signed_in):
    ctx, clock = hub
    week(ctx, clock)  # Monday 2 March: 2 contacts at 09:00, 3 at 10:00
    clock.set(datetime(2026, 3, 9, 10, 30, tzinfo=timezone.utc))  # the next Monday, 10:30
    cases.start_case(ctx, "directory_resolve", {"service_key": "bulky_waste_prices", "service_name": "Bulky waste",
                                                "resolution": "resolved"}, channel="phone", actor=ADVISOR)
    advisor = signed_in(Role.FRONT_OFFICE)
    html = advisor.get("/mi/live").get_data(as_text=True)
    assert '<p class="govuk-heading-xl govuk-!-margin-bottom-1" id="live-contacts">1</p>' in html
    assert "Usually 1.2 by this hour on a Monday (1.2 in the whole day)." in html  # 5 contacts over 4 Mondays
    assert 'id="live-questions">1</p>' in html  # "Which bin was it?" is not answered
    assert 'data-board-url="/mi/live/board"' in html and 'src="/static/mi_live.js"' in html
    fragment = advisor.get("/mi/live/board").get_data(as_text=True)
    assert "<html" not in fragment and 'id="live-contacts">1</p>' in fragment
    assert "10:00 to 11:00" in fragment and "18:00 to 19:00" in fragment
    assert signed_in(Role.TEAM_LEAD).get("/mi/live").status_code == 200
    assert signed_in(Role.BACK_OFFICE).get("/mi/live/board").status_code == 403
