"""How a wing's ``__init__.py`` shows its face: the names code outside the wing may use, each
read from its module the first time it is asked for.

Wings use one another (the case writer projects outbox calls, the outbox finishes tasks through the
writer), so a face that imported every module of its wing would make import cycles of wings whose
modules form none. Read lazily, importing ``engine.casework.writer`` runs only the modules the writer
needs, while ``from engine.casework import start_case`` still works and mypy reads the names from the
face's ``if TYPE_CHECKING:`` imports.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import import_module
from typing import Any


def face(package: str, names: dict[str, str]) -> Callable[[str], Any]:
    """The ``__getattr__`` (PEP 562) of ``package``'s face: ``names`` maps each name to the module that
    defines it, as ``"module"`` or ``"module:attribute"`` when the face renames it."""
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, _, attribute = names[name].partition(":")
        value = getattr(import_module(f"{package}.{module}"), attribute or name)
        namespace[name] = value  # asked once: later look-ups find it without this function
        return value

    return __getattr__
