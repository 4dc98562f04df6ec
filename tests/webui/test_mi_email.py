"""Email figures in MI: emails received per mailbox per day, what became of them, the time to the first
reply sent and the bounces, from a real dovecot and SMTP server; in the engine's figures, under ``email``
in GET /api/v1/mi and ``councilflow mi --json`` (every other key kept), and as a table on /mi."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from engine.email import email_inbox, email_replies, mail_intake
from engine.mi import mi
from engine.clock import FixedClock
from engine.types import Role
from tests.engine.mails import add_hub_mailbox, email
from tests.engine.test_case_search import ADVISOR, seed
from tests.webui.test_api import api_as  # noqa: F401  (the fixture)


def test_email_figures_per_mailbox_outcome_and_first_response(ctx, dovecot, smtp, api_as, cli, signed_in):  # noqa: F811
    world = seed(ctx)
    ctx.clock = FixedClock(ctx.clock.now())
    add_hub_mailbox(ctx, dovecot, smtp=smtp)
    dovecot.deliver(email(f"My bin {world.bin}", "Still not emptied.", message_id="<a@example.com>"))
    dovecot.deliver(email("A question", "When is the tip open?", message_id="<b@example.com>"))
    dovecot.deliver(email("Out of office", "Away.", message_id="<c@example.com>", Auto_Submitted="auto-replied"))
    mail_intake.poll_mailboxes(ctx)
    [linked] = email_inbox.triage_inbox(ctx, ADVISOR, "linked")
    email_replies.write_reply(ctx, world.bin, linked.id, "On Friday.", ADVISOR)
    # The UK day the emails arrived: the reply, 90 minutes on, falls on the next day when the test runs late.
    day = ctx.clock.now().astimezone(ZoneInfo("Europe/London")).date().isoformat()
    ctx.clock.advance(minutes=90)
    assert email_replies.send_due(ctx) == 1

    found = mi.figures(ctx, mi.Filters.of(day, day))["email"]
    assert found["received"] == 3 and found["bounces"] == 0
    assert found["outcomes"] == {"started": 0, "linked": 1, "resolved": 0, "open": 1, "ignored": 1, "new": 0}
    assert found["by_mailbox"] == [{"mailbox": "hub", "channel": "email", "received": 3, "started": 0, "linked": 1,
                                    "resolved": 0, "open": 1, "ignored": 1, "new": 0}]
    assert found["daily"] == [{"day": day, "mailbox": "hub", "received": 3}]
    assert found["first_response"] == {"answered": 1, "unanswered": 1, "median_minutes": 90.0, "p90_minutes": 90.0}
    assert mi.figures(ctx, mi.Filters.of(day, day, channel="telephone"))["email"]["received"] == 0

    api = api_as(Role.TEAM_LEAD).get(f"/mi?from={day}&to={day}")
    assert api.status_code == 200 and api.json["email"] == found and "contacts" in api.json
    ran = cli("mi", "--from", day, "--to", day, "--json")
    assert ran.exit_code == 0 and ran.json()["email"]["received"] == 3 and "backlog" in ran.json()
    page = signed_in(Role.TEAM_LEAD).get(f"/mi?from={day}&to={day}").get_data(as_text=True)
    assert "What became of the emails, per mailbox" in page and "half within 1 hour 30 minutes" in page
