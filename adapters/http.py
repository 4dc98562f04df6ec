"""The HTTP client every HTTP adapter shares: timeouts, timing, and failures sorted into
``AdapterError``s in one place.

How a failure is classified:

* could not connect (refused, DNS, connect timeout): retryable; nothing reached the server.
* read timeout or a connection dropped after sending: ``OutcomeUnknown`` (retryable, look up first).
* 408, 425, 429, 5xx: retryable (``Retry-After`` kept in ``details``).
* 401, 403: not retryable, not business: the credentials or permissions need a person.
* 404, 405 (unless the adapter expects them, as look-ups do): the configured URL is wrong: a person.
* other 4xx: a business rejection with the server's reason (each adapter says how to read it).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from .base import AdapterError, OutcomeUnknown

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_CONNECT_TIMEOUT_S = 5.0

# Reads a failed response: (plain-English reason, machine-readable code or None).
Explain = Callable[[requests.Response], tuple[str, str | None]]


def plain_reason(response: requests.Response) -> tuple[str, str | None]:
    text = response.text.strip()
    return (text[:500] or response.reason or f"HTTP {response.status_code}"), None


def classify_status(status: int, reason: str, code: str | None, where: str,
                    retry_after: str | None = None) -> AdapterError:
    details: dict[str, Any] = {"status": status, "where": where}
    if status in RETRYABLE_STATUSES:
        if retry_after:
            details["retry_after"] = retry_after
        return AdapterError.transient(f"{where} answered {status}: {reason}", **details)
    if status in (401, 403):
        return AdapterError.broken(f"{where} refused our credentials ({status}): {reason}", **details)
    if status in (404, 405):  # an adapter that expects "not found" asks for it; otherwise a wrong URL
        return AdapterError.broken(f"{where} has no such endpoint ({status}): {reason}", **details)
    if 400 <= status < 500:
        return AdapterError.rejected(reason, code, **details)
    return AdapterError.broken(f"{where} answered {status}: {reason}", **details)


def classify_exception(err: requests.RequestException, where: str) -> AdapterError:
    """A transport failure: could the server have acted on the request?"""
    if isinstance(err, requests.ConnectTimeout):
        return AdapterError.transient(f"could not connect to {where} in time", where=where)
    if isinstance(err, requests.ReadTimeout):
        return OutcomeUnknown(f"{where} did not answer in time; the request may have been received",
                              where=where)
    if isinstance(err, requests.ConnectionError):
        cause = err.args[0] if err.args else None
        if isinstance(cause, MaxRetryError):
            cause = cause.reason
        if isinstance(cause, NewConnectionError):  # refused or unresolvable: nothing was sent
            return AdapterError.transient(f"could not connect to {where}: {cause}", where=where)
        return OutcomeUnknown(f"the connection to {where} was dropped; the request may have been received",
                              where=where)
    return AdapterError.broken(f"request to {where} failed: {type(err).__name__}: {err}", where=where)


class HttpClient:
    """A ``requests`` session bound to one base URL, with timeouts always set."""

    def __init__(self, base_url: str, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                 connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
                 headers: Mapping[str, str] | None = None, auth: tuple[str, str] | None = None,
                 explain: Explain = plain_reason, where: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout_s, timeout_s)
        self.explain = explain
        self.where = where or self.base_url
        self.session = requests.Session()
        self.session.headers.update(headers or {})
        self.session.auth = auth

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method: str, path: str, *, expect: Iterable[int] = (),
                **kwargs: Any) -> requests.Response:
        """Send; return the response if it is 2xx or one of ``expect``; raise AdapterError otherwise."""
        url = self.url(path)
        started = time.monotonic()
        status: int | str = "no answer"
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            status = response.status_code
        except requests.RequestException as err:
            raise classify_exception(err, self.where) from err
        finally:
            logger.debug("%s %s -> %s in %.1fms", method, url, status, (time.monotonic() - started) * 1000,
                         extra={"method": method, "url": url, "status": status})
        if response.ok or response.status_code in set(expect):
            return response
        reason, code = self.explain(response)
        raise classify_status(response.status_code, reason, code, self.where, response.headers.get("Retry-After"))

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as err:
            raise AdapterError.broken(f"{self.where} answered {response.status_code} without valid JSON",
                                      where=self.where) from err
