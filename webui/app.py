"""The Flask application factory."""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template_string
from sqlalchemy import text

from engine.context import Context
from engine.persistence import tables
from engine.persistence.schema import current_revision

_HOME = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>councilflow</title></head>
<body><main><h1>councilflow</h1><p>Status: running. Processes deployed: {{ processes|length }}.</p>
<ul>{% for p in processes %}<li>{{ p.key }} &ndash; {{ p.name }} (version {{ p.latest_version }})</li>{% endfor %}</ul>
</main></body></html>"""


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(DATABASE_URL=None)
    if test_config:
        app.config.update(test_config)
    ctx = app.config.get("CONTEXT") or Context.from_env(app.config["DATABASE_URL"])
    app.extensions["councilflow"] = ctx

    @app.get("/healthz")
    def health() -> Any:
        with ctx.db.transaction(readonly=True) as session:
            session.execute(text("SELECT 1"))
        return jsonify(status="ok", schema=current_revision(ctx.db))

    @app.get("/")
    def home() -> Any:
        from sqlalchemy import select
        with ctx.db.transaction(readonly=True) as session:
            processes = list(session.scalars(select(tables.Process).order_by(tables.Process.key)))
        return render_template_string(_HOME, processes=processes)

    return app
