"""Where a case keeps personal data, and how it is removed: the one place retention (engine/governance/retention.py)
and erasure (engine/governance/erasure.py) both use, and subject access (engine/governance/subject_access.py) reads.

Every table with a ``case_id`` column belongs to its case; they are found from the metadata, so a table
added later is covered without changes here. Personal data is removed in two ways at once:
- by KEY in the case's data (``customer_name``, ``email``, ``postcode``, ...), whose values are removed;
- by VALUE everywhere else: the customer's details and those data values ("needles") are replaced
  wherever they occur in a text or JSON column of the case's rows (history, notes, emails, the saved
  workflow), so a name copied into a note or an outbox call's parameters goes too.
``free_text`` (retention) also blanks what people typed (notes, questions, emails) whatever it says, and
attached files are always emptied. Ids, statuses, dates and kinds stay: the figures survive."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, LargeBinary, String, Table, delete, select, update
from sqlalchemy.orm import Session

from ..persistence.base import Base
from ..persistence.tables import Case, CaseState, Customer, CustomerWord, Email, EmailAttachment

if TYPE_CHECKING:
    from ..casework.writer import SavedState

REMOVED = "[removed]"
MIN_NEEDLE = 3  # shorter values ("Mr", "1") would cut through words that are not about the person
PERSONAL_KEY = re.compile(r"(^|_)(name|first_?name|last_?name|surname|forename|full_?name|email|e_?mail|phone|"
                          r"mobile|telephone|tel|address|address_line\d*|postcode|post_code|uprn|dob|"
                          r"date_of_birth|birth_date|nino|national_insurance_number)($|_)", re.I)
# What people type: blanked by retention whatever it says (erasure replaces the person's details only).
FREE_TEXT = {("case_note", "text"), ("case_contact", "text"), ("task_question", "question"),
             ("task_question", "answer"), ("email_message", "subject"), ("email_message", "text"),
             ("email_message", "html"), ("email_message", "sender"), ("email_message", "sender_name"),
             ("email_reply", "text"), ("email_reply", "to_address"), ("email_reply", "subject"),
             ("case_document", "filename"), ("notification", "text"), ("inbound_message", "payload")}
# Codes, not words: never rewritten even if a needle happens to spell one.
STRUCTURAL = {"status", "kind", "channel", "process_key", "reference", "serializer_version", "sensitivity",
              "sla_state", "idempotency_key", "spiff_id", "bpmn_id", "operation", "sha256", "content_type",
              "message_id", "in_reply_to", "service_key", "filing_status"}


def table(model: type[Base]) -> Table:
    """The model's table, typed as one."""
    return Base.metadata.tables[model.__tablename__]


def case_tables() -> list[Table]:
    """Every table whose rows belong to one case, children before parents (safe order to delete)."""
    return [t for t in reversed(Base.metadata.sorted_tables) if "case_id" in t.c and t.name != "case_state"]


def personal_values(value: Any, personal: bool = False) -> Iterator[str]:
    """The text values under personal keys of a case's data, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from personal_values(item, personal or bool(PERSONAL_KEY.search(str(key))))
    elif isinstance(value, list):
        for item in value:
            yield from personal_values(item, personal)
    elif personal and isinstance(value, (str, int)) and not isinstance(value, bool):
        yield str(value)


def customer_needles(customer: Customer | None) -> set[str]:
    if customer is None:
        return set()
    found = {customer.name, customer.email, customer.phone, customer.address, customer.postcode,
             customer.phone_key, customer.email_key, customer.postcode_key,
             str(customer.uprn) if customer.uprn is not None else None}
    # A multi-line address is also searched line by line (a note may quote only the street).
    for line in (customer.address or "").replace(",", "\n").splitlines():
        found.add(line)
    return {n.strip() for n in found if n}


class Scrubber:
    """Replaces the needles in text and JSON; empty needles replace nothing."""

    def __init__(self, needles: set[str]) -> None:
        usable = sorted({n.strip() for n in needles if len(n.strip()) >= MIN_NEEDLE}, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(n) for n in usable), re.I) if usable else None

    def text(self, value: str | None) -> str | None:
        if value is None or self.pattern is None:
            return value
        return self.pattern.sub(REMOVED, value)

    def json(self, value: Any, by_key: bool = False) -> Any:
        if isinstance(value, dict):
            return {k: REMOVED if by_key and v not in (None, "") and not isinstance(v, bool)
                    and PERSONAL_KEY.search(str(k)) else self.json(v, by_key) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(v, by_key) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value


def _changes(rows: Table, row: Any, scrub: Scrubber, free_text: bool) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for column in rows.c:
        value = row._mapping[column.name]
        if column.primary_key or column.foreign_keys or column.name in STRUCTURAL or value is None:
            continue
        if isinstance(column.type, LargeBinary):
            changes[column.name] = None if column.nullable else b""
        elif free_text and (rows.name, column.name) in FREE_TEXT:
            changes[column.name] = None if column.nullable else REMOVED
        elif isinstance(column.type, JSON):
            changes[column.name] = scrub.json(value)
        elif isinstance(column.type, String) and isinstance(value, str):
            changes[column.name] = scrub.text(value)
    return {k: v for k, v in changes.items() if v != row._mapping[k]}


def scrub_rows(session: Session, rows: Table, condition: Any, scrub: Scrubber, free_text: bool) -> int:
    """Rewrite the personal data in the ``rows`` matching ``condition``; how many changed."""
    changed = 0
    for row in session.execute(select(rows).where(condition)).all():
        changes = _changes(rows, row, scrub, free_text)
        if changes:
            key = [c == row._mapping[c.name] for c in rows.primary_key.columns]
            session.execute(update(rows).where(*key).values(**changes))
            changed += 1
    return changed


def _attachments_of(emails: Any) -> Any:
    return EmailAttachment.email_id.in_(select(Email.id).where(emails))


def anonymise_case(session: Session, case: Case, state: SavedState | None, scrub: Scrubber, free_text: bool) -> None:
    """Remove the personal data of one locked case (the case writer's): its data by key and by value, every
    row that belongs to it, the attachments of its emails, and its saved workflow."""
    case.data = scrub.json(dict(case.data or {}), by_key=True)
    case.created_by = scrub.text(case.created_by) or case.created_by
    for rows in case_tables():
        scrub_rows(session, rows, rows.c.case_id == case.id, scrub, free_text)
    scrub_rows(session, table(EmailAttachment), _attachments_of(Email.case_id == case.id), scrub, free_text)
    if state is not None:
        state.state = json.dumps(scrub.json(json.loads(state.state)))
        session.execute(update(CaseState).where(CaseState.case_id == case.id).values(state=state.state))


def delete_case(session: Session, case: Case) -> None:
    """Remove one locked case and everything that belongs to it."""
    session.execute(delete(EmailAttachment).where(_attachments_of(Email.case_id == case.id)))
    for rows in case_tables():
        session.execute(delete(rows).where(rows.c.case_id == case.id))
    session.execute(delete(CaseState).where(CaseState.case_id == case.id))
    session.delete(case)


def anonymise_customer(session: Session, customer: Customer, scrub: Scrubber) -> None:
    """The customer's own row and search words, and the emails matched to them but to no case."""
    customer.name = REMOVED
    customer.email = customer.phone = customer.address = customer.postcode = None
    customer.phone_key = customer.email_key = customer.postcode_key = None
    customer.uprn = None
    session.execute(delete(CustomerWord).where(CustomerWord.customer_id == customer.id))
    emails = Email.customer_id == customer.id
    scrub_rows(session, table(Email), emails, scrub, free_text=False)
    scrub_rows(session, table(EmailAttachment), _attachments_of(emails), scrub, free_text=False)
