"""Triage: each email from a mailbox becomes an open contact in the team's inbox, flagged with the known
customer it came from, or, quoting a case's reference, a repeat contact on that case with its attachments
filed; auto-replies, loops and floods are kept but never answered. Then the advisor resolves an email,
links it to a case or starts a mapped process from it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from adapters.registry import AdapterRegistry
from engine.casework import cases, contacts, documents
from engine.email import email_inbox, email_triage, mail_intake
from engine.outbox import outbox
from engine.errors import CaseNotFound, Conflict
from engine.persistence.tables import Document, Email
from engine.types import EmailStatus, EventKind
from tests.adapters.conftest import CMIS_ENV, cmis_config
from tests.engine.mails import PDF, add_hub_mailbox, email
from tests.engine.test_case_search import ADVISOR, OFFICER, seed
from tests.fakes.cmis import FakeCmis


@pytest.fixture
def world(ctx, dovecot):
    world = seed(ctx)
    add_hub_mailbox(ctx, dovecot)
    return world


def receive(ctx, dovecot, *messages: bytes) -> list:
    for raw in messages:
        dovecot.deliver(raw)
    mail_intake.poll_mailboxes(ctx)
    with ctx.db.transaction(readonly=True) as session:
        return list(session.scalars(select(Email).order_by(Email.id)))


def test_an_email_waits_in_the_hub_inbox_flagged_with_the_customer_who_sent_it(ctx, dovecot, world):
    receive(ctx, dovecot, email(html="<p>My <b>bin</b> was missed<script>alert(1)</script>"
                                     "<img src='https://tracker.example/p.gif'></p>",
                                attachments=(("photo.pdf", "application/pdf", PDF),
                                             ("invoice.exe", "application/octet-stream", b"MZ\x90\x00"),
                                             ("drawing.svg", "image/svg+xml", b"<svg onload='x()'/>"))))
    [waiting] = email_inbox.triage_inbox(ctx, ADVISOR)
    assert (waiting.sender, waiting.subject, waiting.status, waiting.team) == (
        "pat.smith@example.com", "Bin not collected", "open", "Customer Hub")
    assert waiting.customer_name == "Pat O'Brien-Smith"  # flagged: the same address as a known customer
    shown = email_inbox.get_email(ctx, waiting.id, ADVISOR)
    assert shown.text == "My bin was missed on Tuesday."
    assert shown.html == "<p>My <b>bin</b> was missed</p>"
    assert [(a.filename, a.refused is None) for a in shown.attachments] == [
        ("photo.pdf", True), ("invoice.exe", False), ("drawing.svg", False)]
    kept, content = email_inbox.get_attachment(ctx, waiting.id, shown.attachments[0].id, ADVISOR)
    assert (kept.content_type, content) == ("application/pdf", PDF)
    assert email_inbox.triage_inbox(ctx, OFFICER) == []  # another team's inbox


def test_an_email_quoting_a_reference_is_logged_on_that_case_with_its_attachment_filed(ctx, dovecot, world):
    with FakeCmis() as fake:
        fake.make_folder("/Sites/cases")
        ctx.adapters = AdapterRegistry.from_config(cmis_config(fake), CMIS_ENV)
        [got] = receive(ctx, dovecot, email(f"RE: Your report {world.bin.lower().replace('-', '')}",
                                            "The bin is still not emptied, photo attached.",
                                            attachments=(("bin.pdf", "application/pdf", PDF),)))
        outbox.run_due_calls(ctx, ctx.adapters)  # (the seeded cases' own calls fail: no Notify here)
    assert (got.status, got.handled_by) == (EmailStatus.LINKED, email_triage.INTAKE_ACTOR)
    [contact] = contacts.list_contacts(ctx, world.bin, ADVISOR)
    assert (contact.channel, contact.kind) == ("email", "other")
    assert contact.text.startswith("Email: RE: Your report")
    history = [e.kind for e in cases.show_case(ctx, world.bin).history]
    email_events = {EventKind.CONTACT_LOGGED, EventKind.DOCUMENT_ADDED, EventKind.EMAIL_RECEIVED, EventKind.DOCUMENT_FILED}
    assert [k for k in history if k in email_events] == [EventKind.CONTACT_LOGGED, EventKind.DOCUMENT_ADDED,
                                                          EventKind.EMAIL_RECEIVED, EventKind.DOCUMENT_FILED]
    [doc] = documents.list_documents(ctx, world.bin, ADVISOR)
    assert (doc.filename, doc.filing_status) == ("bin.pdf", "filed")
    assert email_inbox.triage_inbox(ctx, ADVISOR) == []


def test_auto_replies_bounces_and_loops_are_kept_but_never_answered(ctx, dovecot, world, monkeypatch):
    monkeypatch.setattr(email_triage, "RATE_LIMIT", 3)
    got = receive(ctx, dovecot,
                  email("Out of office", Auto_Submitted="auto-replied"),
                  email("Newsletter", Precedence="bulk"),
                  email("Undeliverable", Return_Path="<>"),
                  email("Echo", sender="Hub <hub@council.test>"),
                  *(email(f"Flood {i}", sender="robot@example.net") for i in range(5)))
    assert [(e.subject, e.status) for e in got] == [
        ("Out of office", "ignored"), ("Newsletter", "ignored"), ("Undeliverable", "ignored"), ("Echo", "ignored"),
        ("Flood 0", "open"), ("Flood 1", "open"), ("Flood 2", "open"), ("Flood 3", "ignored"), ("Flood 4", "ignored")]
    assert [e.ignored_reason for e in got[:4]] == [
        "Auto-Submitted: auto-replied", "Precedence: bulk", "a bounce (empty return path)",
        "sent from this mailbox (a mail loop)"]
    assert [e.subject for e in email_inbox.triage_inbox(ctx, ADVISOR, "ignored")][:2] == ["Out of office",
                                                                                          "Newsletter"]


def test_the_advisor_resolves_an_email_once(ctx, dovecot, world):
    [got] = receive(ctx, dovecot, email("When is the tip open?"))
    done = email_inbox.resolve_email(ctx, got.id, ADVISOR, "Told them: 8am to 6pm")
    assert (done.status, done.handled_by) == ("resolved", ADVISOR)
    with pytest.raises(Conflict, match="already dealt with"):
        email_inbox.resolve_email(ctx, got.id, ADVISOR)
    with pytest.raises(email_inbox.EmailNotFound):
        email_inbox.get_email(ctx, got.id, OFFICER)


def test_the_advisor_links_an_email_to_a_case_it_did_not_quote(ctx, dovecot, world):
    [got] = receive(ctx, dovecot, email("Still waiting", "Any news about my bin?"))
    with pytest.raises(CaseNotFound):
        email_inbox.link_email(ctx, got.id, "CF-999999", ADVISOR)
    linked = email_inbox.link_email(ctx, got.id, world.bin.lower(), ADVISOR, "chasing")
    assert (linked.status, linked.case) == ("linked", world.bin)
    assert [c.kind for c in contacts.list_contacts(ctx, world.bin, ADVISOR)] == ["chasing"]


def test_the_advisor_starts_a_mapped_process_from_an_email_with_its_details_and_attachments(ctx, dovecot, world):
    [got] = receive(ctx, dovecot, email("Pothole", "A deep pothole outside 3 Mill Lane.", sender="new@example.org",
                                        attachments=(("hole.pdf", "application/pdf", PDF),)))
    started = email_inbox.start_case_from_email(ctx, got.id, "pothole_report", ADVISOR)
    assert started.status == "started" and started.case
    case = cases.show_case(ctx, started.case)
    assert case.history[0].detail["channel"] == "email"
    assert case.data["customer_email"] == "new@example.org"
    assert case.data["description"] == "Pothole\n\nA deep pothole outside 3 Mill Lane."
    assert [d.filename for d in documents.list_documents(ctx, started.case, ADVISOR)] == ["hole.pdf"]
    with ctx.db.transaction(readonly=True) as session:
        assert session.scalar(select(Document.uploaded_by)) == ADVISOR
    with pytest.raises(Conflict):
        email_inbox.start_case_from_email(ctx, got.id, "pothole_report", ADVISOR)


def test_intake_and_triage_log_no_personal_data(ctx, dovecot, world, caplog):
    caplog.set_level("DEBUG", logger="engine")
    receive(ctx, dovecot, email("Housing benefit for Pat", "My National Insurance number is QQ123456C"),
            email("Out of office", sender="Jo Private <jo.private@example.net>", Auto_Submitted="auto-replied"))
    assert caplog.records, "intake logs what it did"
    for secret in ("pat.smith", "Pat", "QQ123456C", "jo.private", "Out of office", "Housing"):
        assert secret not in caplog.text
