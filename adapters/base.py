"""The adapter protocol: how the engine's worker talks to a council's back-office systems.

An adapter is configured by name (``open311``, ``edrms``...) and offers operations; a service task
names one as ``<adapter>/<operation>``. ``call`` is idempotent in effect: the worker passes the
same ``idempotency_key`` on every attempt for one (case, task), and an adapter that creates
something looks it up by that key before sending again.

Failures are ``AdapterError``s that carry their retry policy as data (Temporal's
``non_retryable``): a transient failure is retryable, a business rejection is not and becomes a
BPMN error with ``code``, and anything else (wrong credentials, bad configuration) is an incident.
Timing and logging of every operation happen here, once, for every adapter.
"""
from __future__ import annotations

import logging
import time
from abc import ABC
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any, ClassVar, Protocol

logger = logging.getLogger(__name__)

Result = dict[str, Any]


class AdapterError(Exception):
    """A failed operation, saying whether trying again could help.

    ``business`` rejections (the back office refused our data) are never retryable; the worker
    throws them into the process as a BPMN error whose ``errorCode`` is ``code``.
    """

    def __init__(self, message: str, *, retryable: bool, business: bool = False,
                 code: str | None = None, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable and not business
        self.business = business
        self.code = code
        self.details = dict(details or {})

    @property
    def non_retryable(self) -> bool:
        return not self.retryable

    def to_dict(self) -> dict[str, Any]:
        return {"type": type(self).__name__, "message": self.message, "retryable": self.retryable,
                "business": self.business, "code": self.code, "details": self.details}

    @classmethod
    def rejected(cls, message: str, code: str | None = None, **details: Any) -> "AdapterError":
        """The back office refused the request; the process decides what happens next."""
        return cls(message, retryable=False, business=True, code=code or "rejected", details=details)

    @classmethod
    def transient(cls, message: str, **details: Any) -> "AdapterError":
        return cls(message, retryable=True, details=details)

    @classmethod
    def broken(cls, message: str, **details: Any) -> "AdapterError":
        """Retrying will not help and the process cannot handle it: an incident for a person."""
        return cls(message, retryable=False, details=details)


class OutcomeUnknown(AdapterError):
    """The request may have been received (a read timeout, a dropped connection): retryable, and
    the retry must look the record up by our reference before sending it again."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, retryable=True, details=details)


class UnknownOperation(AdapterError):
    def __init__(self, qualified: str, known: list[str]) -> None:
        super().__init__(f"'{qualified}' is not a configured adapter operation "
                         f"(known: {', '.join(known) or 'none'})", retryable=False)


class AdapterConfigError(ValueError):
    """The adapter configuration is unusable; raised when the registry is built."""


class Clock(Protocol):
    def now(self) -> datetime: ...


class UtcClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


Handler = Callable[[dict[str, Any], str], Result]


class Adapter(ABC):
    """One configured connection to one back-office system.

    Subclasses list their ``operations`` (name -> description) and implement each as a method
    ``op_<name>(params, idempotency_key) -> dict``. ``call`` dispatches, times and logs.
    """

    type: ClassVar[str]
    operations: ClassVar[dict[str, str]]

    def __init__(self, name: str, settings: Mapping[str, Any], env: Mapping[str, str],
                 clock: Clock | None = None) -> None:
        self.name = name
        self.settings = dict(settings)
        self.env = env
        self.clock: Clock = clock or UtcClock()

    def secret(self, key: str) -> str | None:
        """The secret whose environment variable the setting ``<key>_env`` names."""
        variable = self.settings.get(f"{key}_env")
        return self.env.get(variable) if variable else None

    def require_secret(self, key: str) -> str:
        value = self.secret(key)
        if not value:
            raise AdapterError.broken(
                f"adapter '{self.name}' needs the environment variable "
                f"{self.settings.get(f'{key}_env') or f'named by {key}_env'} to be set")
        return value

    def setting(self, key: str) -> Any:
        if key not in self.settings:
            raise AdapterConfigError(f"adapter '{self.name}' ({self.type}) needs the setting '{key}'")
        return self.settings[key]

    def call(self, operation: str, params: dict[str, Any], idempotency_key: str) -> Result:
        if operation not in self.operations:
            raise UnknownOperation(f"{self.name}/{operation}", [f"{self.name}/{op}" for op in self.operations])
        handler: Handler = getattr(self, f"op_{operation}")
        return self.timed(operation, idempotency_key, lambda: handler(params, idempotency_key))

    def timed(self, operation: str, idempotency_key: str, run: Callable[[], Result]) -> Result:
        """Run one operation: timed and logged once, every failure an ``AdapterError``."""
        started = time.monotonic()
        outcome = "error"
        try:
            result = run()
            outcome = "ok"
            return result
        except AdapterError as err:
            outcome = "rejected" if err.business else "retryable" if err.retryable else "failed"
            raise
        except Exception as err:  # a bug or a surprise answer: the worker sees one error type
            logger.exception("adapter %s/%s failed unexpectedly", self.name, operation,
                             extra={"adapter": self.name, "operation": operation})
            raise AdapterError.broken(f"{self.name}/{operation} failed: {type(err).__name__}: {err}") from err
        finally:
            elapsed_ms = round((time.monotonic() - started) * 1000, 1)
            log = logger.info if outcome == "ok" else logger.warning
            log("adapter %s/%s %s in %sms", self.name, operation, outcome, elapsed_ms,
                extra={"adapter": self.name, "operation": operation, "idempotency_key": idempotency_key,
                       "outcome": outcome, "elapsed_ms": elapsed_ms})

    def once(self, idempotency_key: str, find: Callable[[], Result | None],
             create: Callable[[], Result]) -> Result:
        """Look the record up by our reference; create it only if it is not there.

        Always looking first (rather than only after an unknown outcome) also covers a worker that
        crashed after sending and before it could record that it had sent.
        """
        found = find()
        if found is not None:
            logger.info("adapter %s found %s already done; not sending again", self.name, idempotency_key,
                        extra={"adapter": self.name, "idempotency_key": idempotency_key})
            return {**found, "already_done": True}
        return create()

    def describe(self) -> dict[str, Any]:
        """Settings for an admin page: environment variable names and whether they are set, never
        their values (configuration cannot hold secrets; the registry refuses them)."""
        public: dict[str, Any] = {}
        for key, value in self.settings.items():
            if key.endswith("_env"):
                public[key] = {"variable": value, "set": bool(self.env.get(value))}
            else:
                public[key] = value
        return {"name": self.name, "type": self.type, "settings": public,
                "operations": {f"{self.name}/{op}": text for op, text in self.operations.items()}}


def mapped(mapping: Mapping[str, str], params: Mapping[str, Any]) -> dict[str, Any]:
    """Case data renamed for a back office: ``{their_field: our_param}`` -> ``{their_field: value}``.

    A source written ``"=text"`` is the literal ``text``; parameters the case lacks are left out.
    """
    out: dict[str, Any] = {}
    for target, source in mapping.items():
        if source.startswith("="):
            out[target] = source[1:]
        elif params.get(source) is not None:
            out[target] = params[source]
    return out
