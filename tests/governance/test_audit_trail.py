"""The audit trail: each admin and security event leaves exactly one row, written by the use case that
did it; the rows are filtered and exported by the CLI and the admin page, and never changed."""
from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from engine.background import incidents
from engine.deadlines import calendar_settings, sla
from engine.governance import audit, erasure, retention, subject_access
from engine.people import routing, tokens, users
from engine.errors import SignInFailed
from engine.persistence.tables import Incident
from engine.types import AuditKind, IncidentStatus, RetentionAction, SlaUnit
from tests.governance.world import ADMIN, PASSWORD, clocked, council, resident_with_cases

# A retried incident needs a back-office call that failed: tests/webui/test_admin_incidents.py checks its row.
NOT_DRIVEN_HERE = {AuditKind.INCIDENT_RETRIED}


def _incident(ctx, reference: str) -> int:
    with ctx.db.transaction() as session:
        case_id = session.execute(text("SELECT id FROM \"case\" WHERE reference = :r"), {"r": reference}).scalar_one()
        row = Incident(case_id=case_id, kind="rejected", message="The back office refused it", details={},
                       status=IncidentStatus.OPEN, created_at=ctx.clock.now())
        session.add(row)
        session.flush()
        return row.id


def test_every_admin_and_security_event_leaves_one_audit_row(ctx):
    ctx = clocked(ctx)
    council(ctx)  # deploys two processes as the admin
    customer_id, closed, _open = resident_with_cases(ctx)
    routing.add_team(ctx, "Street Lighting", actor=ADMIN)
    made = users.create_staff(ctx, "new@example.gov.uk", "New Person", ["back_office"], ["Street Lighting"], PASSWORD,
                              actor=ADMIN)
    users.update_staff(ctx, made.id, "New Person", ["back_office", "team_lead"], ["Street Lighting"], actor=ADMIN)
    users.set_password(ctx, made.id, "another long password", actor=ADMIN)
    users.set_active(ctx, made.id, False, actor=ADMIN)
    users.set_active(ctx, made.id, True, actor=ADMIN)
    with pytest.raises(SignInFailed):
        users.sign_in(ctx, ADMIN, "wrong password", address="192.0.2.1")
    signed = users.sign_in(ctx, ADMIN, PASSWORD, address="192.0.2.1")
    users.end_sessions(ctx, signed.user_id)
    users.sign_in_by_claim(ctx, ADMIN)
    with pytest.raises(SignInFailed):
        users.sign_in_by_claim(ctx, "stranger@example.com")
    routing.rename(ctx, routing.ready_team(ctx, "Street Lighting")[0], "Lighting and Signs", actor=ADMIN)
    lane = routing.lanes(ctx)[0].source
    routing.map_lanes(ctx, {lane: "Lighting and Signs"}, actor=ADMIN)
    tokens.issue_token(ctx, "new@example.gov.uk", "reports", actor=ADMIN)
    tokens.revoke_all(ctx, "new@example.gov.uk", actor=ADMIN)
    sla.set_policy(ctx, "pothole_report", None, sla.SlaTerms(SlaUnit.WORKING_DAYS, 5), ADMIN)
    sla.remove_policy(ctx, "pothole_report", None, ADMIN)
    calendar_settings.change(ctx, ADMIN, day_start="08:30")
    incidents.skip_incident(ctx, _incident(ctx, closed), actor=ADMIN, note="Keyed by hand")
    retention.set_rule(ctx, "missed_bin_collection", 2, RetentionAction.ANONYMISE, ADMIN)
    retention.run(ctx, ADMIN)
    subject_access.archive(ctx, customer_id, ADMIN)
    erasure.erase_customer(ctx, customer_id, "Request ER-1", ADMIN)
    audit.export(ctx, audit.Filters(), ADMIN)

    kinds = Counter(e.kind for e in audit.entries(ctx, limit=1000))
    expected = Counter({k.value: 1 for k in AuditKind if k not in NOT_DRIVEN_HERE})
    expected.update({"process_deployed": 1, "data_exported": 1})  # two processes; an archive and the export
    assert kinds == expected
    [failed] = audit.entries(ctx, audit.Filters(kind="sign_in_failed"))
    assert (failed.actor, failed.detail) == (ADMIN, {"address": "192.0.2.1", "reason": "wrong password"})
    [changed] = audit.entries(ctx, audit.Filters(kind="user_changed"))
    assert (changed.actor, changed.subject, changed.detail["roles"]) == (ADMIN, "new@example.gov.uk",
                                                                          ["back_office", "team_lead"])


def test_the_trail_cannot_be_rewritten_on_postgresql(ctx):
    if ctx.db.engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's (SQLite is one file its owner can rewrite anyway)")
    audit.record_now(ctx, AuditKind.SIGN_OUT, ADMIN, ADMIN)
    for statement in ("UPDATE audit_entry SET actor = 'someone else'", "DELETE FROM audit_entry"):
        with pytest.raises(DBAPIError, match="append-only"):
            with ctx.db.transaction() as session:
                session.execute(text(statement))
    assert [e.actor for e in audit.entries(ctx)] == [ADMIN]


def test_export_by_date_range_as_csv_and_json_from_the_command_line(ctx, cli):
    ctx = clocked(ctx)
    for day in range(3):  # 5, 6 and 7 January
        audit.record_now(ctx, AuditKind.SIGN_IN, f"person{day}@example.gov.uk", "", address="192.0.2.9")
        ctx.clock.advance(days=1)
    result = cli("audit", "export", "--from", "2026-01-06", "--to", "2026-01-07")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["actor"], r["kind"], r["at"][:10]) for r in rows] == [
        ("person1@example.gov.uk", "sign_in", "2026-01-06"), ("person2@example.gov.uk", "sign_in", "2026-01-07")]
    as_json = cli("audit", "export", "--from", "2026-01-05", "--to", "2026-01-05", "--json").json()
    assert [(r["actor"], r["detail"]) for r in as_json] == [("person0@example.gov.uk", {"address": "192.0.2.9"})]
    assert cli("audit", "export", "--from", "yesterday").exit_code == 2
    # Each export is itself on the trail.
    assert [e.detail.get("since") for e in audit.entries(ctx, audit.Filters(kind="data_exported"))] == \
        ["2026-01-05", "2026-01-06"]


def test_an_overlong_sign_in_address_is_recorded_within_the_column(ctx):
    typed = "admin@example.gov.uk" + "x" * 400
    with pytest.raises(SignInFailed):
        users.sign_in(ctx, typed, "guess", address="198.51.100.7")
    [failed] = audit.entries(ctx)
    assert failed.kind == "sign_in_failed" and failed.actor.startswith("admin@example.gov.uk") and len(failed.actor) == 320
