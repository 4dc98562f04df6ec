"""Mail intake from a real IMAP server (dovecot over TLS): every email in a configured mailbox is taken
once, however often the worker polls, after a crash mid-read, with two workers at once, and when the
folder is rebuilt with a new UIDVALIDITY."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.email import mail_intake, mailboxes
from engine.context import Context
from engine.email.imap import ImapReader
from engine.persistence.db import Database
from engine.persistence.tables import Email, Mailbox
from engine.types import EmailStatus
from tests.engine.helpers import run_workers
from tests.engine.mails import add_hub_mailbox, email


def taken(ctx) -> list[tuple[int, str]]:
    with ctx.db.transaction(readonly=True) as session:
        return list(session.execute(select(Email.uid, Email.subject).order_by(Email.uid)))


def test_an_email_in_the_mailbox_is_taken_at_the_next_poll_and_only_once(ctx, dovecot):
    add_hub_mailbox(ctx, dovecot)
    dovecot.deliver(email("Bin not collected"))
    assert mail_intake.poll_mailboxes(ctx) == 1
    assert mail_intake.poll_mailboxes(ctx) == 0
    dovecot.deliver(email("Pothole on Mill Lane"))
    assert mail_intake.poll_mailboxes(ctx) == 1
    assert taken(ctx) == [(1, "Bin not collected"), (2, "Pothole on Mill Lane")]
    [box] = mailboxes.list_mailboxes(ctx)
    assert (box.last_uid, box.emails, box.last_error) == (2, 2, None)


class CrashAfter:
    """The real reader, but the worker dies (the connection drops) after ``n`` messages."""

    def __init__(self, n: int) -> None:
        self.n = n

    def open(self, account):
        session = ImapReader().open(account)
        fetch = session.fetch

        def dying(uids):
            for i, item in enumerate(fetch(uids)):
                if i == self.n:
                    raise ConnectionResetError("worker killed")
                yield item
        session.fetch = dying
        return session


def test_a_worker_killed_mid_read_loses_and_repeats_nothing(ctx, dovecot, monkeypatch):
    add_hub_mailbox(ctx, dovecot)
    for i in range(7):
        dovecot.deliver(email(f"Message {i}"))
    monkeypatch.setattr(mail_intake, "COMMIT_EVERY", 2)
    with pytest.raises(ConnectionResetError):
        mail_intake.poll_mailboxes(ctx, reader=CrashAfter(5))
    assert [uid for uid, _ in taken(ctx)] == [1, 2, 3, 4]  # two batches committed with their cursor
    assert mail_intake.poll_mailboxes(ctx) == 3  # the lease was given back: the restart goes on at once
    assert [uid for uid, _ in taken(ctx)] == list(range(1, 8))


def test_a_lease_left_by_a_dead_worker_expires(ctx, dovecot):
    add_hub_mailbox(ctx, dovecot)
    dovecot.deliver(email())
    with ctx.db.transaction() as session:
        box = session.scalar(select(Mailbox))
        box.lease_holder, box.leased_until = "dead-worker", ctx.clock.now() + mail_intake.LEASE / 2
    assert mail_intake.poll_mailboxes(ctx) == 0  # still leased
    with ctx.db.transaction() as session:
        session.scalar(select(Mailbox)).leased_until = ctx.clock.now() - mail_intake.LEASE
    assert mail_intake.poll_mailboxes(ctx) == 1


def test_two_workers_polling_together_take_each_email_once(ctx, dovecot, database_url):
    add_hub_mailbox(ctx, dovecot)
    for round_ in range(4):
        for i in range(5):
            dovecot.deliver(email(f"Round {round_} message {i}"))
        workers = [Context(Database(database_url), settings=ctx.settings) for _ in range(2)]
        run_workers(workers, mail_intake.poll_mailboxes)
    with ctx.db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Email)) == 20
    assert [uid for uid, _ in taken(ctx)] == list(range(1, 21))


def test_a_rebuilt_folder_with_a_new_uidvalidity_is_not_taken_twice(ctx, dovecot):
    add_hub_mailbox(ctx, dovecot)
    dovecot.deliver(email("Before"))
    mail_intake.poll_mailboxes(ctx)
    dovecot.rebuild()
    dovecot.deliver(email("After"))
    assert mail_intake.poll_mailboxes(ctx) == 1
    assert [subject for _, subject in taken(ctx)] == ["Before", "After"]


def test_a_missing_password_or_a_refused_sign_in_is_shown_on_the_mailbox(ctx, dovecot, monkeypatch):
    add_hub_mailbox(ctx, dovecot)
    dovecot.deliver(email())
    monkeypatch.delenv("COUNCILFLOW_MAIL_HUB_PASSWORD")
    assert mail_intake.poll_mailboxes(ctx) == 0
    assert "COUNCILFLOW_MAIL_HUB_PASSWORD" in mailboxes.list_mailboxes(ctx)[0].last_error
    monkeypatch.setenv("COUNCILFLOW_MAIL_HUB_PASSWORD", "wrong-password")
    assert mail_intake.poll_mailboxes(ctx) == 0
    error = mailboxes.list_mailboxes(ctx)[0].last_error
    assert "refused the sign-in" in error and "wrong-password" not in error
    monkeypatch.setenv("COUNCILFLOW_MAIL_HUB_PASSWORD", "app-password-for-tests")
    assert mail_intake.poll_mailboxes(ctx) == 1
    assert mailboxes.list_mailboxes(ctx)[0].last_error is None


def test_a_certificate_the_worker_does_not_trust_is_refused(ctx, dovecot, monkeypatch):
    add_hub_mailbox(ctx, dovecot)
    monkeypatch.delenv("SSL_CERT_FILE")
    assert mail_intake.poll_mailboxes(ctx) == 0
    assert "certificate" in mailboxes.list_mailboxes(ctx)[0].last_error.lower()


def test_new_emails_wait_in_the_team_inbox_as_open_contacts(ctx, dovecot):
    add_hub_mailbox(ctx, dovecot)
    dovecot.deliver(email())
    mail_intake.poll_mailboxes(ctx)
    with ctx.db.transaction(readonly=True) as session:
        assert session.scalar(select(Email.status)) == EmailStatus.OPEN
