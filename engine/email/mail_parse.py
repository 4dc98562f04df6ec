"""An email as councilflow keeps it: sender, subject, safe text, sanitised HTML and checked attachments.

HTML is cleaned with nh3 (the Ammonia sanitiser): no scripts, styles, forms or remote images, links made
``noopener noreferrer``. Attachments pass the same checks as documents staff upload
(``engine.casework.documents.check_upload``: a list of safe types, a size limit, first bytes matching the type),
so executables, HTML and SVG are refused and never served. Auto-replies, bounces and mailing lists are
recognised by their headers (RFC 3834 ``Auto-Submitted``, ``Precedence``, a null return path).
"""
from __future__ import annotations

import hashlib
import html as htmllib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime

import nh3

from ..casework.documents import check_upload
from ..errors import UserError

MAX_TEXT = 100_000
MAX_ATTACHMENTS = 20
_TAGS = {"a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i", "li", "ol", "p",
         "pre", "span", "strong", "table", "tbody", "td", "th", "thead", "tr", "u", "ul"}
_AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
_SPACES = re.compile(r"[ \t]*\n\s*\n\s*")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes
    refused: str | None  # why it is not kept (its bytes are then dropped)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str | None
    in_reply_to: str | None
    sender: str
    sender_name: str
    subject: str
    text: str
    html: str | None
    sent_at: datetime | None
    automatic: str | None  # why it is an automatic message (never answered), or None
    attachments: list[Attachment] = field(default_factory=list)
    bounce_of: str | None = None  # a bounce: the Message-ID of the message it says was not delivered


def sanitise_html(raw: str) -> str:
    return nh3.clean(raw, tags=_TAGS, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer").strip()


def html_to_text(raw: str) -> str:
    stripped = nh3.clean(re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", raw), tags=set())
    return _SPACES.sub("\n\n", htmllib.unescape(stripped)).strip()


def automatic_reason(msg: EmailMessage) -> str | None:
    """Why ``msg`` was sent by a machine (an out-of-office, a bounce, a list), or None for a person's."""
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto.split(';')[0]}"
    precedence = str(msg.get("Precedence", "")).strip().lower()
    if precedence in _AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    if msg.get("X-Autoreply") or msg.get("X-Autorespond") or msg.get("X-Auto-Response-Suppress", "").lower() == "all":
        return "an auto-reply header"
    if str(msg.get("Return-Path", "")).strip() == "<>":
        return "a bounce (empty return path)"
    if msg.get("List-Id") or msg.get("List-Unsubscribe"):
        return "a mailing list"
    return None


_BOUNCER = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)
_QUOTED_ID = re.compile(r"^\s*Message-ID:\s*(<[^>\s]{1,990}>)", re.IGNORECASE | re.MULTILINE)


def bounce(msg: EmailMessage, sender: str) -> tuple[str, str] | None:
    """(the Message-ID it bounces, why) when ``msg`` is a delivery failure report: an RFC 3464
    ``multipart/report`` or a mailer daemon's message quoting the original's headers; else None."""
    report = msg.get_content_type() == "multipart/report"
    if not report and not _BOUNCER.match(sender) and str(msg.get("Return-Path", "")).strip() != "<>":
        return None
    found, why = None, ""
    for part in msg.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            blocks = part.get_payload()
            for block in blocks if isinstance(blocks, list) else []:
                if isinstance(block, Message):
                    why = why or _header(block, "Diagnostic-Code") or _header(block, "Status")
        elif kind in ("message/rfc822", "message/rfc822-headers", "text/rfc822-headers") and found is None:
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            text = inner.as_string() if hasattr(inner, "as_string") else str(inner or "")
            quoted = _QUOTED_ID.search(text)
            found = quoted.group(1) if quoted else None
    if found is None and not report:
        quoted = _QUOTED_ID.search(_body(msg, "plain") or "")
        found = quoted.group(1) if quoted else None
    return (found, why or "not delivered") if found else None


def _header(msg: Message, name: str) -> str:
    try:
        return " ".join(str(msg.get(name, "") or "").split())
    except (ValueError, TypeError, IndexError):  # a malformed header is read as absent
        return ""


def _sent_at(msg: EmailMessage) -> datetime | None:
    try:
        sent = parsedate_to_datetime(_header(msg, "Date"))
    except (TypeError, ValueError, IndexError):
        return None
    return sent if sent.tzinfo is not None else sent.replace(tzinfo=timezone.utc)


def _body(msg: EmailMessage, kind: str) -> str | None:
    part = msg.get_body(preferencelist=(kind,))
    if part is None:
        return None
    try:
        return str(part.get_content())
    except (LookupError, ValueError):  # an unknown charset: decode what we can
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else None


def _attachments(msg: EmailMessage) -> list[Attachment]:
    found: list[Attachment] = []
    for part in msg.iter_attachments():
        if len(found) >= MAX_ATTACHMENTS:
            break
        content = part.get_payload(decode=True)
        content = content if isinstance(content, bytes) else b""
        name = part.get_filename() or "attachment"
        try:
            name, kind = check_upload(name, content)
            found.append(Attachment(name, kind, content, None))
        except UserError as err:
            found.append(Attachment(name[:255], "application/octet-stream", b"", err.message[:200]))
    return found


def parse(raw: bytes) -> ParsedEmail:
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    pairs = getaddresses([_header(msg, "From")])
    name, address = pairs[0] if pairs else ("", "")
    html = _body(msg, "html")
    text = _body(msg, "plain")
    clean = sanitise_html(html[:MAX_TEXT * 5]) if html else None
    if text is None:
        text = html_to_text(clean) if clean else ""
    answers = _header(msg, "In-Reply-To").split() or _header(msg, "References").split()[-1:]
    bounced = bounce(msg, address.strip().lower())
    automatic = f"a bounce: {bounced[1]}"[:200] if bounced else automatic_reason(msg)
    return ParsedEmail(message_id=_header(msg, "Message-ID")[:998] or None,
                       in_reply_to=answers[0][:998] if answers else None, sender=address.strip().lower()[:320],
                       sender_name=name.strip()[:200], subject=_header(msg, "Subject")[:998],
                       text=text.strip()[:MAX_TEXT], html=clean, sent_at=_sent_at(msg),
                       automatic=automatic, attachments=_attachments(msg),
                       bounce_of=bounced[0][:998] if bounced else None)
