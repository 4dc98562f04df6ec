"""What the worker does between requests: due timers, the SLA sweep and its escalations, status polling, incidents
admins retry or skip, and the worker's heartbeat.

This ``__init__`` is the wing's face: the names the web app, the API, the CLI, adapters and other
wings use, loaded from their modules when first asked for (``engine/faces.py``). Anything else in
the wing is its own business."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..faces import face

if TYPE_CHECKING:
    from .incidents import get_incident, list_incidents, retry_incident, skip_incident
    from .worker import Worker, fire_due_timers

__all__ = [
    "fire_due_timers", "get_incident", "list_incidents", "retry_incident", "skip_incident", "Worker",
]

if not TYPE_CHECKING:  # mypy reads the imports above; at run time a name is read when first asked for
    __getattr__ = face(__name__, {
        "fire_due_timers": "worker", "get_incident": "incidents", "list_incidents": "incidents",
        "retry_incident": "incidents", "skip_incident": "incidents", "Worker": "worker",
    })
