"""``serve`` and ``worker``: the long-running processes."""
from __future__ import annotations

import click

from . import context, main


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, hidden=True)
def serve(host: str, port: int, as_json: bool) -> None:
    """Run the web app (waitress-free development server suitable for one machine)."""
    from webui.app import create_app
    app = create_app({"CONTEXT": context()})
    click.echo(f"councilflow is serving on http://{host}:{port}/")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@main.command()
@click.option("--once", is_flag=True, help="Run every job once and exit (for cron and tests).")
@click.option("--json", "as_json", is_flag=True, hidden=True)
def worker(once: bool, as_json: bool) -> None:
    """Run the background worker: due timers (and, later, the outbox and SLA sweeps)."""
    from engine.worker import Worker
    w = Worker(context())
    if once:
        click.echo(f"fired {w.run_once()} timers")
    else:
        w.run_forever()
