"""Open311 GeoReport v2 against a fake asset management system over real HTTP."""
from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone

import pytest

from adapters.base import AdapterError, OutcomeUnknown

from .conftest import FAULT_DELAY_S, OPEN311_ENV, open311_config, registry

POTHOLE = {"category": "pothole", "lat": 51.5, "long": -0.12, "description": "Deep pothole by the bus stop",
           "pothole_depth_mm": 80, "email": "resident@example.org"}


def test_a_case_becomes_a_service_request_with_mapped_code_and_attributes(open311):
    result = registry(open311_config(open311), OPEN311_ENV).call("highways/create_request", POTHOLE, "case-1/report")
    record = open311.records[result["service_request_id"]]
    assert record["service_code"] == "POT"
    assert record["attributes"] == {"depth": "80"}
    assert record["description"].endswith("Our reference: case-1/report")
    assert result["service_notice"]


def test_a_category_without_a_service_code_is_a_business_rejection(open311):
    with pytest.raises(AdapterError) as raised:
        registry(open311_config(open311), OPEN311_ENV).call(
            "highways/create_request", {**POTHOLE, "category": "dragons"}, "k")
    assert raised.value.business and raised.value.code == "open311_unknown_category"
    assert open311.requests == []


def test_status_is_read_by_service_request_id(open311):
    adapters = registry(open311_config(open311), OPEN311_ENV)
    request_id = adapters.call("highways/create_request", POTHOLE, "case-2/report")["service_request_id"]
    open311.set_status(request_id, "closed", "Filled in")
    status = adapters.call("highways/request_status", {"service_request_id": request_id}, "case-2/check")
    assert (status["status"], status["status_notes"]) == ("closed", "Filled in")


@pytest.mark.parametrize("mode", ["requests", "servicerequestupdates"])
def test_status_changes_are_polled_for_the_worker_to_turn_into_case_messages(open311, mode):
    adapters = registry(open311_config(open311, updates=mode), OPEN311_ENV)
    first = adapters.call("highways/create_request", POTHOLE, "case-3/report")["service_request_id"]
    second = adapters.call("highways/create_request", {**POTHOLE, "category": "fly_tipping"},
                           "case-4/report")["service_request_id"]
    since = datetime.now(timezone.utc) - timedelta(milliseconds=1)
    open311.set_status(second, "closed", "Cleared")
    changes = adapters.find("highways").poll_updates(since, [first, second])
    assert [(c.service_request_id, c.status, c.notes) for c in changes] == [(second, "closed", "Cleared")]
    assert changes[0].updated_datetime > since


def test_three_503s_then_success_leaves_one_request_after_retries(open311, retrying):
    open311.fail(times=3, status=503, method="POST")
    call = retrying(registry(open311_config(open311), OPEN311_ENV))
    result = call("highways/create_request", POTHOLE, "case-5/report")
    assert list(open311.records) == [result["service_request_id"]]
    assert len(open311.requests_to("POST")) == 4
    assert call.waits == [1.0, 2.0, 4.0]  # exponential, jitter pinned at its ceiling


def test_a_timeout_after_the_server_stored_the_request_does_not_create_a_second(open311, retrying):
    open311.delay(FAULT_DELAY_S, method="POST")
    call = retrying(registry(open311_config(open311), OPEN311_ENV))
    result = call("highways/create_request", POTHOLE, "case-6/report")
    assert len(open311.records) == 1 and result["service_request_id"] in open311.records
    assert result["already_done"] is True
    assert len(open311.requests_to("POST")) == 1


def test_the_first_timeout_is_reported_as_an_unknown_outcome(open311):
    open311.delay(FAULT_DELAY_S, method="POST")
    with pytest.raises(OutcomeUnknown) as raised:
        registry(open311_config(open311), OPEN311_ENV).call("highways/create_request", POTHOLE, "case-7/report")
    assert raised.value.retryable


def test_a_connection_dropped_after_storing_is_looked_up_before_resending(open311, retrying):
    open311.drop(after=True, method="POST")
    result = retrying(registry(open311_config(open311), OPEN311_ENV))("highways/create_request", POTHOLE, "case-8/x")
    assert len(open311.records) == 1 and result["already_done"]


def test_a_rejection_carries_the_servers_reason_and_is_not_retried(open311, retrying):
    with pytest.raises(AdapterError) as raised:
        retrying(registry(open311_config(open311), OPEN311_ENV))(
            "highways/create_request", {**POTHOLE, "pothole_depth_mm": None}, "case-9/report")
    err = raised.value
    assert (err.business, err.retryable, err.code) == (True, False, "open311_rejected")
    assert err.message == "Required attribute depth is missing"
    assert len(open311.requests_to("POST")) == 1


def test_a_wrong_api_key_is_an_incident_not_a_business_error(open311):
    with pytest.raises(AdapterError) as raised:
        registry(open311_config(open311), {"OPEN311_API_KEY": "wrong"}).call(
            "highways/create_request", POTHOLE, "case-10/report")
    assert not raised.value.business and not raised.value.retryable
    assert raised.value.details["status"] == 403


def test_a_refused_connection_is_retryable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the call: nothing listens there
    config = {"highways": {"type": "open311", "base_url": f"http://127.0.0.1:{port}", "api_key_env": "K",
                           "service_codes": {"pothole": "POT"}}}
    with pytest.raises(AdapterError) as raised:
        registry(config, {"K": "x"}).call("highways/create_request", POTHOLE, "case-11/report")
    assert raised.value.retryable and not isinstance(raised.value, OutcomeUnknown)


def test_a_wrong_endpoint_url_is_an_incident_not_a_bpmn_error(open311):
    config = open311_config(open311)
    config["highways"]["base_url"] = f"{open311.url}/not-open311"
    with pytest.raises(AdapterError) as raised:
        registry(config, OPEN311_ENV).call("highways/create_request", POTHOLE, "case-12/report")
    assert not raised.value.business and not raised.value.retryable and raised.value.details["status"] == 404
