"""The people the council serves: find them (by any mix of name, postcode, phone and email), record
them once, keep their details up to date, and see their earlier cases, so nobody tells their story
twice. Searching forgives how details are typed: postcodes ignore spaces and case, phone numbers
compare digits only (``+44`` is a leading ``0``), names match by fragments of words."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, select
from sqlalchemy.orm import Session

from ..context import Context
from ..errors import CaseNotFound, Conflict, FormInvalid, NotFound
from ..people import permissions, users
from ..persistence.customers import WORD_LENGTH
from ..persistence.tables import Case, Customer, CustomerWord, DirectoryEntry, GazetteerAddress, Process, Task, Team
from ..types import CaseStatus, Outcome, TaskStatus
from . import customer_duplicates
from .views import iso

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")
POSTCODE_IN_TEXT = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?(?:\s*[0-9][A-Z]{2})?\b", re.IGNORECASE)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_IN_TEXT = re.compile(r"\+?[0-9][0-9 ()-]{5,}[0-9]")
WORD = re.compile(r"[^\W_]+")  # a run of letters and digits
LIMITS = {"name": 200, "email": 320, "phone": 50, "address": 2000}
MAX_RESULTS = 50
# A case's service as people call it: its directory entry's name (a generic hand-off map stands for
# many services), else its process's; for a query joining Process and, outer, DirectoryEntry.
SERVICE_NAME = func.coalesce(DirectoryEntry.name, Process.name)


class CustomerNotFound(NotFound):
    pass


@dataclass
class CustomerView:
    id: int
    name: str
    email: str | None
    phone: str | None
    address: str | None
    postcode: str | None
    created_at: str | None
    uprn: int | None = None  # the gazetteer's, when the address was picked from it

    @classmethod
    def of(cls, row: Customer) -> "CustomerView":
        return cls(row.id, row.name, row.email, row.phone, row.address, row.postcode, iso(row.created_at), row.uprn)


@dataclass
class CustomerQuery:
    """What to look for; every part given must match."""

    name: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""

    @classmethod
    def parse(cls, text: str) -> "CustomerQuery":
        """Read one search box: an email, a postcode (or its first half), a phone number, and the
        rest as the name, in any order (e.g. "Pat Smith AN1 2BC")."""
        rest = text.strip()
        email = next((w for w in rest.split() if "@" in w), "")
        rest = rest.replace(email, " ", 1) if email else rest
        phone = _first(PHONE_IN_TEXT, rest)
        rest = rest.replace(phone, " ", 1) if phone else rest
        postcode = _first(POSTCODE_IN_TEXT, rest)
        rest = rest.replace(postcode, " ", 1) if postcode else rest
        return cls(name=" ".join(rest.split()), postcode=postcode, phone=phone, email=email)

    def is_empty(self) -> bool:
        return not (self.name.strip() or self.postcode.strip() or digits(self.phone) or self.email.strip())


def _first(pattern: re.Pattern[str], text: str) -> str:
    """The first match holding a digit (so names are never taken for postcodes)."""
    return next((m.group(0) for m in pattern.finditer(text) if re.search(r"[0-9]", m.group(0))), "")


def digits(phone: str | None) -> str:
    """The phone number as digits only, with +44 written as the UK's leading 0."""
    only = re.sub(r"[^0-9]", "", phone or "")
    return "0" + only[2:] if only.startswith("44") and len(only) > 10 else only


def normal_postcode(postcode: str | None) -> str:
    return re.sub(r"\s+", "", postcode or "").upper()


def search_keys(phone: str | None, postcode: str | None, email: str | None) -> dict[str, str | None]:
    """The customer's details as case search compares them (``phone_key``, ``postcode_key``,
    ``email_key``): stored beside the details, and indexed, whenever they are written."""
    return {"phone_key": digits(phone) or None, "postcode_key": postcode_key(postcode) or None,
            "email_key": (email or "").strip().lower() or None}


def search_words(*texts: str | None) -> set[str]:
    """The words case search finds a customer by: letters and digits, lower case ("O'Brien-Smith"
    gives o, brien and smith), each cut to the stored length."""
    return {word[:WORD_LENGTH] for text in texts for word in WORD.findall((text or "").lower())}


def _write_words(session: Session, customer_id: int, values: dict[str, str | None]) -> None:
    session.execute(delete(CustomerWord).where(CustomerWord.customer_id == customer_id))
    session.add_all([CustomerWord(word=word, customer_id=customer_id)
                     for word in sorted(search_words(values["name"], values["address"]))])


def postcode_key(postcode: str | None) -> str:
    """A postcode as case search stores and compares it: capitals with one space before the inward
    part ("AN3 7AB"), so the district "AN3" is the prefix "AN3 " and never takes in "AN37 1AB"."""
    found = POSTCODE.match(normal_postcode(postcode))
    return f"{found.group(1)} {found.group(2)}" if found else normal_postcode(postcode)


def _like(text: str) -> str:
    return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"


def _phone_column() -> ColumnElement[str]:
    """The customer's phone number with its spaces and punctuation taken out, as the database sees it."""
    column: ColumnElement[str] = func.coalesce(Customer.phone, "")
    for mark in (" ", "-", "(", ")", "+", "."):
        column = func.replace(column, mark, "")
    return column


def _matching(query: CustomerQuery) -> Select[Customer]:
    """Customers matching every part of ``query`` (a non-empty one)."""
    wanted = select(Customer)
    for word in query.name.lower().split():
        wanted = wanted.where(func.lower(Customer.name).like(_like(word), escape="\\"))
    if normal_postcode(query.postcode):
        stored = func.upper(func.replace(func.coalesce(Customer.postcode, ""), " ", ""))
        starts = normal_postcode(query.postcode).replace("%", "").replace("_", "") + "%"
        wanted = wanted.where(stored.like(starts))
    if digits(query.phone):
        # Compare without the trunk 0, so 07700 900123 finds +44 7700 900123 too.
        wanted = wanted.where(_phone_column().like(_like(digits(query.phone).lstrip("0")), escape="\\"))
    if query.email.strip():
        wanted = wanted.where(func.lower(Customer.email).like(_like(query.email.strip().lower()), escape="\\"))
    return wanted


def find_customers(ctx: Context, query: CustomerQuery, limit: int = MAX_RESULTS) -> list[CustomerView]:
    """Customers matching every part of ``query``, by name; none for an empty query."""
    if query.is_empty():
        return []
    with ctx.db.transaction(readonly=True) as session:
        rows = session.scalars(_matching(query).order_by(Customer.name, Customer.id).limit(limit))
        return [CustomerView.of(row) for row in rows]


@dataclass
class CustomerPage:
    items: list[CustomerView]
    page: int
    page_size: int
    total: int

    def to_dict(self) -> dict[str, Any]:
        return {"items": [asdict(c) for c in self.items], "page": self.page, "page_size": self.page_size,
                "total": self.total}


def customer_page(ctx: Context, query: CustomerQuery, page: int = 1, page_size: int = 25) -> CustomerPage:
    """One page of the customers matching every part of ``query``, by name (the API's search)."""
    if query.is_empty():
        return CustomerPage([], page, page_size, 0)
    with ctx.db.transaction(readonly=True) as session:
        total = session.scalar(select(func.count()).select_from(_matching(query).subquery())) or 0
        rows = session.scalars(_matching(query).order_by(Customer.name, Customer.id)
                               .offset((page - 1) * page_size).limit(page_size))
        return CustomerPage([CustomerView.of(row) for row in rows], page, page_size, total)


def _clean(details: dict[str, Any]) -> dict[str, str | None]:
    """Validated details, tidied (postcode in capitals with its space); raises FormInvalid."""
    values = {k: " ".join(str(details.get(k) or "").split()) or None for k in ("name", "email", "phone", "postcode")}
    values["address"] = str(details.get("address") or "").strip() or None
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = "Enter the customer's full name"
    for key, limit in LIMITS.items():
        if values[key] and len(values[key] or "") > limit and key not in errors:
            errors[key] = f"The {key} must be {limit} characters or fewer"
    if values["email"] and "email" not in errors and not EMAIL.match(values["email"]):
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    phone = values["phone"]
    if phone and not (re.fullmatch(r"\+?[0-9 ()-]+", phone) and 10 <= len(digits(phone)) <= 13):
        errors.setdefault("phone", "Enter a telephone number, like 01632 960 001 or 07700 900 982")
    if values["postcode"]:
        found = POSTCODE.match(values["postcode"].upper())
        if found is None:
            errors["postcode"] = "Enter a real postcode, like AN1 2BC"
        else:
            values["postcode"] = f"{found.group(1)} {found.group(2)}"
    if errors:
        raise FormInvalid(errors)
    return values


def check_details(details: dict[str, Any]) -> None:
    """FormInvalid, by field, unless ``details`` are a customer's details this engine accepts."""
    _clean(details)


def _keys(values: dict[str, str | None]) -> dict[str, str | None]:
    return search_keys(values["phone"], values["postcode"], values["email"])


def _uprn(session: Session, details: dict[str, Any]) -> int | None:
    """The gazetteer address picked for the customer (``details["uprn"]``), which must be loaded."""
    given = str(details.get("uprn") or "").strip()
    if not given:
        return None
    if not given.isdigit() or session.get(GazetteerAddress, int(given)) is None:
        raise FormInvalid({"address": f"The gazetteer has no address with UPRN {given}"})
    return int(given)


@dataclass
class PossibleDuplicate(CustomerView):
    matched_on: list[str] = field(default_factory=list)  # "name and postcode", "email", "phone"


class PossibleDuplicates(Conflict):
    """The customer being added may already be recorded; the caller chooses one, or adds anyway."""

    def __init__(self, matches: list[PossibleDuplicate]) -> None:
        self.matches = matches
        many = len(matches) != 1
        super().__init__(f"{len(matches)} customer{'s' if many else ''} already recorded "
                         f"{'have' if many else 'has'} the same name and postcode, email or phone number")

    def to_dict(self) -> dict[str, Any]:
        return {"message": self.message, "duplicates": [asdict(m) for m in self.matches]}


def _duplicates(session: Session, values: dict[str, str | None]) -> list[PossibleDuplicate]:
    keys = _keys(values)
    rows = session.scalars(select(Customer).where(customer_duplicates.same_person(values["name"], keys))
                           .order_by(Customer.name, Customer.id).limit(MAX_RESULTS))
    return [PossibleDuplicate(**asdict(CustomerView.of(row)),
                              matched_on=customer_duplicates.reasons(row, values["name"], keys)) for row in rows]


def possible_duplicates(ctx: Context, details: dict[str, Any]) -> list[PossibleDuplicate]:
    """Customers already recorded who may be the person these details describe (details checked first)."""
    values = _clean(details)
    with ctx.db.transaction(readonly=True) as session:
        return _duplicates(session, values)


def create_customer(ctx: Context, details: dict[str, Any], allow_duplicate: bool = True) -> CustomerView:
    """Record a customer (name required; email, phone, address, postcode and gazetteer ``uprn`` optional but
    checked); unless ``allow_duplicate``, PossibleDuplicates when someone recorded may be them."""
    with ctx.db.transaction() as session:
        return CustomerView.of(add_customer(session, details, ctx.clock.now(), allow_duplicate))


def add_customer(session: Session, details: dict[str, Any], now: Any, allow_duplicate: bool = True) -> Customer:
    """``create_customer`` in the caller's transaction (the case writer's, for a case and its customer)."""
    values = _clean(details)
    if not allow_duplicate and (matches := _duplicates(session, values)):
        raise PossibleDuplicates(matches)
    row = Customer(**values, **_keys(values), uprn=_uprn(session, details), created_at=now)
    session.add(row)
    session.flush()
    _write_words(session, row.id, values)
    return row


def _customer(session: Session, customer_id: int) -> Customer:
    row = session.get(Customer, customer_id)
    if row is None:
        raise CustomerNotFound(f"There is no customer {customer_id}")
    return row


def get_customer(ctx: Context, customer_id: int) -> CustomerView:
    with ctx.db.transaction(readonly=True) as session:
        return CustomerView.of(_customer(session, customer_id))


def update_customer(ctx: Context, customer_id: int, details: dict[str, Any]) -> CustomerView:
    """Replace the customer's details (the same checks as when they were recorded)."""
    values = _clean(details)
    with ctx.db.transaction() as session:
        row = _customer(session, customer_id)
        for key, value in {**values, **_keys(values), "uprn": _uprn(session, details)}.items():
            setattr(row, key, value)
        _write_words(session, row.id, values)
        return CustomerView.of(row)


@dataclass
class CaseSummary:
    """One of a customer's cases as the front office sees it."""

    reference: str
    service: str
    channel: str
    status: str
    started: str | None
    started_by: str
    outcome: str | None
    teams_now: list[str] = field(default_factory=list)  # teams with open tasks on it


def open_teams(session: Session, case_ids: list[int]) -> dict[int, list[str]]:
    """The teams each case has open tasks with, by name."""
    rows = session.execute(select(Task.case_id, Team.name).join(Team, Team.id == Task.team_id)
                           .where(Task.case_id.in_(case_ids), Task.status == TaskStatus.OPEN).distinct())
    teams: dict[int, set[str]] = {}
    for case_id, name in rows:
        teams.setdefault(case_id, set()).add(name)
    return {case_id: sorted(names) for case_id, names in teams.items()}


def outcome_text(data: dict[str, Any] | None) -> str | None:
    """A map's ``outcome`` (e.g. ``resolved_first_contact``) in words."""
    value = (data or {}).get("outcome")
    return str(value).replace("_", " ").capitalize() if value else None


def customer_history(ctx: Context, customer_id: int, viewer_email: str | None = None) -> list[CaseSummary]:
    """The customer's cases, newest first; a restricted case ``viewer_email`` may not open shows only
    that it exists and its teams (None: the operator, who sees everything)."""
    with ctx.db.transaction(readonly=True) as session:
        _customer(session, customer_id)
        rows = list(session.execute(select(Case, SERVICE_NAME).join(Process, Process.key == Case.process_key)
                                    .outerjoin(DirectoryEntry, DirectoryEntry.key == Case.service_key)
                                    .where(Case.customer_id == customer_id)
                                    .order_by(Case.created_at.desc(), Case.id.desc())))
        teams = open_teams(session, [case.id for case, _ in rows])
        viewer = users.get_user(session, viewer_email) if viewer_email is not None else None
        return [CaseSummary(case.reference or "", name, case.channel, case.status, iso(case.created_at),
                            case.created_by, outcome_text(case.data), teams.get(case.id, []))
                if viewer is None or permissions.may_see_case(session, viewer, case) else
                CaseSummary(case.reference or "", "Restricted case", case.channel, case.status, iso(case.created_at),
                            case.created_by, None, permissions.owning_teams(session, case))
                for case, name in rows]


@dataclass
class ContactOutcome:
    """How a contact ended: resolved there and then, or handed to which teams, with the reference."""

    reference: str
    service: str
    status: str
    customer_id: int | None
    customer_name: str | None
    resolved_at_first_contact: bool
    teams_now: list[str]
    outcome: str | None
    error: str | None
    outcome_code: str | None = None  # the case data's ``outcome`` as the map set it (``engine.types.Outcome``)
    service_key: str | None = None  # the directory service the contact was about
    partner: str | None = None  # the partner a referral went to


def contact_outcome(ctx: Context, reference: str, front_office_team: str) -> ContactOutcome:
    """The end of a front-office contact. It was resolved at first contact when no task is open and
    only the front office had any, and the case either completed or recorded its ``outcome`` (a
    case may stay open a moment longer while, say, Notify sends the acknowledgement). A contact whose
    outcome says it was handed off or referred was not resolved, whatever its tasks. The service is
    named as the directory names it (a generic hand-off map stands for many services)."""
    with ctx.db.transaction(readonly=True) as session:
        found = session.execute(select(Case, SERVICE_NAME)
                                .join(Process, Process.key == Case.process_key)
                                .outerjoin(DirectoryEntry, DirectoryEntry.key == Case.service_key)
                                .where(Case.reference == reference)).first()
        if found is None:
            raise CaseNotFound(f"There is no case {reference}")
        case, service = found
        other_teams = session.scalar(select(func.count()).select_from(Task).join(Team, Team.id == Task.team_id)
                                     .where(Task.case_id == case.id, Team.name != front_office_team))
        data, teams_now = case.data or {}, open_teams(session, [case.id]).get(case.id, [])
        open_tasks = session.scalar(select(func.count()).select_from(Task)
                                    .where(Task.case_id == case.id, Task.status == TaskStatus.OPEN))
        passed_on = data.get("outcome") in (Outcome.HANDED_OFF, Outcome.REFERRED)
        resolved = other_teams == 0 and open_tasks == 0 and not passed_on and \
            (case.status == CaseStatus.COMPLETED or (case.status == CaseStatus.OPEN and bool(data.get("outcome"))))
        customer = session.get(Customer, case.customer_id) if case.customer_id is not None else None
        return ContactOutcome(reference, service, case.status, case.customer_id,
                              customer.name if customer is not None else data.get("customer_name"), resolved,
                              teams_now, outcome_text(data), case.error, _text_or_none(data.get("outcome")),
                              case.service_key, _text_or_none(data.get("partner_name")))


def _text_or_none(value: Any) -> str | None:
    return str(value) if value else None
