"""Prometheus ``/metrics`` (prometheus-client). Requests are counted by this process (scrape every
``serve``); everything about cases, tasks, SLAs, the outbox and the worker is read from the database at
scrape time (engine.ops.ops_figures), so every process reports the same, however many there are.

Protected: with ``COUNCILFLOW_METRICS_TOKEN`` set it asks for ``Authorization: Bearer <token>``; without
one it answers only a request from this machine that came through no proxy."""
from __future__ import annotations

import hmac
import time
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from engine import ops
from engine.context import Context

from .logs import route

bp = Blueprint("metrics", __name__)
LOOPBACK = {"127.0.0.1", "::1"}
PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


class DatabaseFigures(Collector):
    """The figures that live in the database, read once per scrape."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def collect(self) -> Iterator[Any]:
        f = ops.read(self.ctx)
        yield _family(CounterMetricFamily, "councilflow_cases_started", "Cases started", ["process", "channel"],
                      f.cases_started)
        yield _family(CounterMetricFamily, "councilflow_cases_completed", "Cases completed",
                      ["process", "channel"], f.cases_completed)
        yield _family(GaugeMetricFamily, "councilflow_open_tasks", "Open tasks", ["team"], f.open_tasks)
        yield _family(CounterMetricFamily, "councilflow_sla_breaches", "SLA clocks breached", ["level"],
                      f.sla_breaches)
        yield GaugeMetricFamily("councilflow_outbox_backlog", "Adapter calls waiting or in progress",
                                value=f.outbox_backlog)
        yield GaugeMetricFamily("councilflow_open_incidents", "Incidents waiting for a person",
                                value=f.open_incidents)
        yield GaugeMetricFamily("councilflow_worker_lag_seconds", "Seconds since a worker last finished a "
                                "round of timers (NaN: no worker has)",
                                value=float("nan") if f.worker_lag_s is None else f.worker_lag_s)
        yield GaugeMetricFamily("councilflow_timer_lateness_seconds", "How long the oldest due timer has "
                                "waited to fire", value=f.timer_lateness_s)


def _family(kind: Any, name: str, documentation: str, labels: list[str], values: dict[tuple[str, ...], int]) -> Any:
    family = kind(name, documentation, labels=labels)
    for key, value in sorted(values.items()):
        family.add_metric(list(key), value)
    return family


@bp.get("/metrics")
def metrics() -> Any:
    token = current_app.extensions["councilflow"].settings.metrics_token
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return Response("A bearer token is needed\n", 401, {"WWW-Authenticate": "Bearer"}, mimetype="text/plain")
    elif request.remote_addr not in LOOPBACK or any(h in request.headers for h in PROXY_HEADERS):
        abort(404)  # without a token, nobody else is told it exists
    return Response(generate_latest(current_app.extensions["metrics"]), mimetype=CONTENT_TYPE_LATEST)


def register(app: Flask, ctx: Context) -> None:
    """A registry per app (tests build many), with request counters this process fills."""
    registry = CollectorRegistry()
    registry.register(DatabaseFigures(ctx))
    requests = Counter("councilflow_http_requests", "HTTP requests answered", ["route", "method", "status"],
                       registry=registry)
    durations = Histogram("councilflow_http_request_duration_seconds", "Time to answer HTTP requests",
                          ["route", "method"], registry=registry)
    app.extensions["metrics"] = registry

    @app.after_request
    def count(response: Any) -> Any:
        started = g.get("request_started")
        requests.labels(route(), request.method, str(response.status_code)).inc()
        if started is not None:
            durations.labels(route(), request.method).observe(time.perf_counter() - started)
        return response
