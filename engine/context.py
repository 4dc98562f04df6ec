"""What every use case needs: the database, the clock, settings and the runtime."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .clock import Clock, SystemClock
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

    def __post_init__(self) -> None:
        self.runtime = Runtime(self.services, self.settings.script_time_limit_s, self.clock)

    @classmethod
    def from_env(cls, database_url: str | None = None, clock: Clock | None = None) -> "Context":
        return cls(Database(database_url), clock or SystemClock(), Settings.from_env())
