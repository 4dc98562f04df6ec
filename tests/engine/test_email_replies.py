"""Replies from the case: written on the case, sent by the worker through the mailbox's SMTP server (a
local aiosmtpd over TLS), threaded to the resident's email, recorded on the timeline; the resident's answer
comes back into the same case; a mail server that keeps refusing leaves the failure on the case."""
from __future__ import annotations

import pytest

from engine.casework import cases, contacts
from engine.email import email_inbox, email_replies, mail_intake
from engine.clock import FixedClock
from engine.types import EventKind
from tests.engine.mails import add_hub_mailbox, email
from tests.engine.test_case_search import ADVISOR, OUTSIDER, seed


@pytest.fixture
def linked(ctx, dovecot, smtp):
    """An email from Pat that joined their bin case by quoting its reference."""
    world = seed(ctx)
    add_hub_mailbox(ctx, dovecot, smtp=smtp)
    dovecot.deliver(email(f"My bin {world.bin}", "Still not emptied.", message_id="<pat-1@example.com>"))
    mail_intake.poll_mailboxes(ctx)
    [got] = email_inbox.triage_inbox(ctx, ADVISOR, "linked")
    return world.bin, got.id


def test_a_reply_written_on_the_case_reaches_the_resident_threaded(ctx, smtp, linked):
    reference, email_id = linked
    written = email_replies.write_reply(ctx, reference, email_id, "We will collect it on Friday.", ADVISOR)
    assert (written.status, written.to) == ("pending", "pat.smith@example.com")
    assert smtp.messages == []  # nothing is sent by the request that writes it
    assert email_replies.send_due(ctx) == 1
    assert email_replies.send_due(ctx) == 0
    [sent] = smtp.messages
    assert (sent["To"], sent["From"]) == ("pat.smith@example.com", "hub@council.test")
    assert sent["Subject"] == f"Re: My bin {reference}"
    assert sent["In-Reply-To"] == sent["References"] == "<pat-1@example.com>"
    assert sent["Message-ID"].endswith("@council.test>")
    assert sent.get_content().strip() == "We will collect it on Friday."
    history = [e.kind for e in cases.show_case(ctx, reference).history]
    assert history[-2:] == [EventKind.EMAIL_REPLY_WRITTEN, EventKind.EMAIL_REPLY_SENT]


def test_the_residents_answer_to_the_reply_comes_back_to_the_case(ctx, dovecot, smtp, linked):
    reference, email_id = linked
    email_replies.write_reply(ctx, reference, email_id, "Which bin was it?", ADVISOR)
    email_replies.send_due(ctx)
    answer = smtp.messages[0]
    dovecot.deliver(email(answer["Subject"].replace("Re:", "RE: Re:", 1), "The grey one.",
                          In_Reply_To=answer["Message-ID"]))
    mail_intake.poll_mailboxes(ctx)
    assert [c.text.splitlines()[-1] for c in contacts.list_contacts(ctx, reference, ADVISOR)][-1] == "The grey one."


def test_an_answer_threaded_to_our_reply_finds_its_case_without_the_reference(ctx, dovecot, smtp, linked):
    reference, email_id = linked
    email_replies.write_reply(ctx, reference, email_id, "Which bin was it?", ADVISOR)
    email_replies.send_due(ctx)
    ours = smtp.messages[0]["Message-ID"]
    dovecot.deliver(email("Re: your question", "The green one.", In_Reply_To=ours, References=f"<pat-1@example.com> {ours}"))
    mail_intake.poll_mailboxes(ctx)
    assert contacts.list_contacts(ctx, reference, ADVISOR)[-1].text.endswith("The green one.")


def test_a_refusing_mail_server_is_retried_and_then_the_failure_is_on_the_case(ctx, smtp, linked):
    reference, email_id = linked
    ctx.clock = FixedClock(ctx.clock.now())
    email_replies.write_reply(ctx, reference, email_id, "Soon.", ADVISOR)
    smtp.refuse(1)
    assert email_replies.send_due(ctx) == 0
    assert email_replies.send_due(ctx) == 0  # not due again yet: it backs off
    ctx.clock.advance(minutes=3)
    assert email_replies.send_due(ctx) == 1
    assert len(smtp.messages) == 1
    email_replies.write_reply(ctx, reference, email_id, "Again.", ADVISOR)
    smtp.refuse(99)
    for _ in range(email_replies.MAX_ATTEMPTS):
        email_replies.send_due(ctx)
        ctx.clock.advance(hours=2)
    last = cases.show_case(ctx, reference).history[-1]
    assert last.kind == EventKind.EMAIL_REPLY_FAILED and "451" in last.detail["reason"]
    assert email_replies.send_due(ctx) == 0 and len(smtp.messages) == 1


def test_replies_are_refused_when_empty_off_the_case_or_by_someone_who_cannot_see_it(ctx, linked):
    reference, email_id = linked
    with pytest.raises(email_replies.ReplyRefused, match="Enter your reply"):
        email_replies.write_reply(ctx, reference, email_id, "  ", ADVISOR)
    with pytest.raises(email_replies.ReplyRefused, match="not on case"):
        email_replies.write_reply(ctx, "CF-000002", email_id, "Hello", ADVISOR)
    from engine.errors import CaseNotFound
    with pytest.raises(CaseNotFound):
        email_replies.write_reply(ctx, reference, email_id, "Hello", OUTSIDER)
