"""Scale-out: API throughput of one ``councilflow serve`` process, then two, on one PostgreSQL database.

Scaling out is more ``serve`` processes on one PostgreSQL (``docs/architecture.md``), so this asks
how much a second process adds. It takes ``COUNCILFLOW_BENCH_PG_URL``, or starts a throwaway
PostgreSQL server on 127.0.0.1 (``tests/pgserver.py``), makes a schema of its own with the benchmark
street-report map and its forms deployed, and starts two servers on it (waitress, 8 threads each, no
embedded worker). Then ``--clients`` keep-alive API clients put the load of ``benchmarks/concurrency.py``
on them (list the inbox, start a case, complete its tasks one by one) for ``--seconds``: first all on
one server, then spread evenly over both; ``--rounds`` repeats the pair so that other work on the
machine weighs on both alike. Both servers run throughout; in the first phase the second one idles.

The last line printed is JSON: ``one`` and ``two`` (``calls_per_s``, ``p50_ms``, ``p95_ms``, ``calls``,
``errors``), ``ratio`` (two servers' calls per second over one's), ``calls_per_s_by_round`` and the
machine's ``load_average`` at the end: a second process only adds throughput while a core is free.

    .venv/bin/python -m benchmarks.scaleout [--clients 8] [--seconds 10] [--rounds 2] [--json-only]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.concurrency import Client, drive, staff_tokens, summary
from benchmarks.databases import fresh_postgres, local_postgres
from benchmarks.lifecycle import engine_context
from benchmarks.servers import serving_many

SERVERS = 2


def phase(bases: list[str], secrets: list[str], seconds: float, first_n: int) -> tuple[list[Client], float]:
    """Every client for ``seconds``, client i on server i mod len(bases); the clients and the time taken."""
    until = time.monotonic() + seconds
    workers = [Client(bases[i % len(bases)], token, first_n + i * 1000, until) for i, token in enumerate(secrets)]
    return workers, drive(workers)


def run(clients: int, seconds: float, rounds: int) -> dict[str, Any]:
    done: dict[str, tuple[list[Client], float]] = {"one": ([], 0.0), "two": ([], 0.0)}
    per_round: list[dict[str, float]] = []
    with local_postgres() as url, fresh_postgres(url) as db:
        secrets = staff_tokens(engine_context(db), clients)
        db.dispose()  # only the servers use the database from here on
        with serving_many(db.url, SERVERS) as servers:
            bases = [server.base for server in servers]
            for index in range(rounds):
                per_round.append({})
                for name, used in (("one", bases[:1]), ("two", bases)):
                    workers, took = phase(used, secrets, seconds, first_n=index * 1_000_000)
                    done[name] = (done[name][0] + workers, done[name][1] + took)
                    per_round[-1][name] = round(sum(len(t) for w in workers for t in w.timings.values()) / took, 1)
    found = {name: summary(workers, took) for name, (workers, took) in done.items()}
    figures = {name: {k: found[name][k] for k in ("calls_per_s", "p50_ms", "p95_ms", "calls", "errors",
                                                   "first_errors", "seconds")} for name in found}
    ratio = figures["two"]["calls_per_s"] / figures["one"]["calls_per_s"] if figures["one"]["calls_per_s"] else 0.0
    # A second process only helps while a core is free for it: with other work on the machine the
    # two servers share what the one had, so the load average is part of the result.
    return {**figures, "ratio": round(ratio, 2), "clients": clients, "rounds": rounds,
            "calls_per_s_by_round": per_round, "load_average": round(os.getloadavg()[0], 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="keep-alive API clients (default 8)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per phase and round (default 10)")
    parser.add_argument("--rounds", type=int, default=2, help="one-server/two-server pairs (default 2)")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    if not 2 <= args.clients <= 64 or not 0.5 <= args.seconds <= 600 or not 1 <= args.rounds <= 20:
        parser.error("--clients must be 2-64, --seconds 0.5-600, --rounds 1-20")
    result = run(args.clients, args.seconds, args.rounds)
    if not args.json_only:
        for name, label in (("one", "one server"), ("two", "two servers")):
            found = result[name]
            print(f"{label:<12} {found['calls']:>7} calls in {found['seconds']:>6} s: {found['calls_per_s']:>7} calls/s, "
                  f"p50 {found['p50_ms']} ms, p95 {found['p95_ms']} ms, {found['errors']} errors")
        by_round = ", ".join(f"{r['one']} -> {r['two']}" for r in result["calls_per_s_by_round"])
        print(f"two servers / one = {result['ratio']}x ({args.clients} clients, PostgreSQL; calls/s by round: {by_round}; "
              f"load average {result['load_average']})")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
