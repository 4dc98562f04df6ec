"""One task completion through the REST API: its median time, with one keep-alive client.

Starts ``councilflow serve`` (waitress, no embedded worker) in a subprocess on 127.0.0.1 on a fresh
database (an SQLite file by default; ``--database postgresql`` uses ``COUNCILFLOW_BENCH_PG_URL`` or
starts a throwaway PostgreSQL server here) with ``benchmarks/data/bench_two_tasks.bpmn`` and its two
forms deployed. One client (``http.client``, one connection kept alive, a bearer token) repeats: start
a case (``POST /api/v1/cases``), complete its first task (the case goes on to the second) and then its
second (the case completes), each ``POST /api/v1/tasks/<id>/complete`` with answers its form accepts.
Only the completions are timed, after a warm-up; each is the whole call as the client sees it: the
request, token check, lock, step, form check, projection, commit and the case as JSON.

The last line printed is JSON: ``median_ms`` (the target is <= 5 ms), ``p95_ms``, ``count``, the same
split into completions that continue the case and those that complete it, ``start_median_ms``, and
``server_cpu_ms_per_call``: the server process's CPU time over the timed calls (starts and completions)
divided by their number, which a busy machine disturbs less than the wall-clock figures; and the
machine's ``load_average`` at the end.

    .venv/bin/python -m benchmarks.api_completion [--completions 400] [--database postgresql] [--json-only]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.concurrency import staff_tokens
from benchmarks.databases import BACKENDS, fresh_database
from benchmarks.lifecycle import engine_context, task_data
from benchmarks.servers import serving

MAP = Path(__file__).resolve().parent / "data" / "bench_two_tasks.bpmn"
PROCESS_KEY = "bench_two_tasks"
TARGET_MEDIAN_MS = 5.0


class KeepAlive:
    """One HTTP/1.1 connection to the server, kept open across calls, signed in by a token."""

    def __init__(self, base: str, token: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(self, path: str, body: Any) -> tuple[float, Any]:
        """Seconds the call took, and the JSON answer; a non-2xx answer stops the benchmark."""
        started = time.perf_counter()
        self.connection.request("POST", path, json.dumps(body), self.headers)
        answer = self.connection.getresponse()
        text = answer.read()
        took = time.perf_counter() - started
        if not 200 <= answer.status < 300:
            raise SystemExit(f"POST {path} answered {answer.status}: {text[:300]!r}")
        return took, json.loads(text)

    def close(self) -> None:
        self.connection.close()


def _ms(times: list[float]) -> dict[str, Any]:
    ordered = sorted(times)
    return {"count": len(ordered), "median_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2)}


def complete_cases(client: KeepAlive, completions: int, warmup: int) -> dict[str, list[float]]:
    """Start cases and complete both their tasks until ``completions`` were timed after ``warmup``."""
    timed: dict[str, list[float]] = {"continue": [], "finish": [], "start": []}
    done = 0
    while done < warmup or len(timed["continue"]) + len(timed["finish"]) < completions:
        took, case = client.post("/api/v1/cases", {"process": PROCESS_KEY})
        if done >= warmup:
            timed["start"].append(took)
        while case["status"] == "open" and case["tasks"]:
            task = case["tasks"][0]
            took, case = client.post(f"/api/v1/tasks/{task['id']}/complete",
                                     {"data": task_data(task["bpmn_id"], done)})
            if done >= warmup:
                timed["finish" if case["status"] == "completed" else "continue"].append(took)
            done += 1
        if case["status"] != "completed":
            raise SystemExit(f"case {case['reference']} is {case['status']}, not completed: {case.get('error')}")
    return timed


def run(backend: str, completions: int, warmup: int) -> dict[str, Any]:
    with fresh_database(backend, "cf-bench-api-") as db:
        [token] = staff_tokens(engine_context(db, MAP), 1)
        db.dispose()  # the server is the only one using the database from here on
        with serving(db.url) as server:
            client = KeepAlive(server.base, token)
            try:
                complete_cases(client, 0, warmup)
                cpu = server.cpu_seconds()
                timed = complete_cases(client, completions, 0)
                cpu = server.cpu_seconds() - cpu
            finally:
                client.close()
    every = timed["continue"] + timed["finish"]
    calls = len(every) + len(timed["start"])
    return {**_ms(every), "database": backend, "continue": _ms(timed["continue"]),
            "finish": _ms(timed["finish"]), "start_median_ms": _ms(timed["start"])["median_ms"],
            "server_cpu_ms_per_call": round(1000 * cpu / calls, 2), "target_median_ms": TARGET_MEDIAN_MS,
            "load_average": round(os.getloadavg()[0], 1)}  # other work on the machine stretches every figure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--completions", type=int, default=400, help="timed completions (default 400)")
    parser.add_argument("--warmup", type=int, default=20, help="completions before timing starts (default 20)")
    parser.add_argument("--database", choices=BACKENDS, default="sqlite", help="default sqlite")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    if not 2 <= args.completions <= 100_000 or not 0 <= args.warmup <= 10_000:
        parser.error("--completions must be between 2 and 100000, --warmup between 0 and 10000")
    result = run(args.database, args.completions, args.warmup)
    if not args.json_only:
        verdict = "met" if result["median_ms"] <= TARGET_MEDIAN_MS else "MISSED"
        print(f"{result['count']} completions through the API on {args.database}: median {result['median_ms']} ms, "
              f"p95 {result['p95_ms']} ms (target median <= {TARGET_MEDIAN_MS:g} ms: {verdict})")
        for kind, label in (("continue", "case goes on"), ("finish", "case completes")):
            found = result[kind]
            print(f"  {label:<15} {found['count']:>6} median {found['median_ms']} ms, p95 {found['p95_ms']} ms")
        print(f"  (starting a case: median {result['start_median_ms']} ms, not counted; server CPU "
              f"{result['server_cpu_ms_per_call']} ms per call, starts and completions alike)")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
