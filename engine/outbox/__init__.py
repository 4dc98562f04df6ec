"""Calls to other systems, made later by the worker: outbox rows by kind with one handler per kind (service tasks,
document filing, residents' updates), and the external tasks integrators' workers fetch and lock.

This ``__init__`` is the wing's face: the names the web app, the API, the CLI, adapters and other
wings use, loaded from their modules when first asked for (``engine/faces.py``). Anything else in
the wing is its own business."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..faces import face

if TYPE_CHECKING:
    from .external_tasks import (
        MAX_WAIT_MS, TopicRequest, bpmn_error, complete, extend_lock, fetch_and_lock, list_external_tasks,
        report_failure,
    )
    from .outbox import record_delivery_receipt

__all__ = [
    "bpmn_error", "complete", "extend_lock", "fetch_and_lock", "list_external_tasks", "MAX_WAIT_MS",
    "record_delivery_receipt", "report_failure", "TopicRequest",
]

if not TYPE_CHECKING:  # mypy reads the imports above; at run time a name is read when first asked for
    __getattr__ = face(__name__, {
        "bpmn_error": "external_tasks", "complete": "external_tasks", "extend_lock": "external_tasks",
        "fetch_and_lock": "external_tasks", "list_external_tasks": "external_tasks", "MAX_WAIT_MS": "external_tasks",
        "record_delivery_receipt": "outbox", "report_failure": "external_tasks", "TopicRequest": "external_tasks",
    })
