"""The adapters a council has configured, looked up by name.

Configuration is a JSON or TOML file named by the environment variable ``COUNCILFLOW_ADAPTERS``:
one table per adapter, keyed by the name service tasks use (``<name>/<operation>``), each with a
``type``, its settings, and optionally a ``retry`` policy. Secrets never appear in it: a setting
``<secret>_env`` names the environment variable that holds the secret, and a literal secret is
refused. See docs/adapters.md.
"""
from __future__ import annotations

import importlib
import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .base import Adapter, AdapterConfigError, Clock, Result, UnknownOperation
from .retry import RetryPolicy

ENV_VARIABLE = "COUNCILFLOW_ADAPTERS"

TYPES: dict[str, str] = {
    "open311": "adapters.open311:Open311Adapter",
    "cmis": "adapters.cmis:CmisAdapter",
    "filedrop": "adapters.filedrop:FileDropAdapter",
    "revenues": "adapters.revenues:RevenuesAdapter",
    "revenues_batch": "adapters.revenues_batch:RevenuesBatchAdapter",
    "notify": "adapters.notify:NotifyAdapter",
}

_NAME = re.compile(r"[a-z][a-z0-9_-]*")
_USERINFO = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@]*@", re.IGNORECASE)
_SECRET = re.compile(r"(^|_)(api_key|key|password|secret|token|credentials?)$")


def adapter_class(type_name: str) -> type[Adapter]:
    if type_name not in TYPES:
        raise AdapterConfigError(f"unknown adapter type '{type_name}' (known: {', '.join(sorted(TYPES))})")
    module, _, name = TYPES[type_name].partition(":")
    cls: type[Adapter] = getattr(importlib.import_module(module), name)
    return cls


def _refuse_secrets(name: str, settings: Mapping[str, Any]) -> None:
    for key, value in settings.items():
        if _SECRET.search(key) and value not in (None, ""):
            raise AdapterConfigError(
                f"adapter '{name}' has a secret in its configuration ('{key}'); put it in an environment "
                f"variable and name that variable with '{key}_env'")
        if isinstance(value, str) and _USERINFO.search(value):
            raise AdapterConfigError(f"adapter '{name}' has credentials in the URL '{key}'; use "
                                     f"username_env/password_env or api_key_env instead")
        if isinstance(value, Mapping):
            _refuse_secrets(name, value)


class AdapterRegistry:
    def __init__(self, adapters: Mapping[str, Adapter] | None = None,
                 policies: Mapping[str, RetryPolicy] | None = None) -> None:
        self.adapters = dict(adapters or {})
        self.policies = dict(policies or {})

    @classmethod
    def from_config(cls, config: Mapping[str, Any], env: Mapping[str, str] | None = None,
                    clock: Clock | None = None) -> "AdapterRegistry":
        env = os.environ if env is None else env
        adapters, policies = {}, {}
        for name, entry in config.items():
            if not _NAME.fullmatch(name):
                raise AdapterConfigError(f"'{name}' is not a usable adapter name (lower case letters, digits, "
                                         f"'_' and '-', starting with a letter)")
            if not isinstance(entry, Mapping) or "type" not in entry:
                raise AdapterConfigError(f"adapter '{name}' needs a 'type'")
            settings = {k: v for k, v in entry.items() if k not in ("type", "retry")}
            _refuse_secrets(name, settings)
            adapters[name] = adapter_class(entry["type"])(name, settings, env, clock)
            policies[name] = RetryPolicy.from_settings(entry.get("retry"))
        return cls(adapters, policies)

    @classmethod
    def from_file(cls, path: str | Path, env: Mapping[str, str] | None = None,
                  clock: Clock | None = None) -> "AdapterRegistry":
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
            config = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        except (OSError, ValueError) as err:
            raise AdapterConfigError(f"cannot read the adapter configuration {path}: {err}") from err
        return cls.from_config(config, env, clock)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, clock: Clock | None = None) -> "AdapterRegistry":
        """The registry ``COUNCILFLOW_ADAPTERS`` names; empty (no operations) if it is not set."""
        env = os.environ if env is None else env
        path = env.get(ENV_VARIABLE)
        return cls.from_file(path, env, clock) if path else cls()

    def operations(self) -> set[str]:
        """Every ``<adapter>/<operation>`` a service task may name (for the linter)."""
        return {f"{name}/{op}" for name, adapter in self.adapters.items() for op in adapter.operations}

    def resolve(self, qualified: str) -> tuple[Adapter, str]:
        name, _, operation = qualified.partition("/")
        adapter = self.adapters.get(name)
        if adapter is None or operation not in adapter.operations:
            raise UnknownOperation(qualified, sorted(self.operations()))
        return adapter, operation

    def call(self, qualified: str, params: dict[str, Any], idempotency_key: str) -> Result:
        adapter, operation = self.resolve(qualified)
        return adapter.call(operation, params, idempotency_key)

    def policy(self, qualified: str) -> RetryPolicy:
        return self.policies.get(qualified.partition("/")[0], RetryPolicy())

    def find(self, name: str) -> Adapter | None:
        return self.adapters.get(name)

    def with_method(self, method: str) -> list[Adapter]:
        """Adapters that offer ``method`` (``poll_updates``, ``collect_rejections``) to the worker."""
        return [adapter for adapter in self.adapters.values() if callable(getattr(adapter, method, None))]

    def describe(self) -> list[dict[str, Any]]:
        return [{**adapter.describe(), "retry": asdict(self.policy(name))}
                for name, adapter in sorted(self.adapters.items())]
