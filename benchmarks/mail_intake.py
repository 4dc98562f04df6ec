"""Mail intake from a real IMAP server (dovecot, over TLS): how many emails a minute one worker takes
and triages, and whether each is taken exactly once when two worker processes read the mailbox while
one is killed (SIGKILL) and restarted again and again.

Starts dovecot on 127.0.0.1 as the tests do (``tests/fakes/dovecot.py``; Debian's dovecot-imapd) and
a fresh database (SQLite by default; ``--database postgresql`` uses ``COUNCILFLOW_BENCH_PG_URL`` or a
throwaway server). Throughput: ``--messages`` emails (every fifth with a 40 KB PDF) are delivered
first, then one poll is timed: reading over IMAP, parsing and sanitising, the rows and cursor, and
triage (customer and reference matching). Exactly once: ``--restart-messages`` emails are delivered
in bursts while two ``--worker`` processes poll every 0.2 s, one of them killed ``--kills`` times at
random moments and started again; at the end every email must be in the database once.

The last line printed is JSON: ``messages``, ``seconds``, ``per_minute``, and ``restart`` with
``delivered``, ``taken``, ``duplicates``, ``missing`` and ``kills``.

    .venv/bin/python -m benchmarks.mail_intake [--messages 500] [--database postgresql] [--json-only]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from benchmarks.databases import BACKENDS, fresh_database
from engine.email import mail_intake, mailboxes
from engine.context import Context
from engine.persistence.db import Database
from engine.persistence.tables import Email
from engine.people.routing import ensure_team
from tests.fakes import dovecot as imap

PDF = b"%PDF-1.4\n" + b"0" * 40_000 + b"\n%%EOF\n"
SECRET_ENV = "COUNCILFLOW_MAIL_BENCH_PASSWORD"


def message(i: int) -> bytes:
    from email.message import EmailMessage
    msg = EmailMessage()
    msg["From"], msg["To"] = f"Resident {i} <resident{i % 97}@example.org>", "hub@council.test"
    msg["Subject"], msg["Message-ID"] = f"Enquiry {i}", f"<bench-{i}-{os.getpid()}@example.org>"
    msg.set_content(f"Dear council,\n\nThis is enquiry number {i}. " + "Some words about the street. " * 40)
    msg.add_alternative(f"<p>This is <b>enquiry</b> number {i}.</p>" + "<p>Some words.</p>" * 40, subtype="html")
    if i % 5 == 0:
        msg.add_attachment(PDF, maintype="application", subtype="pdf", filename=f"photo-{i}.pdf")
    return msg.as_bytes()


def worker(url: str, stop_file: str) -> None:
    """A worker process: polls the mailboxes until ``stop_file`` exists."""
    ctx = Context(Database(url))
    while not os.path.exists(stop_file):
        mail_intake.poll_mailboxes(ctx)
        time.sleep(0.2)


def _count(ctx: Context) -> tuple[int, int]:
    with ctx.db.transaction(readonly=True) as session:
        rows = session.scalar(select(func.count()).select_from(Email)) or 0
        distinct = session.scalar(select(func.count(func.distinct(Email.message_id)))) or 0
        return rows, distinct


def _spawn(url: str, stop_file: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "benchmarks.mail_intake", "--worker", url, "--stop-file",
                             stop_file], cwd=Path(__file__).resolve().parent.parent)


def restart_run(ctx: Context, url: str, server: imap.Dovecot, count: int, kills: int, offset: int) -> dict[str, int]:
    """Deliver ``count`` more emails while two worker processes poll, one killed ``kills`` times."""
    rows_before, distinct_before = _count(ctx)
    stop_file = tempfile.mktemp(prefix="cf-mail-stop-")
    steady, victim = _spawn(url, stop_file), _spawn(url, stop_file)

    def deliver() -> None:
        for i in range(count):
            server.deliver(message(offset + i))
            if i % 20 == 19:
                time.sleep(0.3)
    sender = threading.Thread(target=deliver)
    sender.start()
    done_kills = 0
    while sender.is_alive() or done_kills < kills:
        time.sleep(random.uniform(0.2, 1.0))
        if done_kills < kills:
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            done_kills += 1
            victim = _spawn(url, stop_file)
    sender.join()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _count(ctx)[0] - rows_before < count:
        time.sleep(0.5)
    time.sleep(2)  # a late duplicate would show up here
    Path(stop_file).touch()
    for p in (steady, victim):
        p.wait(30)
    rows, distinct = _count(ctx)
    Path(stop_file).unlink(missing_ok=True)
    taken, unique = rows - rows_before, distinct - distinct_before
    return {"delivered": count, "taken": taken, "duplicates": taken - unique, "missing": count - unique,
            "kills": done_kills}


def run(messages: int, restart_messages: int, kills: int, backend: str) -> dict[str, object]:
    server = imap.Dovecot().start()
    os.environ["SSL_CERT_FILE"], os.environ[SECRET_ENV] = str(server.cert), imap.PASSWORD
    try:
        with fresh_database(backend, "cf-mail-bench-") as db:
            ctx = Context(db)
            with db.transaction() as session:
                ensure_team(session, "Customer Hub", ctx.clock.now())
            mailboxes.add_mailbox(ctx, mailboxes.MailboxDetails("hub", "hub@council.test", "Customer Hub", "127.0.0.1",
                                                                server.users[0], SECRET_ENV, port=server.port))
            for i in range(messages):
                server.deliver(message(i))
            started = time.perf_counter()
            taken = mail_intake.poll_mailboxes(ctx)
            seconds = time.perf_counter() - started
            assert taken == messages, (taken, messages)
            url = db.engine.url.render_as_string(hide_password=False)
            restart = restart_run(ctx, url, server, restart_messages, kills, messages)
            return {"database": backend, "messages": messages, "seconds": round(seconds, 2),
                    "per_minute": round(messages / seconds * 60), "restart": restart}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--restart-messages", type=int, default=200)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--database", choices=BACKENDS, default="sqlite")
    parser.add_argument("--json-only", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--stop-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.stop_file)
        return
    figures = run(args.messages, args.restart_messages, args.kills, args.database)
    if not args.json_only:
        r = figures["restart"]
        print(f"{figures['messages']} emails taken and triaged in {figures['seconds']} s: "
              f"{figures['per_minute']} a minute ({args.database})")
        print(f"two workers, one killed {r['kills']} times: {r['delivered']} delivered, {r['taken']} taken, "  # type: ignore[index]
              f"{r['duplicates']} duplicates, {r['missing']} missing")  # type: ignore[index]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
