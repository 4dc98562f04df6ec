"""Exchange Online mailboxes read and answered through Microsoft Graph (a local fake of its token, delta,
$value and sendMail endpoints on 127.0.0.1): each message taken once across delta pages, polls, changed
messages, a poll that dies mid-read and two workers at once; replies sent threaded through Graph; bad
credentials and throttling reported on the mailbox, never a crash, with Retry-After waited out."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.email import email_inbox, email_replies, mail_intake, mailboxes
from engine.context import Context
from engine.errors import FormInvalid
from engine.persistence.db import Database
from engine.persistence.tables import Email
from engine.people.routing import ensure_team
from tests.engine.helpers import run_workers
from tests.engine.mails import PDF, email
from tests.engine.test_case_search import ADVISOR, seed
from tests.fakes.graph import FakeGraph

SECRET_ENV = "COUNCILFLOW_MAIL_HUB_SECRET"


def add_graph_mailbox(ctx, graph: FakeGraph):
    with ctx.db.transaction() as session:
        ensure_team(session, "Customer Hub", ctx.clock.now())
    return mailboxes.add_mailbox(ctx, mailboxes.MailboxDetails(
        name="hub", address="hub@council.test", team="Customer Hub", host="", username=graph.user,
        secret_env=SECRET_ENV, folder="inbox", kind="graph", tenant_id=graph.tenant,
        client_id=graph.client_id, authority_url=graph.url, graph_url=graph.graph_url))


def taken(ctx) -> list[tuple[int, str, str]]:
    with ctx.db.transaction(readonly=True) as session:
        return [tuple(r) for r in session.execute(select(Email.uid, Email.subject, Email.remote_id).order_by(Email.uid))]


def test_each_message_is_taken_once_across_pages_polls_changes_and_a_dead_poll(ctx, graph):
    add_graph_mailbox(ctx, graph)
    graph.page_size = 3
    ids = [graph.deliver(email(f"Message {i}", attachments=(("letter.pdf", "application/pdf", PDF),) if i == 0 else ()))
           for i in range(7)]
    graph.fail(times=1, status=500, method="GET", path=f"/v1.0/users/hub@council.test/messages/{ids[4][:-2]}")
    assert mail_intake.poll_mailboxes(ctx) == 3  # the first page is kept with its cursor; the poll stops
    [box] = mailboxes.list_mailboxes(ctx)
    assert "could not read a message" in (box.last_error or "")
    restarted = Context(Database(ctx.db.url), settings=ctx.settings)  # a new worker process
    assert mail_intake.poll_mailboxes(restarted) == 4
    restarted.db.dispose()
    assert mail_intake.poll_mailboxes(ctx) == 0
    graph.touch(ids[1])  # someone read it: Graph lists it again
    graph.deliver(email("Message 7"))
    assert mail_intake.poll_mailboxes(ctx) == 1
    assert taken(ctx) == [(i + 1, f"Message {i}", rid) for i, rid in enumerate(ids)] + [(8, "Message 7", taken(ctx)[7][2])]
    [box] = mailboxes.list_mailboxes(ctx)
    assert (box.kind, box.emails, box.last_error) == ("graph", 8, None)
    assert graph.token_requests() == 1  # the token is kept until it expires


def test_two_workers_polling_together_take_each_message_once(ctx, graph, database_url):
    add_graph_mailbox(ctx, graph)
    graph.page_size = 2
    for round_ in range(3):
        for i in range(5):
            graph.deliver(email(f"Round {round_} message {i}"))
        run_workers([Context(Database(database_url), settings=ctx.settings) for _ in range(2)],
                    mail_intake.poll_mailboxes)
    rows = taken(ctx)
    assert [uid for uid, _, _ in rows] == list(range(1, 16))
    assert sorted(rid for _, _, rid in rows) == sorted(graph.messages)


def test_a_reply_goes_out_through_graph_threaded_to_the_residents_email(ctx, graph):
    world = seed(ctx)
    add_graph_mailbox(ctx, graph)
    graph.deliver(email(f"My bin {world.bin}", "Still not emptied.", message_id="<pat-1@example.com>"))
    mail_intake.poll_mailboxes(ctx)
    [got] = email_inbox.triage_inbox(ctx, ADVISOR, "linked")
    written = email_replies.write_reply(ctx, world.bin, got.id, "We will collect it on Friday.", ADVISOR)
    assert written.via == "graph"
    assert email_replies.send_due(ctx) == 1
    assert email_replies.send_due(ctx) == 0
    [sent] = graph.sent
    assert (sent["To"], sent["From"], sent["Subject"]) == ("pat.smith@example.com", "hub@council.test",
                                                           f"Re: My bin {world.bin}")
    assert sent["In-Reply-To"] == sent["References"] == "<pat-1@example.com>"
    assert sent["Message-ID"] == written_message_id(ctx, written.id)
    assert sent.get_content().strip() == "We will collect it on Friday."


def written_message_id(ctx, reply_id: int) -> str:
    from engine.persistence.tables import EmailReply
    with ctx.db.transaction(readonly=True) as session:
        return session.get_one(EmailReply, reply_id).message_id


def test_bad_credentials_are_the_mailboxs_error_and_not_a_crash(ctx, graph, monkeypatch):
    add_graph_mailbox(ctx, graph)
    graph.deliver(email())
    monkeypatch.setenv(SECRET_ENV, "wrong-secret")
    assert mail_intake.poll_mailboxes(ctx) == 0
    [box] = mailboxes.list_mailboxes(ctx)
    assert box.last_error.startswith(f"Microsoft sign-in refused the app {graph.client_id} of tenant {graph.tenant} (401)")
    assert "AADSTS7000215: Invalid client secret provided." in box.last_error
    assert "wrong-secret" not in box.last_error
    monkeypatch.setenv(SECRET_ENV, graph.secret)
    assert mail_intake.poll_mailboxes(ctx) == 1  # put right, the next poll reads it
    assert mailboxes.list_mailboxes(ctx)[0].last_error is None


def test_throttling_waits_as_retry_after_says_and_a_long_wait_is_left_to_the_next_poll(ctx, graph):
    add_graph_mailbox(ctx, graph)
    graph.deliver(email("One"))
    waits: list[float] = []
    graph.throttle(2, retry_after=7)
    assert mail_intake.poll_mailboxes(ctx, sleep=waits.append) == 1
    assert waits == [7, 7]
    graph.deliver(email("Two"))
    graph.throttle(1, retry_after=600)
    assert mail_intake.poll_mailboxes(ctx, sleep=waits.append) == 0
    assert waits == [7, 7]  # not waited inside the poll
    assert "throttling" in mailboxes.list_mailboxes(ctx)[0].last_error
    assert mail_intake.poll_mailboxes(ctx, sleep=waits.append) == 1
    assert [s for _, s, _ in taken(ctx)] == ["One", "Two"]


def test_a_graph_mailbox_needs_its_tenant_app_and_https_addresses(ctx, graph):
    with pytest.raises(FormInvalid) as refused:
        mailboxes.MailboxDetails(name="hub", address="hub@council.test", team="Customer Hub", host="",
                                 username="", secret_env="hub secret", kind="graph", tenant_id="",
                                 client_id="not-a-guid", graph_url="http://graph.example.com").checked()
    assert set(refused.value.errors) == {"tenant_id", "client_id", "username", "secret_env", "graph_url"}
