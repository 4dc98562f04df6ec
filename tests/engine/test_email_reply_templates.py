"""Replies from the case page's form: the service's templates (English, and Welsh where the service's
public pages are bilingual), sent through GOV.UK Notify (the fake Notify on 127.0.0.1) when the mailbox
says so; and a bounce for a reply comes back as an incident on the case, not a new contact."""
from __future__ import annotations

import pytest

from adapters.registry import AdapterRegistry
from engine.background import incidents
from engine.casework import cases
from engine.email import email_inbox, email_replies, mail_intake
from engine.residents import publishing
from engine.errors import UserError
from engine.types import EmailStatus, EventKind
from tests.adapters.conftest import notify_config, notify_env
from tests.engine.mails import email
from tests.engine.test_email_replies import linked  # noqa: F401  (the fixture)
from tests.engine.test_case_search import ADVISOR, seed
from tests.fakes.notify import FakeNotify


def test_the_reply_form_offers_the_services_templates_filled_in_and_welsh_once_the_service_is_bilingual(ctx, linked):
    reference, email_id = linked
    form = email_replies.reply_form(ctx, reference, ADVISOR, "acknowledge")
    assert form is not None and form.emails == [(email_id, "Pat Smith", f"My bin {reference}")]
    assert form.languages == ("en",) and "acknowledge" in [t.key for t in form.templates]
    assert form.text.startswith("Dear Pat Smith,") and reference in form.text and "((" not in form.text
    with pytest.raises(email_replies.ReplyRefused, match="language"):
        email_replies.write_reply(ctx, reference, email_id, "Diolch", ADVISOR, language="cy")
    publishing.publish(ctx, "missed_bin_collection", channels=["web"], title="Report a missed bin",
                       translations={"cy": {"title": "Rhoi gwybod am fin a fethwyd"}}, actor=ADVISOR)
    welsh = email_replies.reply_form(ctx, reference, ADVISOR, "acknowledge", "cy")
    assert welsh is not None and welsh.languages == ("en", "cy") and welsh.language == "cy"
    assert welsh.text.startswith("Annwyl Pat Smith,") and "Rhoi gwybod am fin a fethwyd" in welsh.text
    written = email_replies.write_reply(ctx, reference, email_id, welsh.text, ADVISOR, "acknowledge", "cy")
    assert (written.language, written.template, written.via) == ("cy", "acknowledge", "smtp")


def test_a_reply_goes_through_gov_uk_notify_when_the_mailbox_says_so(ctx, dovecot, monkeypatch):
    world = seed(ctx)
    with FakeNotify() as fake:
        config = notify_config(fake, timeout_s=10)  # not a timeout test: a busy CI machine must not time it out
        config["notify"]["templates"]["email_reply"] = fake.reply_template
        ctx.adapters = AdapterRegistry.from_config(config, notify_env(fake))
        from engine.email import mailboxes
        from engine.people.routing import ensure_team
        with ctx.db.transaction() as session:
            ensure_team(session, "Customer Hub", ctx.clock.now())
        mailboxes.add_mailbox(ctx, mailboxes.MailboxDetails(
            name="hub", address="hub@council.test", team="Customer Hub", host="127.0.0.1", port=dovecot.port,
            username=dovecot.users[0], secret_env="COUNCILFLOW_MAIL_HUB_PASSWORD", notify_adapter="notify"))
        dovecot.deliver(email(f"About {world.bin}", "Hello"))
        mail_intake.poll_mailboxes(ctx)
        [got] = email_inbox.triage_inbox(ctx, ADVISOR, "linked")
        written = email_replies.write_reply(ctx, world.bin, got.id, "We are on it.", ADVISOR)
        assert written.via == "notify"
        assert email_replies.send_due(ctx) == 1
        [sent] = fake.sent.values()
        assert sent["email_address"] == "pat.smith@example.com" and sent["template"]["id"] == fake.reply_template
        assert sent["personalisation"] == {"subject": f"Re: About {world.bin}", "body": "We are on it."}
        assert sent["reference"].endswith("@council.test>")
    assert cases.show_case(ctx, world.bin).history[-1].kind == EventKind.EMAIL_REPLY_SENT


def _bounce(original: str, to: str = "pat.smith@example.com") -> bytes:
    """A delivery status notification as Postfix sends one (RFC 3464)."""
    return f"""From: MAILER-DAEMON@mx.example.com (Mail Delivery System)
To: hub@council.test
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-{abs(hash(original))}@mx.example.com>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered to <{to}>.

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; {to}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 mailbox unavailable

--b1
Content-Type: text/rfc822-headers

From: hub@council.test
To: {to}
Message-ID: {original}
Subject: Re: x

--b1--
""".replace("\n", "\r\n").encode()


def test_a_bounce_for_a_reply_is_an_incident_on_the_case_not_a_new_contact(ctx, dovecot, smtp, linked):
    reference, email_id = linked
    email_replies.write_reply(ctx, reference, email_id, "Which bin?", ADVISOR)
    email_replies.send_due(ctx)
    ours = smtp.messages[0]["Message-ID"]
    dovecot.deliver(_bounce(ours))
    dovecot.deliver(_bounce("<someone-elses@example.com>"))
    mail_intake.poll_mailboxes(ctx)
    [incident] = incidents.list_incidents(ctx, case=reference)
    assert incident.kind == "email_bounced" and "550 5.1.1 mailbox unavailable" in incident.message
    assert cases.show_case(ctx, reference).history[-1].kind == EventKind.INCIDENT_RAISED
    bounces = email_inbox.triage_inbox(ctx, ADVISOR, EmailStatus.IGNORED)
    assert sorted(b.case or "" for b in bounces) == ["", reference]  # a stranger's bounce: only automatic
    assert email_inbox.triage_inbox(ctx, ADVISOR, EmailStatus.OPEN) == []
    with pytest.raises(UserError, match="no call to retry"):
        incidents.retry_incident(ctx, incident.id, ADVISOR, "tried")
    assert incidents.skip_incident(ctx, incident.id, ADVISOR, "Phoned Pat instead").status == "skipped"


def test_a_mailer_daemon_quoting_the_original_headers_is_read_as_a_bounce():
    from engine.email import mail_parse
    raw = email("Mail delivery failed", "This message was created automatically.\n\n------ This is a copy of the "
                "message's headers. ------\nMessage-ID: <ours-1@council.test>\nTo: pat@example.com\n",
                sender="Mail Delivery System <Mailer-Daemon@mx.example.com>")
    parsed = mail_parse.parse(raw)
    assert parsed.bounce_of == "<ours-1@council.test>" and parsed.automatic.startswith("a bounce")
    assert mail_parse.parse(email("Hello", "Message-ID: <ours-1@council.test>")).bounce_of is None
