"""Retry policy as data: exponential backoff with full jitter, and the error decides.

The engine's worker does not sleep: it asks ``policy.delay(attempt)`` and schedules the next
attempt that far ahead. ``call_with_retry`` is the in-process form (examples, tools, tests),
with ``sleep`` and ``rand`` injectable so tests skip time instead of waiting.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .base import AdapterConfigError, AdapterError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_s: float = 2.0
    max_s: float = 600.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_s < 0 or self.max_s < self.base_s:
            raise AdapterConfigError(f"unusable retry policy {self}")

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> "RetryPolicy":
        settings = dict(settings or {})
        unknown = set(settings) - {"max_attempts", "base_s", "max_s"}
        if unknown:
            raise AdapterConfigError(f"unknown retry settings: {', '.join(sorted(unknown))}")
        return cls(**settings)

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based): a random point
        between 0 and base * 2^(attempt-1), capped, so many cases do not retry in step."""
        ceiling = min(self.max_s, self.base_s * 2 ** max(attempt - 1, 0))
        return rand() * ceiling

    def should_retry(self, error: BaseException, attempt: int) -> bool:
        return isinstance(error, AdapterError) and error.retryable and attempt < self.max_attempts


def call_with_retry(fn: Callable[[], T], policy: RetryPolicy, *,
                    sleep: Callable[[float], None] = time.sleep,
                    rand: Callable[[], float] = random.random) -> T:
    """Call ``fn`` until it succeeds, fails for good, or the policy's attempts run out."""
    attempt = 1
    while True:
        try:
            return fn()
        except AdapterError as err:
            if not policy.should_retry(err, attempt):
                raise
            sleep(policy.delay(attempt, rand))
            attempt += 1
