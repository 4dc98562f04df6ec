"""The email channel in real Chromium: an email to the hub mailbox (a real dovecot) is in the advisor's
triage inbox after one poll; the advisor reads it, starts the service's case from it (its PDF becomes a
case document), then adds the resident's follow-up email to that case and replies to the resident from it (a local SMTP
server takes the reply). Every page visited, the error
state included, is well-formed and axe-clean at desktop and phone widths.

Set SCREENSHOTS_DIR to a folder to keep screenshots of the inbox and the email at 1280 and 390 px."""
from __future__ import annotations

import re
import uuid

from engine.catalogue import directory_entries
from engine.email import email_replies, mail_intake
from engine.catalogue.directory_entries import Entry
from engine.types import Role
from tests.engine.mails import PDF, add_hub_mailbox, email

from .journey import check, shoot
from .server import add_staff, chromium


def test_advisor_turns_an_email_into_a_case_and_adds_the_follow_up_to_it(server, dovecot, smtp):
    ctx, tag = server.ctx, uuid.uuid4().hex[:6]
    add_hub_mailbox(ctx, dovecot, name=f"hub-{tag}", smtp=smtp)
    directory_entries.save_entry(ctx, Entry(f"bins_{tag}", f"Missed bin {tag}", "start",
                                            process="missed_bin_collection", team="Waste Services"),
                                 "admin@example.gov.uk")
    advisor = add_staff(ctx, f"triage-{tag}@example.gov.uk", "Tia Triage", [Role.FRONT_OFFICE], ("Customer Hub",))
    subject = f"Bin not emptied {tag}"
    dovecot.deliver(email(subject, "Our grey bin was missed on Tuesday.\n\nFlat 2, 14 Mill Lane",
                          sender=f"Rowan Resident <rowan-{tag}@example.org>",
                          html="<p>Our <b>grey bin</b> was missed on Tuesday.</p>",
                          attachments=(("bin.pdf", "application/pdf", PDF),)))
    assert mail_intake.poll_mailboxes(ctx) == 1
    with chromium(server, advisor) as context:
        page = context.new_page()
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{server.url}/")
            if width == 1280:  # on a phone the menu is folded away
                page.click("nav >> text=Emails")
            else:
                page.click("main >> text=Emails")
            page.wait_for_url(re.compile(r"/emails$"))
            check(page)
            shoot(page, f"emails-inbox-{width}.png")
            page.click(f"text={subject}")
            page.wait_for_url(re.compile(r"/emails/\d+$"))
            check(page)
            shoot(page, f"email-{width}.png")
            assert "Flat 2, 14 Mill Lane" in page.inner_text("main")
        email_url = page.url

        page.click("button:has-text('Start case')")  # no service chosen
        check(page)
        assert "Select the service the email is about" in page.inner_text(".govuk-error-summary")
        page.select_option("#service", f"bins_{tag}")
        page.click("button:has-text('Start case')")
        page.wait_for_url(re.compile(r"/cases/CF-\d+"))
        check(page)
        reference = re.search(r"CF-\d+", page.url).group(0)
        assert "bin.pdf" in page.inner_text("main")

        dovecot.deliver(email(f"Still waiting {tag}", "Any news? No reference to hand.",
                              sender=f"rowan-{tag}@example.org"))
        mail_intake.poll_mailboxes(ctx)
        page.goto(f"{server.url}/emails")
        page.click(f"text=Still waiting {tag}")
        page.fill("#reference", reference.lower())
        page.select_option("#kind", "chasing")
        page.click("button:has-text('Add to case')")
        page.wait_for_url(re.compile(r"/emails$"))
        check(page)
        assert f"logged as a contact on case {reference}" in page.inner_text("main")
        assert page.goto(email_url).status == 200 and "Case started" in page.inner_text("main")

        page.click("button:has-text('Send reply')")  # nothing written
        check(page)
        assert "Enter your reply" in page.inner_text(".govuk-error-summary")
        page.fill("#reply", "Thank you. The crew will come back on Friday.")
        page.click("button:has-text('Send reply')")
        check(page)
        shoot(page, "email-replied-390.png")
        assert "will be sent in a moment" in page.inner_text("main")
        assert email_replies.send_due(ctx) == 1
        [sent] = smtp.messages
        assert sent["To"] == f"rowan-{tag}@example.org" and sent["In-Reply-To"]
        page.goto(f"{server.url}/cases/{reference}")
        check(page)
        assert "The reply was sent" in page.inner_text("main")

        # The case page's own reply form: start from a template, send; the empty reply's error too.
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{server.url}/cases/{reference}#reply")
            page.select_option("#reply-template", "acknowledge")
            page.click("button:has-text('Use template')")
            check(page)
            assert "Dear Rowan Resident," in page.input_value("#reply-text")
            page.locator("#reply").scroll_into_view_if_needed()
            shoot(page, f"case-reply-{width}.png")
        page.fill("#reply-text", "")
        page.click("button:has-text('Send reply')")
        check(page)
        assert "Enter your reply" in page.inner_text(".govuk-error-summary")
        page.fill("#reply-text", "Dear Rowan, the crew comes on Friday.")
        page.click("button:has-text('Send reply')")
        page.wait_for_url(re.compile(r"/cases/CF-\d+#reply$"))
        check(page)
        assert email_replies.send_due(ctx) == 1 and smtp.messages[-1].get_content().strip().endswith("on Friday.")
