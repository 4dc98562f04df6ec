"""Retry policy as data: exponential backoff with full jitter, and the error decides."""
from __future__ import annotations

import pytest

from adapters.base import AdapterConfigError, AdapterError, OutcomeUnknown
from adapters.registry import AdapterRegistry
from adapters.retry import RetryPolicy, call_with_retry


def test_backoff_doubles_up_to_the_cap_and_jitter_spreads_below_it():
    policy = RetryPolicy(max_attempts=10, base_s=2, max_s=60)
    assert [policy.delay(n, rand=lambda: 1.0) for n in range(1, 7)] == [2, 4, 8, 16, 32, 60]
    assert policy.delay(3, rand=lambda: 0.25) == 2.0


def test_only_retryable_errors_are_retried_and_only_while_attempts_remain():
    policy = RetryPolicy(max_attempts=3)
    assert policy.should_retry(OutcomeUnknown("timeout"), 2)
    assert not policy.should_retry(OutcomeUnknown("timeout"), 3)
    assert not policy.should_retry(AdapterError.rejected("no such account"), 1)
    assert not policy.should_retry(ValueError("a bug"), 1)


def test_a_business_rejection_is_never_retryable_even_if_asked():
    assert AdapterError("refused", retryable=True, business=True).non_retryable


def test_call_with_retry_stops_at_the_first_rejection():
    calls, waits = [], []

    def flaky() -> dict:
        calls.append(1)
        if len(calls) == 1:
            raise AdapterError.transient("503")
        raise AdapterError.rejected("bad postcode", "invalid_postcode")

    with pytest.raises(AdapterError, match="bad postcode"):
        call_with_retry(flaky, RetryPolicy(max_attempts=5, base_s=1, max_s=5), sleep=waits.append, rand=lambda: 0.5)
    assert len(calls) == 2 and waits == [0.5]


def test_a_nonsensical_policy_is_refused():
    with pytest.raises(AdapterConfigError):
        RetryPolicy(max_attempts=0)


def test_an_unexpected_failure_inside_an_adapter_reaches_the_worker_as_an_incident(tmp_path):
    adapters = AdapterRegistry.from_config({"records": {"type": "filedrop", "drop_dir": str(tmp_path)}}, {})
    with pytest.raises(AdapterError) as raised:
        adapters.call("records/file_document", {"documents": "not-a-list"}, "k")
    assert raised.value.non_retryable and not raised.value.business
    assert raised.value.__cause__ is not None
