"""``serve`` and ``worker``: the long-running processes."""
from __future__ import annotations

import resource

import click

from engine.context import Context
from engine.errors import EngineError
from engine.settings import ServeLimits

from .. import logs
from . import Output, context, main

# The defaults of the options below are the settings' (engine.settings.ServeLimits, COUNCILFLOW_CONNECTION_LIMIT
# and friends). waitress keeps idle keep-alive connections in its event loop, not on a thread each, so
# admitting many costs a file descriptor apiece; its default of 100 left browsers beyond the 100th
# unanswered until an idle connection timed out (two minutes), hence 1000. Documented in docs/operators.md.
DEFAULTS = ServeLimits()
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


def _context_or_exit() -> Context:
    """The context of a long-running process, or one line saying why it cannot start: exit code 2 when the
    person starting it can fix it (settings, ``councilflow init``), 1 when the database cannot be opened."""
    try:
        return context()
    except EngineError as err:
        Output(as_json=False).fail(err)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--embedded-worker/--no-embedded-worker", default=None,
              help="Run timers and SLA sweeps in this process (default: yes on SQLite, no on PostgreSQL, "
                   "where you run `councilflow worker`).")
@click.option("--threads", type=click.IntRange(1), help="Requests served at once by this process "
              f"(default: COUNCILFLOW_SERVE_THREADS, else {DEFAULTS.threads}).")
@click.option("--connection-limit", type=click.IntRange(1),
              help="Connections held open at once, most of them idle keep-alive (they need no thread; "
                   f"default: COUNCILFLOW_CONNECTION_LIMIT, else {DEFAULTS.connection_limit}).")
@click.option("--channel-timeout", type=click.IntRange(1), help="Seconds an idle connection is kept open "
              f"(default: COUNCILFLOW_CHANNEL_TIMEOUT_S, else {DEFAULTS.channel_timeout_s}).")
@click.option("--cleanup-interval", type=click.IntRange(1), help="Seconds between looks for idle connections "
              f"to close (default: COUNCILFLOW_CLEANUP_INTERVAL_S, else {DEFAULTS.cleanup_interval_s}).")
@click.option("--backlog", type=click.IntRange(1), help="Connections the operating system queues before they "
              f"are accepted (default: COUNCILFLOW_BACKLOG, else {DEFAULTS.backlog}).")
@click.option("--json", "as_json", is_flag=True, hidden=True)
def serve(host: str, port: int, embedded_worker: bool | None, threads: int | None, connection_limit: int | None,
          channel_timeout: int | None, cleanup_interval: int | None, backlog: int | None, as_json: bool) -> None:
    """Run the web app with waitress, a production WSGI server; run several behind a proxy to scale out."""
    from waitress import serve as serve_wsgi
    from engine.background import Worker
    from webui.app import create_app
    ctx = _context_or_exit()  # never say "serving" on a database that cannot be opened or is not migrated
    logs.configure(ctx.settings)
    limits = ctx.settings.serve
    connection_limit = connection_limit or limits.connection_limit
    _allow_open_files(connection_limit)
    try:
        app = create_app({"CONTEXT": ctx})  # refuses a production start without a secret key
    except EngineError as err:
        Output(as_json=False).fail(err)
    if ctx.db.is_sqlite if embedded_worker is None else embedded_worker:
        Worker(ctx).start_embedded()
    click.echo(f"councilflow is serving on http://{host}:{port}/")
    # poll() rather than select(): select cannot watch descriptors numbered above 1023.
    serve_wsgi(app, host=host, port=port, threads=threads or limits.threads, ident="councilflow",
               connection_limit=connection_limit, channel_timeout=channel_timeout or limits.channel_timeout_s,
               cleanup_interval=cleanup_interval or limits.cleanup_interval_s, backlog=backlog or limits.backlog,
               asyncore_use_poll=True)


@main.command()
@click.option("--once", is_flag=True, help="Run every job once and exit (for cron and tests).")
@click.option("--interval", default=5.0, show_default=True, type=float,
              help="Seconds between looks for due timers and outbox calls.")
@click.option("--json", "as_json", is_flag=True, hidden=True)
def worker(once: bool, interval: float, as_json: bool) -> None:
    """Run the background worker: due timers, SLA sweeps, notifications, adapter calls and mailboxes."""
    from engine.background import Worker
    ctx = _context_or_exit()
    logs.configure(ctx.settings)
    w = Worker(ctx, interval_s=interval)
    if once:
        done = w.run_once()
        click.echo(f"fired {done.timers} timers, recorded {done.sla_events} SLA warnings/breaches, "
                   f"made {done.calls} adapter calls, took {done.emails} emails from the mailboxes")
    else:
        w.run_forever()
