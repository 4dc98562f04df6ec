"""Case search latency with many cases: p50/p95 of ``engine.casework.casesearch.find_cases`` (first page of 25).

Seeds a fresh SQLite file database (and a PostgreSQL schema of its own when
``COUNCILFLOW_BENCH_PG_URL`` is set) with N cases, one task each in one of 50 teams, and 0.6 N
customers with their search keys and words (most cases belong to a customer; some customers have
several cases), using bulk Core inserts. Then it times what advisors type, in equal measure: a reference in full, a bare case number,
a phone number (typed with spaces), an email, a full postcode, a postcode district, a surname and an
address (house number and street), each as a front-office advisor (every case) and as a back-office
officer in two teams (the visibility rule), after a warm-up.

The last line printed is JSON: ``cases``, ``p50_ms``, ``p95_ms`` (all kinds, SQLite), the p95 of
each kind, and PostgreSQL's figures when it ran.

    .venv/bin/python -m benchmarks.case_search --cases 100000 [--samples 400] [--json-only]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text

from benchmarks.databases import fresh_postgres, fresh_sqlite, postgres_url
from benchmarks.inbox import EPOCH, PROCESS_KEY, SPAN, TEAMS, Timings, _seed_reference, team_name
from engine.casework import casesearch, customers
from engine.people import users
from engine.casework.casesearch import CaseSearch
from engine.context import Context, Settings
from engine.persistence.db import Database
from engine.persistence.tables import Case, Customer, CustomerWord, Task
from engine.types import CaseStatus, Channel, Role, TaskStatus

CHUNK = 50_000
FIRST = ["Pat", "Sam", "Alex", "Jo", "Chris", "Robin", "Morgan", "Kim", "Lee", "Ash", "Charlie", "Dee", "Frankie",
         "Gale", "Harper", "Jamie", "Kai", "Logan", "Max", "Nico"]
LAST = [f"{stem}{suffix}" for stem in ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas",
                                       "Roberts", "Walker", "Wright", "Hughes", "Green", "Hall", "Wood", "Clarke",
                                       "Turner", "Hill", "Cooper", "Ward")
        for suffix in ("", "son", "er", "ley", "ford", "ton", "well", "more", "by", "wick")]  # 200 surnames
STREETS = ["Mill Lane", "High Street", "Station Road", "Church Road", "Park Avenue", "Orchard Way", "Victoria Road",
           "Green Lane", "Manor Road", "Kings Road", "Queens Drive", "School Lane", "The Crescent", "North Street",
           "South View", "Bridge Street", "Elm Grove", "Oak Close", "Meadow Rise", "Castle Hill"]
KINDS = ("reference", "number", "phone", "email", "postcode", "district", "surname", "address")
ADVISOR, OFFICER = "bench.advisor@example.gov.uk", "bench.officer@example.gov.uk"


def _chunks(total: int) -> Iterator[range]:
    for start in range(0, total, CHUNK):
        yield range(start, min(total, start + CHUNK))


def _customer(i: int) -> dict[str, Any]:
    """Customer ``i``'s details, the same every time they are asked for (the queries re-create them)."""
    first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
    phone = f"07{i % 1000:03d} {i // 1000 % 1000:03d}{i % 997:03d}"
    postcode = f"AN{i % 97 + 1} {i % 9}{chr(65 + i % 23)}{chr(65 + i // 23 % 23)}"
    email = f"{first}.{last}{i}@example.com".lower()
    return {"id": i + 1, "name": f"{first} {last}", "email": email, "phone": phone,
            "address": f"{i % 180 + 1} {STREETS[i % len(STREETS)]}, Anytown", "postcode": postcode,
            "created_at": EPOCH, **customers.search_keys(phone, postcode, email)}


def seed(db: Database, count: int, rng: random.Random) -> float:
    started = time.perf_counter()
    people = count * 6 // 10
    with db.engine.begin() as connection:
        _seed_reference(connection)
    for ids in _chunks(people):
        rows = [_customer(i) for i in ids]
        words = [{"word": word, "customer_id": row["id"]} for row in rows
                 for word in sorted(customers.search_words(row["name"], row["address"]))]
        with db.engine.begin() as connection:
            connection.execute(insert(Customer.__table__), rows)
            connection.execute(insert(CustomerWord.__table__), words)
    step = SPAN / count
    for ids in _chunks(count):
        case_rows, task_rows = [], []
        for i in ids:
            at = EPOCH + step * i
            owner = rng.randrange(people) + 1 if rng.random() < 0.85 else None
            case_rows.append({"id": i + 1, "reference": f"CF-{i + 1:06d}", "process_version_id": 1,
                              "process_key": PROCESS_KEY, "status": CaseStatus.OPEN.value,
                              "channel": Channel.PHONE.value, "customer_id": owner, "data": {}, "error": None,
                              "created_by": "benchmark", "created_at": at, "updated_at": at, "completed_at": None,
                              "due_at": at + timedelta(days=10), "lock_version": 1})
            task_rows.append({"id": i + 1, "case_id": i + 1, "spiff_id": f"{i + 1:036d}", "bpmn_id": "record",
                              "name": "Record the problem", "process_key": PROCESS_KEY,
                              "team_id": rng.randint(1, TEAMS), "assignee_id": None, "form": None,
                              "status": TaskStatus.OPEN.value, "created_at": at, "due_at": None,
                              "completed_at": None, "completed_by": None})
        with db.engine.begin() as connection:
            connection.execute(insert(Case.__table__), case_rows)
            connection.execute(insert(Task.__table__), task_rows)
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE" if db.is_sqlite else 'ANALYZE customer, customer_word, "case", task'))
    ctx = Context(db, settings=Settings())
    with ctx.db.transaction() as session:
        users.add_user(session, ADVISOR, "Bench Advisor", [Role.FRONT_OFFICE], EPOCH, [team_name(1)])
        users.add_user(session, OFFICER, "Bench Officer", [Role.BACK_OFFICE], EPOCH, [team_name(2), team_name(3)])
    return time.perf_counter() - started


def typed(kind: str, count: int, rng: random.Random) -> str:
    """What an advisor types for a random case or customer, as they would type it."""
    number = rng.randrange(count) + 1
    person = _customer(rng.randrange(count * 6 // 10))
    return {"reference": f"CF-{number:06d}", "number": str(number), "phone": person["phone"],
            "email": person["email"], "postcode": person["postcode"], "district": person["postcode"].split()[0],
            "surname": person["name"].split()[1], "address": person["address"].split(",")[0]}[kind]


def run_backend(name: str, db: Database, count: int, samples: int, rng_seed: int,
                log: Callable[[str], None]) -> tuple[float, dict[str, Timings]]:
    rng = random.Random(rng_seed)
    log(f"[{name}] seeding {count:,} cases and {count * 6 // 10:,} customers ...")
    seed_s = seed(db, count, rng)
    log(f"[{name}] seeded in {seed_s:.1f} s")
    ctx = Context(db, settings=Settings())
    timings = {kind: Timings(kind) for kind in KINDS}
    warmup = len(KINDS) * 4
    for n in range(warmup + samples):
        kind = KINDS[n % len(KINDS)]
        wanted, viewer = CaseSearch(typed(kind, count, rng)), (ADVISOR, OFFICER)[n // len(KINDS) % 2]
        started = time.perf_counter()
        casesearch.find_cases(ctx, wanted, viewer, 1, 25)
        took = (time.perf_counter() - started) * 1000
        if n >= warmup:
            timings[kind].samples_ms.append(took)
    return seed_s, timings


def _overall(timings: dict[str, Timings]) -> Timings:
    every = Timings("all")
    for t in timings.values():
        every.samples_ms.extend(t.samples_ms)
    return every


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases to seed (default 100000)")
    parser.add_argument("--samples", type=int, default=400, help="timed searches (default 400)")
    parser.add_argument("--seed", type=int, default=20261205, help="random seed")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    if not 1_000 <= args.cases <= 5_000_000:
        parser.error("--cases must be between 1000 and 5000000")

    def log(line: str) -> None:
        if not args.json_only:
            print(line, flush=True)

    results: list[tuple[str, float, dict[str, Timings]]] = []
    with fresh_sqlite("cf-bench-search-") as db:
        results.append(("SQLite", *run_backend("SQLite", db, args.cases, args.samples, args.seed, log)))
    pg_url = postgres_url()
    if pg_url:
        with fresh_postgres(pg_url) as db:
            results.append(("PostgreSQL", *run_backend("PostgreSQL", db, args.cases, args.samples, args.seed, log)))
    log(f"{'backend':<11} {'kind':<10} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    for backend, _, timings in results:
        for kind, t in [*timings.items(), ("all", _overall(timings))]:
            log(f"{backend:<11} {kind:<10} {t.p50:>7.2f} {t.p95:>7.2f} {max(t.samples_ms):>7.2f}")
    _, seed_s, timings = results[0]
    every = _overall(timings)
    out: dict[str, Any] = {"cases": args.cases, "p50_ms": round(every.p50, 2), "p95_ms": round(every.p95, 2),
                           "seed_s": round(seed_s, 1),
                           "p95_by_kind_ms": {k: round(t.p95, 2) for k, t in timings.items()}}
    for _, pg_seed_s, pg in results[1:]:
        pg_every = _overall(pg)
        out.update(pg_p50_ms=round(pg_every.p50, 2), pg_p95_ms=round(pg_every.p95, 2),
                   pg_p95_by_kind_ms={k: round(t.p95, 2) for k, t in pg.items()}, pg_seed_s=round(pg_seed_s, 1))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
