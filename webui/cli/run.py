"""``serve`` and ``worker``: the long-running processes."""
from __future__ import annotations

import resource
import sys

import click

from engine.persistence.db import DatabaseUnavailable
from engine.persistence.schema import require_current

from . import context, main

# waitress keeps idle keep-alive connections in its event loop, not on a thread each, so admitting
# many costs a file descriptor apiece; its default of 100 left browsers beyond the 100th unanswered
# until an idle connection timed out (two minutes). Documented in docs/operators.md.
CONNECTION_LIMIT = 1000
CHANNEL_TIMEOUT_S = 60   # an idle keep-alive connection is closed after this long
CLEANUP_INTERVAL_S = 10  # how often idle connections are looked for
BACKLOG = 1024           # connections the kernel queues before waitress accepts them
SPARE_FILES = 256        # descriptors beyond the connections: database, logs, templates, uploads


def _allow_open_files(connections: int) -> None:
    """Raise this process's soft limit on open files so the connection limit can be reached."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < wanted:
        ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))
        if ceiling < wanted:
            click.echo(f"Warning: only {ceiling} open files are allowed (ulimit -n), so fewer than "
                       f"{connections} connections can be served at once", err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--embedded-worker/--no-embedded-worker", default=None,
              help="Run timers and SLA sweeps in this process (default: yes on SQLite, no on PostgreSQL, "
                   "where you run `councilflow worker`).")
@click.option("--threads", default=8, show_default=True, type=int, help="Requests served at once by this process.")
@click.option("--connection-limit", default=CONNECTION_LIMIT, show_default=True, type=click.IntRange(1),
              help="Connections held open at once, most of them idle keep-alive (they need no thread).")
@click.option("--channel-timeout", default=CHANNEL_TIMEOUT_S, show_default=True, type=click.IntRange(1),
              help="Seconds an idle connection is kept open.")
@click.option("--cleanup-interval", default=CLEANUP_INTERVAL_S, show_default=True, type=click.IntRange(1),
              help="Seconds between looks for idle connections to close.")
@click.option("--backlog", default=BACKLOG, show_default=True, type=click.IntRange(1),
              help="Connections the operating system queues before they are accepted.")
@click.option("--json", "as_json", is_flag=True, hidden=True)
def serve(host: str, port: int, embedded_worker: bool | None, threads: int, connection_limit: int,
          channel_timeout: int, cleanup_interval: int, backlog: int, as_json: bool) -> None:
    """Run the web app with waitress, a production WSGI server; run several behind a proxy to scale out."""
    from waitress import serve as serve_wsgi
    from engine.worker import Worker
    from webui.app import create_app
    ctx = context()
    try:
        # Never say "serving" on a database that cannot be opened or is not migrated: fail now, clearly.
        require_current(ctx.db)
    except DatabaseUnavailable as err:
        click.echo(f"Error: {err.message}", err=True)
        sys.exit(1)
    _allow_open_files(connection_limit)
    if ctx.db.is_sqlite if embedded_worker is None else embedded_worker:
        Worker(ctx).start_embedded()
    app = create_app({"CONTEXT": ctx})
    click.echo(f"councilflow is serving on http://{host}:{port}/")
    # poll() rather than select(): select cannot watch descriptors numbered above 1023.
    serve_wsgi(app, host=host, port=port, threads=threads, ident="councilflow", connection_limit=connection_limit,
               channel_timeout=channel_timeout, cleanup_interval=cleanup_interval, backlog=backlog,
               asyncore_use_poll=True)


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
