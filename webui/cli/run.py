"""``serve`` and ``worker``: the long-running processes."""
from __future__ import annotations

import click

from . import context, main


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--embedded-worker/--no-embedded-worker", default=None,
              help="Run timers and SLA sweeps in this process (default: yes on SQLite, no on PostgreSQL, "
                   "where you run `councilflow worker`).")
@click.option("--threads", default=8, show_default=True, type=int, help="Requests served at once by this process.")
@click.option("--json", "as_json", is_flag=True, hidden=True)
def serve(host: str, port: int, embedded_worker: bool | None, threads: int, as_json: bool) -> None:
    """Run the web app with waitress, a production WSGI server; run several behind a proxy to scale out."""
    from waitress import serve as serve_wsgi
    from engine.worker import Worker
    from webui.app import create_app
    ctx = context()
    if ctx.db.is_sqlite if embedded_worker is None else embedded_worker:
        Worker(ctx).start_embedded()
    app = create_app({"CONTEXT": ctx})
    click.echo(f"councilflow is serving on http://{host}:{port}/")
    serve_wsgi(app, host=host, port=port, threads=threads, ident="councilflow")


@main.command()
@click.option("--once", is_flag=True, help="Run every job once and exit (for cron and tests).")
@click.option("--interval", default=5.0, show_default=True, type=float,
              help="Seconds between looks for due timers and outbox calls.")
@click.option("--json", "as_json", is_flag=True, hidden=True)
def worker(once: bool, interval: float, as_json: bool) -> None:
    """Run the background worker: due timers, SLA sweeps, notifications and adapter calls."""
    from engine.worker import Worker
    w = Worker(context(), interval_s=interval)
    if once:
        done = w.run_once()
        click.echo(f"fired {done.timers} timers, recorded {done.sla_events} SLA warnings/breaches, "
                   f"made {done.calls} adapter calls")
    else:
        w.run_forever()
