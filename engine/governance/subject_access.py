"""Subject access: one zip archive of everything councilflow holds about a customer.

``customer.json`` has the customer's record and, for each of their cases, the case with its data and
every row that belongs to it (tasks, history, notes, contacts, questions, documents, emails and replies,
SLA clocks, ...: every table with a ``case_id``, found from the metadata as engine/governance/personal_data.py
finds them), plus emails matched to the customer without a case. ``summary.html`` says the same in words
for the person; ``files/`` holds the documents and email attachments themselves. Making one is recorded
in the audit trail (the archive itself is not kept)."""
from __future__ import annotations

import html
import io
import json
import zipfile
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import LargeBinary, Table, or_, select
from sqlalchemy.orm import Session

from ..casework.customers import CustomerNotFound
from ..persistence.tables import Case, Customer, Document, Email, EmailAttachment
from ..types import AuditKind
from . import audit, personal_data

if TYPE_CHECKING:
    from ..context import Context

FORMAT = 1
# Row-level columns that say nothing about the person and would only puzzle them.
INTERNAL = {"lock_version", "token_hash", "idempotency_key", "spiff_id", "leased_until", "lease_holder"}


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _rows(session: Session, table: Table, condition: Any) -> list[dict[str, Any]]:
    columns = [c for c in table.c if not isinstance(c.type, LargeBinary) and c.name not in INTERNAL]
    return [{c.name: _plain(row._mapping[c.name]) for c in columns}
            for row in session.execute(select(*columns).where(condition).order_by(*table.primary_key.columns))]


def _case(session: Session, case: Case) -> dict[str, Any]:
    record = _rows(session, personal_data.table(Case), Case.id == case.id)[0]
    for table in sorted(personal_data.case_tables(), key=lambda t: t.name):
        record[table.name] = _rows(session, table, table.c.case_id == case.id)
    return record


def _files(session: Session, case_ids: list[int], customer_id: int) -> list[tuple[str, bytes]]:
    found = [(f"files/{d.case_id}/document-{d.id}-{d.filename}", d.content)
             for d in session.scalars(select(Document).where(Document.case_id.in_(case_ids)).order_by(Document.id))]
    emails = select(Email.id).where(or_(Email.customer_id == customer_id, Email.case_id.in_(case_ids)))
    found += [(f"files/email-{a.email_id}/attachment-{a.id}-{a.filename}", a.content)
              for a in session.scalars(select(EmailAttachment).where(EmailAttachment.email_id.in_(emails))
                                       .order_by(EmailAttachment.id)) if a.content is not None]
    return [(name.replace("..", "_"), content) for name, content in found]


def gather(session: Session, customer_id: int, now: datetime) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """The archive's JSON document and its files."""
    if session.get(Customer, customer_id) is None:
        raise CustomerNotFound(f"There is no customer {customer_id}")
    cases = list(session.scalars(select(Case).where(Case.customer_id == customer_id).order_by(Case.id)))
    case_ids = [c.id for c in cases]
    emails = personal_data.table(Email)
    document = {"format": FORMAT, "made_at": now.isoformat(),
                "customer": _rows(session, personal_data.table(Customer), Customer.id == customer_id)[0],
                "cases": [_case(session, case) for case in cases],
                "emails_without_case": _rows(session, emails, (emails.c.customer_id == customer_id)
                                             & emails.c.case_id.is_(None))}
    return document, _files(session, case_ids, customer_id)


def _dl(pairs: dict[str, Any]) -> str:
    items = "".join(f"<dt>{html.escape(str(k).replace('_', ' '))}</dt><dd>{html.escape(_text(v))}</dd>"
                    for k, v in pairs.items() if v not in (None, "", [], {}))
    return f"<dl>{items}</dl>"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)


def summary(document: dict[str, Any], files: list[tuple[str, bytes]]) -> str:
    """A page the person can read in any browser: their details, each case and what it holds."""
    parts = ["<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Information we hold about you"
             "</title></head><body><h1>Information we hold about you</h1>",
             f"<p>Made on {html.escape(document['made_at'][:10])}. The file customer.json holds the same "
             "information in a form computers can read; the folder files holds the documents.</p>",
             "<h2>Your details</h2>", _dl(document["customer"])]
    for case in document["cases"]:
        parts += [f"<h2>Case {html.escape(case['reference'] or '')}</h2>",
                  _dl({k: case[k] for k in ("process_key", "status", "channel", "created_at", "completed_at")}),
                  "<h3>Information on the case</h3>", _dl(case["data"] or {})]
        for name in ("case_note", "case_contact", "task_question", "email_message", "email_reply", "case_document"):
            if case.get(name):
                parts.append(f"<h3>{html.escape(name.replace('_', ' ').capitalize())}s</h3>")
                parts += [_dl(row) for row in case[name]]
        history = [f"<li>{html.escape(str(e['at']))}: {html.escape(e['kind'].replace('_', ' '))}</li>"
                   for e in case.get("event", [])]
        parts += ["<h3>History</h3><ul>", *history, "</ul>"]
    if document["emails_without_case"]:
        parts.append("<h2>Emails</h2>")
        parts += [_dl(row) for row in document["emails_without_case"]]
    if files:
        parts.append("<h2>Files</h2><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n, _ in files) + "</ul>")
    return "".join(parts) + "</body></html>"


def archive(ctx: "Context", customer_id: int, actor: str) -> bytes:
    """The subject-access archive (zip) of one customer; recorded in the audit trail."""
    with ctx.db.transaction() as session:
        document, files = gather(session, customer_id, ctx.clock.now())
        audit.record(session, AuditKind.DATA_EXPORTED, actor, ctx.clock.now(), f"customer {customer_id}",
                     what="subject access", cases=len(document["cases"]), files=len(files))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("customer.json", json.dumps(document, indent=2, default=str, ensure_ascii=False))
        zipped.writestr("summary.html", summary(document, files))
        for name, content in files:
            zipped.writestr(name, content)
    return buffer.getvalue()
