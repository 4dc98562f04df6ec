"""Retention: closed cases keep personal data for their process's period, then the daily run anonymises
(keeping the case and its figures) or deletes them; a dry run only reports. Time is moved by a test clock."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.background import worker
from engine.casework import cases, customers, notes
from engine.governance import audit, retention
from engine.errors import CaseNotFound, NotFound, UserError
from engine.governance.personal_data import REMOVED
from engine.types import RetentionAction
from tests.governance.world import ADMIN, ADVISOR, RESIDENT, clocked, council, resident_with_cases


def _due(report: retention.Report) -> list[tuple[str, str]]:
    return [(c.reference, c.action) for c in report.cases]


def test_closed_cases_are_anonymised_or_deleted_once_their_period_has_passed(ctx, cli):
    # The cases close 400 days before today, so the command line (on the wall clock) sees them as due
    # when the test clock has been moved on to today.
    ctx = clocked(ctx, datetime.now(timezone.utc) - timedelta(days=400))
    council(ctx)
    customer_id, bin_case, pothole = resident_with_cases(ctx)
    cases.cancel_case(ctx, pothole, ADVISOR, "Reported twice")
    assert cli("retention", "set", "missed_bin_collection", "--years", "2", "--action", "anonymise",
               "--user", ADMIN).exit_code == 0
    retention.set_rule(ctx, "pothole_report", 1, RetentionAction.DELETE, ADMIN)
    assert retention.run(ctx, ADMIN, dry_run=True).cases == []

    ctx.clock.advance(days=400)
    dry = cli("retention", "run", "--dry-run", "--json").json()
    assert [(c["reference"], c["action"]) for c in dry["cases"]] == [(pothole, "delete")]
    cases.show_case(ctx, pothole)  # a dry run changes nothing
    assert _due(retention.run(ctx, ADMIN)) == [(pothole, "delete")]
    with pytest.raises(CaseNotFound):
        cases.show_case(ctx, pothole)
    assert customers.get_customer(ctx, customer_id).name == RESIDENT["name"]  # her bin case still names her

    ctx.clock.advance(days=365)
    assert _due(retention.run(ctx, ADMIN, dry_run=True)) == [(bin_case, "anonymise")]
    assert worker.apply_retention(ctx) == 1  # the worker's daily run
    kept = cases.show_case(ctx, bin_case)
    assert kept.case.status == "cancelled" and kept.case.process == "missed_bin_collection"
    assert kept.data["customer_name"] == REMOVED and kept.data["bin_type"] == "refuse"  # figures stay
    assert [n.text for n in notes.list_notes(ctx, bin_case)] == [REMOVED]
    assert RESIDENT["name"] not in str(kept)
    assert customers.get_customer(ctx, customer_id).name == REMOVED  # no case of hers is left
    assert retention.run(ctx, ADMIN, dry_run=True).cases == []  # done once

    applied = audit.entries(ctx, audit.Filters(kind="retention_applied"))
    assert [(e.actor, e.detail["counts"]) for e in applied] == [
        ("worker", {"missed_bin_collection": {"anonymise": 1}}), (ADMIN, {"pothole_report": {"delete": 1}})]


def test_retention_periods_are_checked(ctx, cli):
    council(ctx)
    with pytest.raises(UserError, match="from 1 to 100 years"):
        retention.set_rule(ctx, "missed_bin_collection", 0, RetentionAction.DELETE, ADMIN)
    with pytest.raises(NotFound):
        retention.set_rule(ctx, "no_such_process", 2, RetentionAction.DELETE, ADMIN)
    assert cli("retention", "set", "missed_bin_collection", "--years", "6", "--action", "shred").exit_code == 2
    assert cli("retention", "list", "--json").json() == []
