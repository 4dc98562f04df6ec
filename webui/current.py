"""The context of the app handling the current request (the one ``create_app`` was given or built)."""
from __future__ import annotations

from flask import current_app

from engine.context import Context


def context() -> Context:
    ctx: Context = current_app.extensions["councilflow"]
    return ctx
