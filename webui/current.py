"""The context of the app handling the current request (the one ``create_app`` was given or built)."""
from __future__ import annotations

from datetime import date

from flask import current_app

from engine.clock import local_today
from engine.context import Context


def context() -> Context:
    ctx: Context = current_app.extensions["councilflow"]
    return ctx


def today() -> date:
    """Today in the UK by the app's clock (what a form's "today" means)."""
    return local_today(context().clock)
