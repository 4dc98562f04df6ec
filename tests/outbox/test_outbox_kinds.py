"""Outbox calls by kind: each kind's handler deals with its calls, an admin's retry or skip of an
incident changes the incident and its call together or not at all, and databases from before calls
had a kind are migrated to the right one."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from alembic import command
from sqlalchemy import inspect, select

from adapters.registry import AdapterRegistry
from engine.background import incidents
from engine.bpmn import registry
from engine.casework import cases, documents
from engine.outbox import outbox
from engine.people import users
from engine.clock import FixedClock
from engine.context import Context, Settings
from engine.errors import StateUnreadable
from engine.persistence.db import Database
from engine.persistence.schema import alembic_config, current_revision, head_revision
from engine.persistence.tables import Case, CaseState, OutboxCall
from engine.types import CallKind, Role
from engine.background.worker import Worker
from tests.adapters.conftest import CMIS_ENV, OPEN311_ENV, cmis_config, open311_config
from tests.conftest import FORMS
from tests.fakes.open311 import FakeOpen311
from tests.outbox.test_outbox import DATA, REPORT

ADVISOR, ADMIN = "advisor@example.gov.uk", "admin@example.gov.uk"
PDF = b"%PDF-1.7 the resident's photo of the pothole"


@pytest.fixture
def open311():
    with FakeOpen311() as fake:
        yield fake


@pytest.fixture
def ctx(database_url, open311, edrms):
    adapters = AdapterRegistry.from_config({**open311_config(open311), **cmis_config(edrms)},
                                           {**OPEN311_ENV, **CMIS_ENV})
    context = Context(Database(database_url), clock=FixedClock(datetime(2026, 5, 5, 9, tzinfo=timezone.utc)),
                      settings=Settings(forms_dir=FORMS), adapters=adapters)
    registry.deploy(context, {"report.bpmn": REPORT.replace("BOUNDARY", "").encode()})  # nothing catches a refusal
    with context.db.transaction() as session:
        users.add_user(session, ADVISOR, "Advisor", [Role.FRONT_OFFICE], context.clock.now())
    yield context
    context.db.dispose()


def calls_of(ctx: Context, reference: str) -> dict[str, tuple[str, str]]:
    """Each call of the case by operation: (kind, status), as stored."""
    with ctx.db.transaction(readonly=True) as session:
        rows = session.execute(select(OutboxCall.operation, OutboxCall.kind, OutboxCall.status)
                               .join(Case, Case.id == OutboxCall.case_id).where(Case.reference == reference))
        return {operation: (kind, status) for operation, kind, status in rows}


def saved_state(ctx: Context, reference: str, text: str | None = None) -> str:
    """The case's saved workflow state; with ``text``, overwrite it first (as a damaged row would be)."""
    with ctx.db.transaction() as session:
        case_id = session.scalar(select(Case.id).where(Case.reference == reference))
        row = session.get_one(CaseState, case_id)
        if text is not None:
            row.state = text
        return row.state


def refused_report(ctx: Context, open311: FakeOpen311) -> tuple[str, incidents.IncidentView]:
    open311.reject("The category is not one we recognise", status=400, method="POST")
    reference = cases.start_case(ctx, "pothole_handoff", {**DATA, "category": "dragons"}, actor=ADVISOR).reference
    Worker(ctx).run_calls()
    [incident] = incidents.list_incidents(ctx, case=reference)
    return reference, incident


def test_every_kind_of_call_has_a_handler():
    assert set(outbox.HANDLERS) == set(CallKind)


def test_each_kind_of_call_is_stored_with_its_kind(ctx, open311, edrms):
    reference = cases.start_case(ctx, "pothole_handoff", DATA, actor=ADVISOR).reference
    documents.add_document(ctx, reference, "photo.pdf", PDF, None, ADVISOR)
    assert calls_of(ctx, reference) == {"highways/create_request": ("service_task", "pending"),
                                        "edrms/upload_document": ("document_filing", "pending")}
    Worker(ctx).run_calls()
    assert calls_of(ctx, reference) == {"highways/create_request": ("service_task", "done"),
                                        "edrms/upload_document": ("document_filing", "done")}
    assert len(open311.records) == 1 and len(edrms.documents()) == 1
    assert [t.bpmn_id for t in cases.show_case(ctx, reference).case.tasks] == ["check"]


def test_a_skip_that_cannot_finish_the_waiting_task_changes_nothing(ctx, open311):
    reference, incident = refused_report(ctx, open311)
    assert calls_of(ctx, reference) == {"highways/create_request": ("service_task", "failed")}
    good = saved_state(ctx, reference)
    saved_state(ctx, reference, good[: len(good) // 2])  # the case cannot be loaded: its task cannot finish

    with pytest.raises(StateUnreadable, match="cannot be worked on"):
        incidents.skip_incident(ctx, incident.id, actor=ADMIN, note="Keyed by hand")

    [still] = incidents.list_incidents(ctx, case=reference)
    assert (still.id, still.status, still.resolved_by) == (incident.id, "open", None)
    assert calls_of(ctx, reference) == {"highways/create_request": ("service_task", "failed")}
    assert not [e for e in cases.show_case(ctx, reference).history if e.kind in ("incident_skipped", "call_succeeded")]

    saved_state(ctx, reference, good)  # repaired: the same skip now goes through, once
    skipped = incidents.skip_incident(ctx, incident.id, actor=ADMIN, note="Keyed by hand")
    assert skipped.status == "skipped"
    assert calls_of(ctx, reference) == {"highways/create_request": ("service_task", "done")}
    assert [t.bpmn_id for t in cases.show_case(ctx, reference).case.tasks] == ["check"]


def test_a_retry_needs_no_readable_state_and_requeues_the_call(ctx, open311):
    reference, incident = refused_report(ctx, open311)
    good = saved_state(ctx, reference)
    saved_state(ctx, reference, good[: len(good) // 2])
    retried = incidents.retry_incident(ctx, incident.id, actor=ADMIN, note="The asset system knows dragons now")
    assert retried.status == "retried" and incidents.list_incidents(ctx, case=reference) == []
    assert calls_of(ctx, reference) == {"highways/create_request": ("service_task", "pending")}


def test_migration_0005_gives_existing_calls_their_kind(ctx, database_url, open311, edrms):
    edrms.reject("The records policy forbids this file", status=400, method="POST")
    reference = cases.start_case(ctx, "pothole_handoff", DATA, actor=ADVISOR).reference
    documents.add_document(ctx, reference, "photo.pdf", PDF, None, ADVISOR)
    open311.fail(times=1, status=503, method="POST")
    Worker(ctx).run_calls()  # the filing is refused: an incident refers to its call
    assert len(incidents.list_incidents(ctx, case=reference)) == 1
    before = calls_of(ctx, reference)
    ctx.db.dispose()

    db = Database(database_url)
    try:
        command.downgrade(alembic_config(db), "0004")
        assert "kind" not in {column["name"] for column in inspect(db.engine).get_columns("outbox_call")}
        command.upgrade(alembic_config(db), "head")
        assert current_revision(db) == head_revision()
    finally:
        db.dispose()
    assert calls_of(ctx, reference) == before == {"highways/create_request": ("service_task", "pending"),
                                                  "edrms/upload_document": ("document_filing", "failed")}
    [incident] = incidents.list_incidents(ctx, case=reference)
    assert incidents.get_incident(ctx, incident.id).document == "photo.pdf"
