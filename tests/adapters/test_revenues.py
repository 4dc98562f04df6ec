"""Revenues and benefits: the JSON REST driver against a fake over real HTTP, and the batch CSV driver."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from adapters.base import AdapterError
from adapters.registry import AdapterRegistry
from adapters.revenues_batch import collect_rejections
from tests.fakes.revenues import run_batch_import

from .conftest import FAULT_DELAY_S, REVENUES_ENV, registry, revenues_config

CHANGE = {"account_ref": "CT-1001", "change_type": "moved_out", "effective_date": "2026-04-01"}


def test_an_account_is_looked_up_and_an_unknown_one_is_a_business_error(revenues):
    adapters = registry(revenues_config(revenues), REVENUES_ENV)
    assert adapters.call("revenues/lookup_account", {"account_ref": "CT-1001"}, "k")["account"]["band"] == "C"
    with pytest.raises(AdapterError) as raised:
        adapters.call("revenues/lookup_account", {"account_ref": "CT-9999"}, "k")
    assert raised.value.business and raised.value.code == "account_not_found"


def test_a_change_is_sent_with_an_idempotency_key_and_our_reference(revenues):
    result = registry(revenues_config(revenues), REVENUES_ENV).call(
        "revenues/post_change_of_circumstances", CHANGE, "case-9/change")
    stored = revenues.changes[result["change_id"]]
    assert stored["reference"] == "case-9/change" and stored["change_type"] == "moved_out"
    assert revenues.requests_to("POST")[0].headers["idempotency-key"] == "case-9/change"


def test_a_timeout_after_the_change_was_stored_is_looked_up_not_resent(revenues, retrying):
    revenues.delay(FAULT_DELAY_S, method="POST")
    result = retrying(registry(revenues_config(revenues), REVENUES_ENV))(
        "revenues/post_change_of_circumstances", CHANGE, "case-9/change")
    assert len(revenues.changes) == 1 and result["already_done"]
    assert len(revenues.requests_to("POST")) == 1


def test_a_refused_change_carries_the_systems_reason(revenues, retrying):
    with pytest.raises(AdapterError) as raised:
        retrying(registry(revenues_config(revenues), REVENUES_ENV))(
            "revenues/post_change_of_circumstances", {**CHANGE, "effective_date": None}, "case-9/change")
    assert (raised.value.business, raised.value.code, raised.value.message) == (
        True, "invalid_change", "effective_date is required")
    assert revenues.changes == {}


def test_retries_run_out_on_a_system_that_stays_down(revenues, retrying):
    revenues.fail(times=10, method="POST")
    call = retrying(registry(revenues_config(revenues), REVENUES_ENV))
    with pytest.raises(AdapterError) as raised:
        call("revenues/post_change_of_circumstances", CHANGE, "case-9/change")
    assert raised.value.retryable and raised.value.details["status"] == 503
    assert len(revenues.requests_to("POST")) == 3 and call.waits == [1.0, 2.0]


class _Clock:
    def now(self) -> datetime:
        return datetime(2026, 4, 2, 17, 30, tzinfo=timezone.utc)


def test_batch_changes_are_appended_once_and_rejections_come_back_for_incidents(tmp_path):
    batches, rejections = tmp_path / "out", tmp_path / "back"
    batches.mkdir(), rejections.mkdir()
    adapters = AdapterRegistry.from_config({"rb": {"type": "revenues_batch", "batch_dir": str(batches),
                                                   "rejections_dir": str(rejections)}}, {}, _Clock())
    adapters.call("rb/post_change", CHANGE, "case-1/change")
    adapters.call("rb/post_change", {**CHANGE, "account_ref": "CT-2002"}, "case-2/change")
    again = adapters.call("rb/post_change", CHANGE, "case-1/change")
    batch = batches / "changes-20260402.csv"
    assert again == {"batch_file": batch.name, "already_done": True}
    assert batch.read_text().splitlines()[0] == "reference,account_ref,change_type,effective_date,details"
    assert len(batch.read_text().splitlines()) == 3

    run_batch_import(batch, rejections / "rejections-20260402.csv", {"CT-2002": "No such account"})
    (path, found), = adapters.find("rb").pending_rejections()
    assert [(r.reference, r.reason) for r in found] == [("case-2/change", "No such account")]
    assert collect_rejections(path) == found
    adapters.find("rb").archive(path)
    assert adapters.find("rb").pending_rejections() == []
