"""What every use case needs: the database, the clock, settings and the runtime."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .clock import Clock, SystemClock
from .notifications import NotificationSender
from .persistence.db import Database
from .runtime import LoadedSpec, Runtime
from .scripting import ServiceHandler


@dataclass
class Settings:
    default_team: str = "Customer Hub"
    forms_dir: Path | None = None
    script_time_limit_s: float = 2.0

    @classmethod
    def from_env(cls) -> "Settings":
        forms = os.environ.get("COUNCILFLOW_FORMS_DIR")
        return cls(default_team=os.environ.get("COUNCILFLOW_DEFAULT_TEAM", cls.default_team),
                   forms_dir=Path(forms) if forms else (Path("forms") if Path("forms").is_dir() else None))


@dataclass
class Context:
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    settings: Settings = field(default_factory=Settings)
    services: ServiceHandler | None = None
    operations: set[str] | None = None
    spec_cache: dict[int, LoadedSpec] = field(default_factory=dict)
    notifier: NotificationSender | None = None  # e.g. the Notify adapter; None: in-app only
    adapters: Any = None  # the adapter registry (engine.outbox.Adapters); None: no service calls

    def __post_init__(self) -> None:
        self.runtime = Runtime(self.services, self.settings.script_time_limit_s, self.clock)
        if self.operations is None and self.adapters is not None:
            self.operations = self.adapters.operations()

    @classmethod
    def from_env(cls, database_url: str | None = None, clock: Clock | None = None,
                 adapters: Any = None, notifier: NotificationSender | None = None) -> "Context":
        return cls(Database(database_url), clock or SystemClock(), Settings.from_env(),
                   operations=adapters.operations() if adapters is not None else set(),
                   adapters=adapters, notifier=notifier)
