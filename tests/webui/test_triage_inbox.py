"""The triage inbox pages: an advisor reads an email from the hub mailbox and starts a case from it, adds
it to a case or resolves it; attachments are only ever downloaded; other teams cannot see it. And the
admin page that sets up mailboxes."""
from __future__ import annotations

import pytest

from engine.catalogue import directory_entries
from engine.email import email_inbox, mail_intake
from engine.types import Role
from tests.engine.mails import PDF, add_hub_mailbox, email
from tests.engine.test_case_search import seed

from .conftest import csrf_token


@pytest.fixture
def world(ctx, dovecot):
    world = seed(ctx)
    add_hub_mailbox(ctx, dovecot)
    directory_entries.save_entry(ctx, directory_entries.Entry(key="potholes", name="Report a pothole",
                                                              action="start", process="pothole_report",
                                                              team="Highways"), "admin@example.gov.uk")
    return world


def arrive(ctx, dovecot, raw: bytes) -> int:
    dovecot.deliver(raw)
    mail_intake.poll_mailboxes(ctx)
    return email_inbox.triage_inbox(ctx, _any_admin(ctx))[-1].id


def _any_admin(ctx) -> str:
    from engine.people import users
    with ctx.db.transaction() as session:
        if users.find_user(session, "root@example.gov.uk") is None:
            users.add_user(session, "root@example.gov.uk", "Root", [Role.ADMIN], ctx.clock.now(), [], "x" * 12)
    return "root@example.gov.uk"


def post(client, url: str, data: dict, page: str):
    return client.post(url, data={**data, "csrf_token": csrf_token(client.get(page).get_data(as_text=True))})


def test_the_advisor_starts_a_case_from_an_email_with_its_attachment(ctx, dovecot, world, signed_in):
    email_id = arrive(ctx, dovecot, email("Pothole outside number 3", "It is deep.",
                                          attachments=(("hole.pdf", "application/pdf", PDF),
                                                       ("run.exe", "application/octet-stream", b"MZ"))))
    advisor = signed_in(Role.FRONT_OFFICE, teams=("Customer Hub",))
    listing = advisor.get("/emails").get_data(as_text=True)
    assert "Pothole outside number 3" in listing and "Known customer" in listing
    page = advisor.get(f"/emails/{email_id}").get_data(as_text=True)
    assert "It is deep." in page and "run.exe: not kept" in page and "Report a pothole" in page
    refused = post(advisor, f"/emails/{email_id}/start", {"service": ""}, f"/emails/{email_id}")
    assert refused.status_code == 400 and "Select the service the email is about" in refused.get_data(as_text=True)
    started = post(advisor, f"/emails/{email_id}/start", {"service": "potholes"}, f"/emails/{email_id}")
    assert started.status_code == 302 and started.headers["Location"].startswith("/cases/CF-")
    case_page = advisor.get(started.headers["Location"]).get_data(as_text=True)
    assert "hole.pdf" in case_page
    assert "Pothole outside number 3" not in advisor.get("/emails").get_data(as_text=True)


def test_attachments_are_downloads_never_pages(ctx, dovecot, world, signed_in):
    email_id = arrive(ctx, dovecot, email(attachments=(("hole.pdf", "application/pdf", PDF),)))
    advisor = signed_in(Role.FRONT_OFFICE, teams=("Customer Hub",))
    [kept] = email_inbox.get_email(ctx, email_id, _any_admin(ctx)).attachments
    response = advisor.get(f"/emails/{email_id}/attachments/{kept.id}")
    assert response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert advisor.get(f"/emails/{email_id}/attachments/{kept.id + 99}").status_code == 404


def test_the_advisor_adds_an_email_to_a_case_or_resolves_it(ctx, dovecot, world, signed_in):
    first = arrive(ctx, dovecot, email("Any news?", "Still waiting for my bin."))
    second = arrive(ctx, dovecot, email("Tip opening hours", "When is the tip open?"))
    advisor = signed_in(Role.FRONT_OFFICE, teams=("Customer Hub",))
    wrong = post(advisor, f"/emails/{first}/link", {"reference": "CF-999999"}, f"/emails/{first}")
    assert wrong.status_code == 400 and "There is no case CF-999999" in wrong.get_data(as_text=True)
    linked = post(advisor, f"/emails/{first}/link", {"reference": world.bin, "kind": "chasing"}, f"/emails/{first}")
    assert linked.status_code == 302
    resolved = post(advisor, f"/emails/{second}/resolve", {"note": "Sent the opening times"}, f"/emails/{second}")
    assert resolved.status_code == 302
    assert "There are no emails here" in advisor.get("/emails").get_data(as_text=True)
    assert "Tip opening hours" in advisor.get("/emails?status=resolved").get_data(as_text=True)
    again = post(advisor, f"/emails/{second}/resolve", {}, f"/emails/{second}?status=resolved")
    assert again.status_code in (302, 409)


def test_another_teams_staff_cannot_see_the_hubs_emails(ctx, dovecot, world, signed_in):
    email_id = arrive(ctx, dovecot, email())
    officer = signed_in(Role.BACK_OFFICE, teams=("Waste Services",))
    assert officer.get(f"/emails/{email_id}").status_code == 404
    assert "There are no emails here" in officer.get("/emails").get_data(as_text=True)
    assert officer.get("/emails?status=nonsense").status_code == 404


def test_an_admin_sets_up_a_mailbox_by_naming_the_password_variable(ctx, signed_in):
    admin = signed_in(Role.ADMIN)
    values = {"name": "members", "address": "members@council.gov.uk", "channel": "councillor", "team": "Customer Hub",
              "host": "imap.council.gov.uk", "port": "993", "username": "members", "secret_env": "not a variable",
              "folder": "INBOX"}
    refused = post(admin, "/admin/mailboxes", values, "/admin/mailboxes")
    assert refused.status_code == 400 and "never the password" in refused.get_data(as_text=True)
    missing_team = post(admin, "/admin/mailboxes", {**values, "secret_env": "MEMBERS_PASSWORD"}, "/admin/mailboxes")
    assert "There is no team called" in missing_team.get_data(as_text=True)
    from engine.people.routing import ensure_team
    with ctx.db.transaction() as session:
        ensure_team(session, "Customer Hub", ctx.clock.now())
    added = post(admin, "/admin/mailboxes", {**values, "secret_env": "MEMBERS_PASSWORD"}, "/admin/mailboxes")
    assert added.status_code == 302
    page = admin.get("/admin/mailboxes").get_data(as_text=True)
    assert "members@council.gov.uk" in page and "Councillors" in page and "Not read yet" in page
    assert post(admin, "/admin/mailboxes/members/remove", {}, "/admin/mailboxes").status_code == 302
    assert "No mailboxes are set up" in admin.get("/admin/mailboxes").get_data(as_text=True)
    assert signed_in(Role.FRONT_OFFICE).get("/admin/mailboxes").status_code == 403


def test_an_admin_sets_up_a_mailbox_that_signs_in_with_oauth2(ctx, signed_in):
    from engine.people.routing import ensure_team
    with ctx.db.transaction() as session:
        ensure_team(session, "Customer Hub", ctx.clock.now())
    admin = signed_in(Role.ADMIN)
    assert 'name="auth" type="radio" value="oauth2"' in admin.get("/admin/mailboxes").get_data(as_text=True)
    values = {"name": "hub", "address": "hub@council.gov.uk", "channel": "email", "team": "Customer Hub",
              "host": "outlook.office365.com", "port": "993", "username": "hub@council.gov.uk", "auth": "oauth2",
              "token_url": "http://login.example.com/token", "client_id": "", "scope": "",
              "secret_env": "COUNCILFLOW_MAIL_HUB_SECRET", "folder": "INBOX"}
    refused = post(admin, "/admin/mailboxes", values, "/admin/mailboxes")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'href="#token_url"' in page and 'href="#client_id"' in page and 'href="#scope"' in page
    added = post(admin, "/admin/mailboxes", {
        **values, "token_url": "https://login.microsoftonline.com/council.onmicrosoft.com/oauth2/v2.0/token",
        "client_id": "00000000-0000-0000-0000-00000000000a", "scope": "https://outlook.office365.com/.default"},
        "/admin/mailboxes")
    assert added.status_code == 302
    page = admin.get("/admin/mailboxes").get_data(as_text=True)
    assert "hub@council.gov.uk at outlook.office365.com:993 with OAuth2 (app 00000000-0000-0000-0000-00000000000a)" in page


def test_the_admin_page_lists_a_graph_mailbox_by_its_tenant_not_a_server(ctx, signed_in, graph):
    from tests.engine.test_graph_mailboxes import add_graph_mailbox
    add_graph_mailbox(ctx, graph)
    page = signed_in(Role.ADMIN).get("/admin/mailboxes").get_data(as_text=True)
    assert f"hub@council.test through Microsoft Graph (tenant {graph.tenant}), folder inbox" in page


def _on_the_bin_case(ctx, dovecot, smtp, message_id: str):
    """Pat's email about the bin case, which joined the case by quoting its reference."""
    world = seed(ctx)
    add_hub_mailbox(ctx, dovecot, smtp=smtp)
    dovecot.deliver(email(f"About {world.bin}", "Any news?", message_id=message_id))
    mail_intake.poll_mailboxes(ctx)
    [linked] = email_inbox.triage_inbox(ctx, _any_admin(ctx), "linked")
    return world, linked


def test_the_advisor_replies_from_the_email_of_a_case_and_it_is_sent_threaded(ctx, dovecot, smtp, signed_in):
    from engine.email import email_replies
    world, linked = _on_the_bin_case(ctx, dovecot, smtp, "<pat-2@example.com>")
    advisor = signed_in(Role.FRONT_OFFICE, teams=("Customer Hub",))
    page = f"/emails/{linked.id}"
    empty = post(advisor, f"{page}/reply", {"reply": " "}, page)
    assert empty.status_code == 400 and "Enter your reply" in empty.get_data(as_text=True)
    sent = post(advisor, f"{page}/reply", {"reply": "The crew comes back on Friday."}, page)
    assert sent.status_code == 302
    assert email_replies.send_due(ctx) == 1
    [message] = smtp.messages
    assert message["In-Reply-To"] == "<pat-2@example.com>" and message["To"] == "pat.smith@example.com"
    case_page = advisor.get(f"/cases/{world.bin}").get_data(as_text=True)
    assert "wrote a reply to pat.smith@example.com: The crew comes back on Friday." in case_page
    assert "The reply was sent" in case_page


def test_the_advisor_replies_from_the_case_page_starting_from_a_template(ctx, dovecot, smtp, signed_in):
    from engine.email import email_replies
    world, linked = _on_the_bin_case(ctx, dovecot, smtp, "<pat-3@example.com>")
    advisor = signed_in(Role.FRONT_OFFICE, teams=("Customer Hub",))
    page = f"/cases/{world.bin}"
    blank = advisor.get(page).get_data(as_text=True)
    assert 'id="reply"' in blank and "Start from a template" in blank and "Welsh" not in blank
    chosen = advisor.get(f"{page}?reply_template=acknowledge").get_data(as_text=True)
    assert "Dear Pat Smith," in chosen and f"reference {world.bin}" in chosen
    empty = post(advisor, f"{page}/replies", {"email": str(linked.id), "reply": "", "template": "acknowledge"}, page)
    assert empty.status_code == 400 and "Enter your reply" in empty.get_data(as_text=True)
    no_token = advisor.post(f"{page}/replies", data={"email": str(linked.id), "reply": "Hi"})
    assert no_token.status_code in (400, 403)
    sent = post(advisor, f"{page}/replies", {"email": str(linked.id), "reply": "Dear Pat Smith, on Friday.",
                                             "template": "acknowledge", "language": "en"}, page)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("#reply")
    assert email_replies.send_due(ctx) == 1
    assert smtp.messages[0]["In-Reply-To"] == "<pat-3@example.com>"
    outsider = signed_in(Role.BACK_OFFICE, teams=("Environmental Health",))
    assert post(outsider, f"{page}/replies", {"email": str(linked.id), "reply": "Hi"}, "/").status_code in (403, 404)
