"""Retention: how long each process's closed cases keep personal data, and what happens then.

An information-governance officer sets a period in years after closure and an action per process
(``anonymise``: personal data removed, the case and its figures kept; ``delete``: the case and everything
attached to it removed). The worker runs ``run`` daily; a dry run reports what would happen without
changing anything. Each case is handled in its own unit of work through the case writer (so it is never
changed under someone working it); an applied run is recorded in the audit trail with its counts."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ..casework import writer
from ..errors import NotFound, UserError
from ..persistence.tables import Case, Customer, Process, RetentionRule
from ..types import AuditKind, CaseStatus, RetentionAction
from . import audit, personal_data

if TYPE_CHECKING:
    from ..context import Context

CLOSED = (CaseStatus.COMPLETED, CaseStatus.CANCELLED)
MAX_YEARS = 100
BATCH = 5_000  # cases per process per run (about 50 ms each on SQLite): a first backlog takes a few runs


@dataclass(frozen=True)
class Rule:
    process: str
    years: int
    action: str
    updated_by: str
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"process": self.process, "years": self.years, "action": self.action,
                "updated_by": self.updated_by, "updated_at": self.updated_at.isoformat()}


def _rule(row: RetentionRule) -> Rule:
    return Rule(row.process_key, row.years, row.action, row.updated_by, row.updated_at)


def set_rule(ctx: "Context", process_key: str, years: int, action: RetentionAction, actor: str) -> Rule:
    """Keep personal data of ``process_key``'s closed cases for ``years`` after closure, then apply ``action``."""
    if not 0 < years <= MAX_YEARS:
        raise UserError(f"The retention period must be from 1 to {MAX_YEARS} years")
    action = RetentionAction(action)
    with ctx.db.transaction() as session:
        if session.get(Process, process_key) is None:
            raise NotFound(f"There is no process {process_key!r}")
        row = session.get(RetentionRule, process_key)
        previous = _rule(row).to_dict() if row is not None else None
        if row is None:
            row = RetentionRule(process_key=process_key)
            session.add(row)
        row.years, row.action, row.updated_by, row.updated_at = years, action.value, actor, ctx.clock.now()
        audit.record(session, AuditKind.RETENTION_SET, actor, ctx.clock.now(), process_key, years=years,
                     action=action.value, previous=previous)
        session.flush()
        return _rule(row)


def list_rules(ctx: "Context") -> list[Rule]:
    with ctx.db.transaction(readonly=True) as session:
        return [_rule(r) for r in session.scalars(select(RetentionRule).order_by(RetentionRule.process_key))]


def process_choices(ctx: "Context") -> list[tuple[str, str]]:
    """Every deployed process's key and name, by name."""
    with ctx.db.transaction(readonly=True) as session:
        return [(p.key, p.name) for p in session.scalars(select(Process).order_by(Process.name))]


def cutoff(now: datetime, years: int) -> datetime:
    """The same instant ``years`` earlier (29 February becomes 28 February)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


@dataclass(frozen=True)
class Due:
    reference: str
    process: str
    closed_at: datetime
    action: str

    def to_dict(self) -> dict[str, Any]:
        return {"reference": self.reference, "process": self.process, "closed_at": self.closed_at.isoformat(),
                "action": self.action}


@dataclass
class Report:
    dry_run: bool
    cases: list[Due] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = {}
        for due in self.cases:
            found.setdefault(due.process, {}).setdefault(due.action, 0)
            found[due.process][due.action] += 1
        return found

    def to_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "counts": self.counts(), "cases": [c.to_dict() for c in self.cases]}


def due_cases(ctx: "Context") -> list[tuple[int, Due]]:
    """Closed cases past their process's retention period whose personal data is still there."""
    now = ctx.clock.now()
    found: list[tuple[int, Due]] = []
    with ctx.db.transaction(readonly=True) as session:
        for rule in session.scalars(select(RetentionRule).order_by(RetentionRule.process_key)):
            query = (select(Case.id, Case.reference, Case.completed_at)
                     .where(Case.process_key == rule.process_key, Case.status.in_(CLOSED),
                            Case.completed_at <= cutoff(now, rule.years), Case.personal_data_removed_at.is_(None))
                     .order_by(Case.completed_at, Case.id).limit(BATCH))
            found += [(case_id, Due(reference or "", rule.process_key, closed_at, rule.action))
                      for case_id, reference, closed_at in session.execute(query) if closed_at is not None]
    return found


def run(ctx: "Context", actor: str, dry_run: bool = False, record_empty: bool = True) -> Report:
    """Apply every retention rule now (or, ``dry_run``, report what would be done). An applied run is
    recorded in the audit trail; the worker's daily runs that found nothing (``record_empty`` False) are not."""
    report = Report(dry_run)
    for case_id, due in due_cases(ctx):
        if dry_run or _apply(ctx, case_id, due, actor):
            report.cases.append(due)
    if not dry_run and (report.cases or record_empty):
        audit.record_now(ctx, AuditKind.RETENTION_APPLIED, actor, "retention", counts=report.counts(),
                         cases=[c.reference for c in report.cases])
    return report


def _apply(ctx: "Context", case_id: int, due: Due, actor: str) -> bool:
    """One case, in its own unit of work; False when someone else holds it (it is taken next time)."""
    with writer.try_open_case(ctx, case_id, actor) as w:
        if w is None or w.case.personal_data_removed_at is not None or w.case.status not in CLOSED:
            return False
        customer = w.session.get(Customer, w.case.customer_id) if w.case.customer_id is not None else None
        scrub = personal_data.Scrubber(personal_data.customer_needles(customer)
                                       | set(personal_data.personal_values(w.case.data)))
        if due.action == RetentionAction.DELETE:
            personal_data.delete_case(w.session, w.case)
        else:
            personal_data.anonymise_case(w.session, w.case, w.state, scrub, free_text=True)
            w.case.customer_id = None
            w.case.personal_data_removed_at = w.now
        w.session.flush()
        if customer is not None and not w.session.scalar(
                select(func.count()).select_from(Case).where(Case.customer_id == customer.id)):
            personal_data.anonymise_customer(w.session, customer, scrub)  # no case of theirs is left
        return True
