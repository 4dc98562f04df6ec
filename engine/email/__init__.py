"""Email as a channel: mailboxes read over IMAP or Microsoft Graph, messages parsed and kept, triage into contacts and cases, and replies
from the case.

This ``__init__`` is the wing's face: the names the web app, the API, the CLI, adapters and other
wings use, loaded from their modules when first asked for (``engine/faces.py``). Anything else in
the wing is its own business."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..faces import face

if TYPE_CHECKING:
    from .email_inbox import (
        EmailView, get_attachment, get_email, link_email, resolve_email, services_to_start, start_case_from_email,
        triage_inbox,
    )
    from .email_replies import ReplyRefused, ReplyView, reply_form, write_reply
    from .mail_intake import poll_mailboxes
    from .mailboxes import AUTHS, KINDS, MailboxDetails, add_mailbox, list_mailboxes, remove_mailbox

__all__ = [
    "add_mailbox", "AUTHS", "EmailView", "get_attachment", "get_email", "KINDS", "link_email", "list_mailboxes",
    "MailboxDetails", "poll_mailboxes", "remove_mailbox", "reply_form", "ReplyRefused", "ReplyView", "resolve_email",
    "services_to_start", "start_case_from_email", "triage_inbox", "write_reply",
]

if not TYPE_CHECKING:  # mypy reads the imports above; at run time a name is read when first asked for
    __getattr__ = face(__name__, {
        "add_mailbox": "mailboxes", "AUTHS": "mailboxes", "EmailView": "email_inbox", "get_attachment": "email_inbox",
        "get_email": "email_inbox", "KINDS": "mailboxes", "link_email": "email_inbox", "list_mailboxes": "mailboxes",
        "MailboxDetails": "mailboxes", "poll_mailboxes": "mail_intake", "remove_mailbox": "mailboxes",
        "reply_form": "email_replies", "ReplyRefused": "email_replies", "ReplyView": "email_replies",
        "resolve_email": "email_inbox", "services_to_start": "email_inbox", "start_case_from_email": "email_inbox",
        "triage_inbox": "email_inbox", "write_reply": "email_replies",
    })
