"""Find a case from whatever the resident quotes: its reference (``CF-000123``, ``cf000123`` or just
``123``), their name, phone number, email, postcode or address. One use case for the staff pages,
the API and the CLI, with the case-visibility rule of ``permissions.may_see_case`` applied in SQL.

What the text is decides where to look, so each look is one index range rather than a scan:
a reference is an equality on ``case.reference``; a phone number, postcode (or its first half) and
email are prefixes of the customer's search keys (``customers.search_keys``, indexed, byte-ordered);
anything else is words, each the start of a word of the customer's name or address
(``customer_word``), all of them required. Only cases linked to a customer record are found by
customer details: the details a form put in a case's data are JSON, which no query reads
(docs/architecture.md). UPRNs come with the gazetteer work.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, and_, exists, intersect, select, union
from sqlalchemy.orm import Session

from ..context import Context
from ..errors import UserError
from ..people import permissions, users
from ..persistence.tables import Case, Customer, CustomerWord, DirectoryEntry, Process, Task, Team
from ..types import CaseStatus, Sensitivity, TaskStatus
from .customers import POSTCODE, SERVICE_NAME, digits, normal_postcode, postcode_key, search_words
from .views import iso

MAX_TEXT = 200
TOTAL_CAP = 10_000  # totals beyond this read "10,000 or more", as in the inbox
REFERENCE = re.compile(r"^(cf)?[\s-]*0*([0-9]{1,9})$", re.IGNORECASE)
OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")  # the first half of a postcode: "AN1", "SW1A"
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]*$")
MIN_PHONE_DIGITS = 7  # shorter runs of digits are read as a case number
OUTSTANDING = (TaskStatus.OPEN, TaskStatus.HANDED_BACK)


@dataclass(frozen=True)
class CaseSearch:
    """What to look for: free ``text`` and optional exact filters (a process key, a team's name)."""

    text: str = ""
    status: CaseStatus | None = None
    service: str | None = None
    team: str | None = None  # cases that have had a task with this team

    def is_empty(self) -> bool:
        return not (self.text.strip() or self.status or self.service or self.team)


@dataclass
class CaseHit:
    reference: str
    process: str
    service: str
    status: str
    team: str | None  # the teams its open tasks are with (else the last team that had it), by name
    customer: str | None
    due_at: str | None
    sla_state: str | None  # the whole case's SLA, when one applies
    created_at: str | None
    restricted: bool = False  # need-to-know: only that it exists and whom to contact are shown

    def to_dict(self) -> dict[str, Any]:
        """The hit as JSON; ``"restricted": true`` only on a restricted case's notice."""
        out = dict(self.__dict__)
        if not self.restricted:
            del out["restricted"]
        return out


@dataclass
class CaseResults:
    items: list[CaseHit]
    page: int
    page_size: int
    total: int
    total_capped: bool = False
    # The reference the text named in full (``full_reference``), when the viewer may see that case
    # and it passes the filters: the pages go straight to it.
    exact: str | None = None

    def to_dict(self) -> dict[str, Any]:
        found = {"items": [h.to_dict() for h in self.items], "page": self.page, "page_size": self.page_size,
                 "total": self.total}
        return {**found, "total_capped": True} if self.total_capped else found


def reference_in(text: str) -> str | None:
    """The case reference ``text`` spells, in any of the ways people type it (``CF-000123``,
    ``cf000123``, ``CF 123``, ``000123``, ``123``); None when it is not one."""
    found = REFERENCE.match(text.strip())
    return f"CF-{int(found.group(2)):06d}" if found else None


def full_reference(text: str) -> str | None:
    """The reference when ``text`` is one written in full, with its prefix and all six digits
    (``CF-000123``, ``cf000123``): the pages then go straight to the case. ``CF10`` is left to be
    read as a postcode district too."""
    found = REFERENCE.match(text.strip())
    return reference_in(text) if found and found.group(1) and len(re.sub(r"\D", "", text)) >= 6 else None


def _starts_with(column: Any, prefix: str) -> ColumnElement[bool]:
    """``column LIKE 'prefix%'`` as an index range, on every backend (the keys are byte-ordered)."""
    return and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))


def _customer_terms(text: str) -> list[ColumnElement[bool]]:
    """Where to look among customers for ``text``: one term per reading of it, or none."""
    if "@" in text:
        return [_starts_with(Customer.email_key, text.lower())]
    if PHONE.match(text) and len(digits(text)) >= MIN_PHONE_DIGITS:
        return [_starts_with(Customer.phone_key, digits(text))]
    postcode = normal_postcode(text)
    if POSTCODE.match(postcode):
        return [_starts_with(Customer.postcode_key, postcode_key(postcode))]
    if OUTWARD.match(postcode):  # a district: "AN3 " takes in AN3 7AB, not AN37 1AB
        return [_starts_with(Customer.postcode_key, postcode + " ")]
    if reference_in(text):
        return []
    words = sorted(search_words(text))
    if not words:
        return []
    # Customers with a word starting with each typed word: an index range per word, intersected.
    having = [select(CustomerWord.customer_id).where(_starts_with(CustomerWord.word, word)) for word in words]
    return [Customer.id.in_(intersect(*having) if len(having) > 1 else having[0])]


def _matching_ids(text: str) -> Select[Any] | CompoundSelect[Any] | None:
    """The ids of the cases ``text`` finds (a union of one index look-up per reading), or None for
    no text at all (every case)."""
    text = " ".join(text.split())
    if not text:
        return None
    parts: list[Select[Any]] = []
    reference = reference_in(text)
    if reference:
        parts.append(select(Case.id).where(Case.reference == reference))
    for term in _customer_terms(text):
        parts.append(select(Case.id).where(Case.customer_id.in_(select(Customer.id).where(term))))
    if not parts:
        return select(Case.id).where(Case.id.is_(None))
    return union(*parts) if len(parts) > 1 else parts[0]


def _where(session: Session, wanted: CaseSearch, viewer: Any) -> list[ColumnElement[bool]]:
    terms: list[ColumnElement[bool]] = []
    ids = _matching_ids(wanted.text)
    if ids is not None:
        terms.append(Case.id.in_(ids))
    if wanted.status:
        terms.append(Case.status == wanted.status)
    if wanted.service:
        terms.append(Case.process_key == wanted.service)
    if wanted.team:
        team_ids = select(Team.id).where(Team.name == wanted.team)
        terms.append(exists().where(Task.case_id == Case.id, Task.team_id.in_(team_ids)))
    known = permissions.known_cases(session, viewer) if viewer is not None else None
    if known is not None:
        terms.append(known)
    return terms


def _closed_to(session: Session, viewer: Any, cases: list[Case]) -> set[int]:
    """The restricted cases among ``cases`` that ``viewer`` may know of but not open."""
    restricted = [c.id for c in cases if c.sensitivity == Sensitivity.RESTRICTED]
    if viewer is None or not restricted:
        return set()
    open_ = set(session.scalars(select(Case.id).where(Case.id.in_(restricted),
                                                       permissions.restricted_open_to(session, viewer))))
    return set(restricted) - open_


def _notice(case: Case, contact: list[str]) -> CaseHit:
    return CaseHit(case.reference or "", "restricted", "Restricted case", case.status, ", ".join(contact) or None,
                   None, None, None, iso(case.created_at), restricted=True)


def _teams(session: Session, case_ids: list[int]) -> dict[int, str]:
    """Each case's team as the results show it: the teams of its outstanding tasks, else the team
    of its last task."""
    rows = session.execute(select(Task.case_id, Task.id, Task.status, Team.name).join(Team, Team.id == Task.team_id)
                           .where(Task.case_id.in_(case_ids)).order_by(Task.case_id, Task.id))
    now: dict[int, list[str]] = {}
    last: dict[int, str] = {}
    for case_id, _, status, name in rows:
        last[case_id] = name
        if status in OUTSTANDING and name not in now.setdefault(case_id, []):
            now[case_id].append(name)
    return {case_id: ", ".join(now.get(case_id) or [name]) for case_id, name in last.items()}


def find_cases(ctx: Context, wanted: CaseSearch, viewer_email: str | None, page: int = 1,
               page_size: int = 25) -> CaseResults:
    """One page of the cases ``wanted`` finds that ``viewer_email`` may see (None: the operator at the
    command line, who sees every case), newest first. Empty searches find nothing."""
    if len(wanted.text) > MAX_TEXT:
        raise UserError(f"Search for {MAX_TEXT} characters or fewer")
    if wanted.is_empty():
        return CaseResults([], page, page_size, 0)
    with ctx.db.transaction(readonly=True) as session:
        viewer = users.get_user(session, viewer_email) if viewer_email is not None else None
        where = _where(session, wanted, viewer)
        # The matching ids (up to the cap) in one statement give the total and the page: counting and
        # paging separately would run every look-up twice.
        # With text, "+ 0" keeps PostgreSQL from walking the whole primary key backwards in search of
        # matches (its plan for a rare postcode at a million cases); the few matches are sorted instead.
        newest = (Case.id + 0).desc() if wanted.text.strip() else Case.id.desc()
        ids = list(session.scalars(select(Case.id).where(*where).order_by(newest).limit(TOTAL_CAP + 1)))
        start = (page - 1) * page_size
        if start + page_size > len(ids) > TOTAL_CAP:  # a page beyond the cap: ask for it alone
            ids = list(session.scalars(select(Case.id).where(*where).order_by(newest)
                                       .limit(page_size).offset(start)))
            start, counted = 0, TOTAL_CAP + 1
        else:
            counted = len(ids)
        shown = ids[start:start + page_size]
        rows = sorted(session.execute(
            select(Case, SERVICE_NAME, Customer.name).join(Process, Process.key == Case.process_key)
            .outerjoin(DirectoryEntry, DirectoryEntry.key == Case.service_key)
            .outerjoin(Customer, Customer.id == Case.customer_id).where(Case.id.in_(shown))),
            key=lambda row: -row[0].id)
        teams = _teams(session, [case.id for case, _, _ in rows])
        closed = _closed_to(session, viewer, [case for case, _, _ in rows])
        items = [_notice(case, permissions.owning_teams(session, case)) if case.id in closed else
                 CaseHit(case.reference or "", case.process_key, service or case.process_key, case.status,
                         teams.get(case.id), customer or _data_name(case), iso(case.due_at), case.sla_state,
                         iso(case.created_at))
                 for case, service, customer in rows]
        full = full_reference(wanted.text)
        exact = full if full and session.scalar(select(Case.id).where(Case.reference == full)) in ids else None
        return CaseResults(items, page, page_size, min(counted, TOTAL_CAP), counted > TOTAL_CAP, exact)


def _data_name(case: Case) -> str | None:
    """The customer's name a case without a customer record was started with (already loaded)."""
    name = (case.data or {}).get("customer_name")
    return str(name) if name else None
