"""Fixtures: each fake back office runs on 127.0.0.1 for one test; adapters reach it over real HTTP."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.registry import AdapterRegistry
from adapters.retry import call_with_retry
from tests.fakes.cmis import FakeCmis
from tests.fakes.notify import FakeNotify
from tests.fakes.open311 import FakeOpen311
from tests.fakes.revenues import FakeRevenues
from tests.fakes.server import FakeServer

# Short enough that a delay fault makes the client give up quickly, long enough for a loaded CI box.
CLIENT_TIMEOUT_S = 0.5
FAULT_DELAY_S = 1.5


def _running(fake: FakeServer) -> Iterator[FakeServer]:
    with fake:
        yield fake


@pytest.fixture
def open311() -> Iterator[FakeOpen311]:
    yield from _running(FakeOpen311())  # type: ignore[misc]


@pytest.fixture
def cmis() -> Iterator[FakeCmis]:
    yield from _running(FakeCmis())  # type: ignore[misc]


@pytest.fixture
def revenues() -> Iterator[FakeRevenues]:
    yield from _running(FakeRevenues())  # type: ignore[misc]


@pytest.fixture
def notify() -> Iterator[FakeNotify]:
    yield from _running(FakeNotify())  # type: ignore[misc]


class Retrying:
    """Calls through the registry with the adapter's retry policy, recording the waits instead of
    sleeping them."""

    def __init__(self, registry: AdapterRegistry) -> None:
        self.registry = registry
        self.waits: list[float] = []

    def __call__(self, operation: str, params: dict, key: str) -> dict:
        return call_with_retry(lambda: self.registry.call(operation, params, key),
                               self.registry.policy(operation), sleep=self.waits.append, rand=lambda: 1.0)


@pytest.fixture
def retrying():
    return Retrying


def registry(config: dict, env: dict | None = None) -> AdapterRegistry:
    """A registry over the given configuration, reading secrets from ``env`` only."""
    return AdapterRegistry.from_config(config, env or {})


def open311_config(fake: FakeOpen311, **extra) -> dict:
    return {"highways": {"type": "open311", "base_url": fake.url, "api_key_env": "OPEN311_API_KEY",
                         "timeout_s": CLIENT_TIMEOUT_S,
                         "service_codes": {"pothole": "POT", "fly_tipping": "FLY"},
                         "attributes": {"POT": {"depth": "pothole_depth_mm"}},
                         "retry": {"max_attempts": 5, "base_s": 1, "max_s": 30}, **extra}}


OPEN311_ENV = {"OPEN311_API_KEY": "open311-test-key"}


def cmis_config(fake: FakeCmis, **extra) -> dict:
    return {"edrms": {"type": "cmis", "browser_url": fake.base, "parent_path": "/Sites/cases",
                      "username_env": "EDRMS_USER", "password_env": "EDRMS_PASSWORD", "timeout_s": CLIENT_TIMEOUT_S,
                      "folder_properties": {"cmis:description": "summary"},
                      "retry": {"max_attempts": 4, "base_s": 1, "max_s": 10}, **extra}}


CMIS_ENV = {"EDRMS_USER": "edrms-user", "EDRMS_PASSWORD": "edrms-password"}


def revenues_config(fake: FakeRevenues) -> dict:
    return {"revenues": {"type": "revenues", "base_url": fake.url, "api_key_env": "REVENUES_API_KEY",
                         "timeout_s": CLIENT_TIMEOUT_S, "retry": {"max_attempts": 3, "base_s": 1, "max_s": 10}}}


REVENUES_ENV = {"REVENUES_API_KEY": "revenues-test-key"}


def notify_config(fake: FakeNotify, **extra) -> dict:
    return {"notify": {"type": "notify", "base_url": fake.url, "api_key_env": "NOTIFY_API_KEY",
                       "callback_token_env": "NOTIFY_CALLBACK_TOKEN", "timeout_s": CLIENT_TIMEOUT_S,
                       "templates": {"acknowledgement": {"id": fake.email_template,
                                                         "personalisation": {"name": "first_name",
                                                                             "case_ref": "case_ref"}},
                                     "received_sms": fake.sms_template, "staff": fake.staff_template},
                       "staff_template": "staff",
                       "retry": {"max_attempts": 3, "base_s": 1, "max_s": 10}, **extra}}


def notify_env(fake: FakeNotify) -> dict:
    return {"NOTIFY_API_KEY": fake.api_key, "NOTIFY_CALLBACK_TOKEN": "callback-secret"}
