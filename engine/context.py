"""What every use case needs: the database, the clock, settings and the runtime.

One is built per process, by the composition root (``webui/composition.py``) for the web app and the
CLI alike; tests build their own with the parts they need."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .bpmn.runtime import Runtime
from .bpmn.savedstate import LoadedSpec
from .bpmn.scripting import ServiceHandler
from .casework.livecache import LiveWorkflows
from .clock import Clock, SystemClock
from .mi import mi_rollup  # noqa: F401  (counts case events for MI in their own transaction)
from .people.notifications import NotificationSender
from .persistence.db import Database
from .persistence.tables import ProcessVersion
from .settings import Settings

__all__ = ["Context", "Settings"]  # Settings is imported from here by tests and benchmarks


@dataclass
class Context:
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    settings: Settings = field(default_factory=Settings)
    services: ServiceHandler | None = None
    operations: set[str] | None = None
    spec_cache: dict[int, LoadedSpec] = field(default_factory=dict)
    version_cache: dict[int, ProcessVersion] = field(default_factory=dict)  # rows that never change once deployed
    notifier: NotificationSender | None = None  # e.g. the Notify adapter; None: in-app only
    adapters: Any = None  # the adapter registry (engine.outbox.calls.Adapters); None: no service calls
    live: LiveWorkflows = field(default_factory=LiveWorkflows)  # workflows as this process last saved them

    def __post_init__(self) -> None:
        self.runtime = Runtime(self.services, self.settings.script_time_limit_s, self.clock)
        if self.operations is None and self.adapters is not None:
            self.operations = self.adapters.operations()
