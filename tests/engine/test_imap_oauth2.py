"""IMAP mailboxes that sign in with OAuth2 (client credentials, SASL XOAUTH2), against a real dovecot whose
oauth2 passdb asks a local fake sign-in service whether each token is active: emails are taken once, a
token is kept between polls and renewed when it expires or the server stops taking it, and a wrong client
secret is the mailbox's error (never the secret), with nothing lost."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from engine.clock import FixedClock
from engine.context import Context
from engine.email import email_inbox, email_replies, mail_intake, mailboxes
from engine.errors import FormInvalid
from engine.persistence.db import Database
from engine.persistence.tables import Email, EmailReply, Mailbox
from engine.types import EmailStatus
from tests.engine.mails import add_oauth2_mailbox, email
from tests.fakes.dovecot import _free_port as free_port
from tests.engine.test_case_search import ADVISOR, seed

SECRET_ENV = "COUNCILFLOW_MAIL_HUB_SECRET"


@pytest.fixture
def clocked(database_url, ctx):
    """The test's database with a clock the test moves (a token's lifetime passes without waiting)."""
    context = Context(Database(database_url), clock=FixedClock(datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)),
                      settings=ctx.settings)
    yield context
    context.db.dispose()


def last_reply_error(ctx) -> str | None:
    with ctx.db.transaction(readonly=True) as session:
        return session.scalar(select(EmailReply.last_error))


def subjects(ctx) -> list[str]:
    with ctx.db.transaction(readonly=True) as session:
        return list(session.scalars(select(Email.subject).order_by(Email.uid)))


def test_an_email_comes_into_the_triage_inbox_through_an_oauth2_mailbox_once(ctx, oauth2_imap):
    sign_in, dovecot, _ = oauth2_imap
    add_oauth2_mailbox(ctx, sign_in, dovecot)
    dovecot.deliver(email("Bin not collected"))
    assert mail_intake.poll_mailboxes(ctx) == 1
    assert mail_intake.poll_mailboxes(ctx) == 0
    dovecot.deliver(email("Pothole on Mill Lane"))
    assert mail_intake.poll_mailboxes(ctx) == 1
    assert subjects(ctx) == ["Bin not collected", "Pothole on Mill Lane"]
    with ctx.db.transaction(readonly=True) as session:
        assert set(session.scalars(select(Email.status))) == {EmailStatus.OPEN}  # waiting in the triage inbox
    [box] = mailboxes.list_mailboxes(ctx)
    assert (box.auth, box.emails, box.last_error) == ("oauth2", 2, None)
    assert sign_in.token_requests() == 1  # one token, kept between polls
    assert sign_in.introspections() == sign_in.issued * 3  # dovecot checked it at each sign-in
    assert dovecot.log().count("method=XOAUTH2") == 3


def test_a_token_that_expires_between_polls_is_renewed(clocked, oauth2_imap):
    sign_in, dovecot, _ = oauth2_imap
    add_oauth2_mailbox(clocked, sign_in, dovecot)
    dovecot.deliver(email("One"))
    assert mail_intake.poll_mailboxes(clocked) == 1
    clocked.clock.advance(seconds=sign_in.expires_in)  # its lifetime is over, at the service too
    sign_in.expire()
    dovecot.deliver(email("Two"))
    assert mail_intake.poll_mailboxes(clocked) == 1
    assert sign_in.token_requests() == 2
    assert sign_in.introspections() == sign_in.issued  # the old token was never offered again
    # Ended early at the service (revoked, clocks apart): refused once, then a new token on the same connection.
    sign_in.expire()
    dovecot.deliver(email("Three"))
    assert mail_intake.poll_mailboxes(clocked) == 1
    assert sign_in.token_requests() == 3
    assert sign_in.introspections() == [*sign_in.issued[:2], sign_in.issued[1], sign_in.issued[2]]
    assert subjects(clocked) == ["One", "Two", "Three"]
    assert mailboxes.list_mailboxes(clocked)[0].last_error is None


def test_a_wrong_client_secret_is_the_mailboxs_error_and_nothing_is_lost(ctx, oauth2_imap, monkeypatch, caplog):
    sign_in, dovecot, _ = oauth2_imap
    add_oauth2_mailbox(ctx, sign_in, dovecot)
    dovecot.deliver(email("Waiting"))
    monkeypatch.setenv(SECRET_ENV, "wrong-client-secret")
    with caplog.at_level(logging.DEBUG):
        assert mail_intake.poll_mailboxes(ctx) == 0
    error = mailboxes.list_mailboxes(ctx)[0].last_error
    assert error.startswith(f"The sign-in service {sign_in.token_url} refused the app {sign_in.client_id} (401): "
                            "invalid_client: AADSTS7000215: Invalid client secret provided.")
    assert "wrong-client-secret" not in error and "wrong-client-secret" not in caplog.text
    assert sign_in.secret not in caplog.text
    assert sign_in.introspections() == []  # the IMAP server was never offered anything
    monkeypatch.delenv(SECRET_ENV)
    assert mail_intake.poll_mailboxes(ctx) == 0
    assert mailboxes.list_mailboxes(ctx)[0].last_error == \
        f"The environment variable {SECRET_ENV} (the client secret) is not set"
    monkeypatch.setenv(SECRET_ENV, sign_in.secret)
    assert mail_intake.poll_mailboxes(ctx) == 1  # put right, the next poll takes it
    assert subjects(ctx) == ["Waiting"]
    assert mailboxes.list_mailboxes(ctx)[0].last_error is None


def test_a_sign_in_service_that_is_down_or_a_server_refusing_tokens_is_the_mailboxs_error(ctx, oauth2_imap):
    sign_in, dovecot, _ = oauth2_imap
    add_oauth2_mailbox(ctx, sign_in, dovecot)
    dovecot.deliver(email())
    sign_in.fail(times=1, status=503, path="/tenant/")
    assert mail_intake.poll_mailboxes(ctx) == 0
    assert mailboxes.list_mailboxes(ctx)[0].last_error == (
        f"The sign-in service {sign_in.token_url} refused the app {sign_in.client_id} (503): "
        "temporarily_unavailable: Service Unavailable")
    nowhere = f"http://127.0.0.1:{free_port()}/token"  # nothing listens there
    with ctx.db.transaction() as session:
        session.scalar(select(Mailbox)).token_url = nowhere
    assert mail_intake.poll_mailboxes(ctx) == 0
    assert mailboxes.list_mailboxes(ctx)[0].last_error == \
        f"The sign-in service {nowhere} cannot be reached: ConnectionError"
    with ctx.db.transaction() as session:
        session.scalar(select(Mailbox)).token_url = sign_in.token_url
    sign_in.mail_access = False  # signs in, but the app was never given the mailbox
    assert mail_intake.poll_mailboxes(ctx) == 0
    error = mailboxes.list_mailboxes(ctx)[0].last_error
    assert error.startswith("127.0.0.1 refused the OAuth2 sign-in or the folder: ") and "AUTHENTICATIONFAILED" in error
    assert sign_in.token_requests() == 3  # the 503, then a token refused and a new one tried once
    assert not any(token in error for token in sign_in.issued)
    sign_in.mail_access = True
    assert mail_intake.poll_mailboxes(ctx) == 1


def test_a_reply_goes_out_through_smtp_signed_in_with_the_token(ctx, oauth2_imap):
    sign_in, dovecot, smtp = oauth2_imap
    world = seed(ctx)
    add_oauth2_mailbox(ctx, sign_in, dovecot, smtp=smtp)
    dovecot.deliver(email(f"My bin {world.bin}", "Still not emptied.", message_id="<pat-1@example.com>"))
    mail_intake.poll_mailboxes(ctx)
    [got] = email_inbox.triage_inbox(ctx, ADVISOR, "linked")
    email_replies.write_reply(ctx, world.bin, got.id, "We will collect it on Friday.", ADVISOR)
    sign_in.expire()  # the token kept from reading is no longer taken: renewed once
    assert email_replies.send_due(ctx) == 1, last_reply_error(ctx)
    [sent] = smtp.messages
    assert sent["In-Reply-To"] == "<pat-1@example.com>" and sent["From"] == "hub@council.test"
    assert smtp.handler.xoauth2_users == ["hub@council.test"]
    assert sign_in.token_requests() == 2


def test_an_oauth2_mailbox_needs_its_token_url_app_and_scope():
    with pytest.raises(FormInvalid) as refused:
        mailboxes.MailboxDetails(name="hub", address="hub@council.test", team="Customer Hub", host="imap.example.com",
                                 username="hub@council.test", secret_env="hub secret", auth="oauth2",
                                 token_url="http://login.example.com/token").checked()
    assert set(refused.value.errors) == {"token_url", "client_id", "scope", "secret_env"}
    assert "client secret" in refused.value.errors["secret_env"]
    with pytest.raises(FormInvalid) as refused:
        mailboxes.MailboxDetails(name="hub", address="hub@council.test", team="Customer Hub", host="imap.example.com",
                                 username="hub@council.test", secret_env="HUB", auth="kerberos").checked()
    assert set(refused.value.errors) == {"auth"}
    checked = mailboxes.MailboxDetails(
        name="hub", address="hub@council.test", team="Customer Hub", host="outlook.office365.com",
        username="hub@council.test", secret_env="HUB_SECRET", auth="oauth2", client_id=" app ",
        token_url="https://login.microsoftonline.com/t/oauth2/v2.0/token",
        scope="https://outlook.office365.com/.default").checked()
    assert (checked.auth, checked.client_id, checked.scope) == ("oauth2", "app", "https://outlook.office365.com/.default")
