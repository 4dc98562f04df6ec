"""The API's latency tail on SQLite with several clients at once.

Starts ``councilflow serve`` (waitress, 8 threads, no embedded worker) in a subprocess on 127.0.0.1
on a fresh SQLite file with the benchmark street-report map and its forms deployed, then drives
``--clients`` keep-alive API clients (one user and token each) for ``--seconds``. Each client
repeats: list its inbox (``GET /api/v1/tasks``), then complete its case's next task
(``POST /api/v1/tasks/<id>/complete``), starting a new case (``POST /api/v1/cases``) when the last
one finished. So half the calls read and half write, and every call is signed in by a token.

The server runs in its own process so that the clients' threads do not share its interpreter lock.
The last line printed is JSON: ``p50_ms``, ``p95_ms``, ``worst_ms`` over all calls, ``calls_per_s``,
``errors`` (answers other than 2xx), and the same figures per kind of call under ``"by_kind"``.

    .venv/bin/python -m benchmarks.concurrency [--seconds 15] [--clients 8] [--json-only]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from benchmarks.databases import fresh_sqlite
from benchmarks.lifecycle import MAP, PROCESS_KEY, engine_context, task_data
from benchmarks.servers import serving
from engine.people import routing, tokens, users
from engine.context import Context
from engine.types import Role

@dataclass
class Client:
    """One person's keep-alive connection: their inbox, then their case's next task."""

    base: str
    token: str
    n: int
    until: float
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)

    def call(self, http: requests.Session, kind: str, method: str, path: str, body: Any = None) -> Any:
        started = time.perf_counter()
        answer = http.request(method, self.base + path, json=body, timeout=60)
        self.timings[kind].append(time.perf_counter() - started)
        if not answer.ok:
            self.errors.append(f"{kind} {answer.status_code} {answer.text[:200]}")
            return None
        return answer.json()

    def run(self) -> None:
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {self.token}"
            task: dict[str, Any] | None = None
            while time.monotonic() < self.until:
                self.call(http, "list", "GET", "/api/v1/tasks?page_size=20")
                if task is None:
                    case = self.call(http, "start", "POST", "/api/v1/cases", {"process": PROCESS_KEY})
                else:
                    self.n += 1
                    case = self.call(http, "complete", "POST", f"/api/v1/tasks/{task['id']}/complete",
                                     {"data": task_data(task["bpmn_id"], self.n)})
                task = case["tasks"][0] if case and case.get("status") == "open" and case["tasks"] else None


def drive(workers: list[Client]) -> float:
    """Run every client in a thread of its own until its deadline; returns the seconds it took."""
    threads = [threading.Thread(target=w.run) for w in workers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def figures(times: list[float], seconds: float) -> dict[str, Any]:
    ordered = sorted(times)
    return {"calls": len(ordered), "calls_per_s": round(len(ordered) / seconds, 1),
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
            "worst_ms": round(ordered[-1] * 1000, 1)}


def summary(workers: list[Client], elapsed: float) -> dict[str, Any]:
    """Figures over every call of every client, and per kind of call; the first errors' text."""
    by_kind: dict[str, list[float]] = defaultdict(list)
    for w in workers:
        for kind, times in w.timings.items():
            by_kind[kind] += times
    every = [t for times in by_kind.values() for t in times]
    errors = [e for w in workers for e in w.errors]
    return {**figures(every, elapsed), "seconds": round(elapsed, 1), "errors": len(errors),
            "first_errors": errors[:3], "by_kind": {k: figures(v, elapsed) for k, v in sorted(by_kind.items())}}


def staff_tokens(ctx: Context, count: int) -> list[str]:
    """``count`` people in every team (front and back office), with an API token each."""
    with ctx.db.transaction() as session:
        teams = [t.name for t in routing.list_teams(session)]
        secrets = []
        for n in range(count):
            email = f"client{n}@example.gov.uk"
            users.add_user(session, email, f"Client {n}", [Role.FRONT_OFFICE, Role.BACK_OFFICE],
                           ctx.clock.now(), teams)
            secrets.append(tokens.create_token(session, email, ctx.clock.now(), "benchmark"))
    return secrets


def run(seconds: float, clients: int) -> dict[str, Any]:
    with fresh_sqlite("cf-bench-concurrency-") as db:
        secrets = staff_tokens(engine_context(db), clients)  # the map and its forms deployed
        with serving(db.url) as server:
            until = time.monotonic() + seconds
            workers = [Client(server.base, token, n * 1000, until) for n, token in enumerate(secrets)]
            elapsed = drive(workers)
    return {**summary(workers, elapsed), "clients": clients, "map": MAP.name}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--json-only", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.seconds, args.clients)
    if not args.json_only:
        print(f"{result['clients']} clients, {result['calls']} calls in {result['seconds']} s: "
              f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, worst {result['worst_ms']} ms, "
              f"{result['calls_per_s']} calls/s, {result['errors']} errors")
        for kind, found in result["by_kind"].items():
            print(f"  {kind:<9} p50 {found['p50_ms']} ms, p95 {found['p95_ms']} ms, worst {found['worst_ms']} ms")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
