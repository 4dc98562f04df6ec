"""The composition root: the one place a process's context is put together from its settings.

``create_app`` and the ``councilflow`` command both call ``build_context``, so the web app, ``serve``,
``worker`` and every command see the same database, adapters and notifier for the same environment.
It lives in webui, not engine, because it names the concrete adapter registry (the engine knows only
its protocol)."""
from __future__ import annotations

from adapters.registry import AdapterRegistry
from engine.clock import Clock, SystemClock
from engine.context import Context
from engine.persistence import Database
from engine.settings import Settings


def build_context(settings: Settings | None = None, clock: Clock | None = None) -> Context:
    """The context for ``settings`` (read from the environment when not given)."""
    settings = Settings.from_env() if settings is None else settings
    # Secrets named in the adapters file (``<secret>_env``) are read from the environment by each adapter.
    adapters = AdapterRegistry.from_file(settings.adapters_file) if settings.adapters_file else AdapterRegistry()
    return Context(Database(settings.database_url, settings.sqlite_busy_timeout_s), clock or SystemClock(), settings,
                   operations=adapters.operations(), adapters=adapters, notifier=adapters.find("notify"))
