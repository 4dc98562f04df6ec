"""Probes for orchestrators and load balancers: ``/healthz`` says the process is alive (no database
involved, so a slow database never gets a healthy process restarted); ``/readyz`` says whether it can take
traffic: the database answers, is at this release's newest migration, and, where a worker is expected
(``COUNCILFLOW_EXPECT_WORKER``), one has reported recently. 200 when ready, 503 with each check's outcome
otherwise."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify

from engine import ops

from .home import RETRY_AFTER_S

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Any:
    readiness = ops.readiness(current_app.extensions["councilflow"])
    if readiness.ready:
        return jsonify(readiness.to_dict())
    return jsonify(readiness.to_dict()), 503, {"Retry-After": str(RETRY_AFTER_S)}
