"""Gazetteer import: seconds to load N synthetic addresses (eastings/northings, so every row is also
converted to WGS84), then to load the same file again (every row an update), on SQLite and, with
``COUNCILFLOW_BENCH_PG_URL`` set or ``--postgres`` (a throwaway local server), on PostgreSQL.

    python -m benchmarks.gazetteer_import --rows 200000 --postgres
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from engine.places import gazetteer
from engine.context import Context, Settings

from .databases import fresh_postgres, fresh_sqlite, local_postgres, postgres_url

STREETS = ["Mill Lane", "Church Road", "High Street", "Station Road", "Park Avenue", "Victoria Street", "Green Lane"]


def write_csv(path: Path, rows: int, seed: int) -> None:
    """``rows`` addresses, about 20 to a postcode, in the councilflow layout with grid references."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["uprn", "address_1", "address_2", "address_3", "town", "postcode", "easting", "northing"])
        for i in range(rows):
            block = i // 20
            postcode = f"AN{block // 2000 + 1} {block % 10}{'ABDEFGHJLNPQRSTUWXYZ'[block // 10 % 20]}" \
                       f"{'ABDEFGHJLNPQRSTUWXYZ'[block // 200 % 10]}"
            writer.writerow([100000000 + i, f"{i % 20 + 1} {rng.choice(STREETS)}", "", "", "Anytown", postcode,
                             f"{440000 + rng.random() * 20000:.2f}", f"{250000 + rng.random() * 20000:.2f}"])


def run_backend(db: Any, path: Path) -> tuple[float, float]:
    ctx = Context(db, settings=Settings())
    started = time.perf_counter()
    first = gazetteer.import_file(ctx, path)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    again = gazetteer.import_file(ctx, path)
    again_s = time.perf_counter() - started
    assert first.bad_count == 0 and again.new == 0, (first.to_dict()["bad"][:3], again.new)
    return first_s, again_s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="addresses in the file (default 200000)")
    parser.add_argument("--postgres", action="store_true", help="also on a throwaway local PostgreSQL server")
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    out: dict[str, Any] = {"rows": args.rows}
    with tempfile.TemporaryDirectory(prefix="cf-bench-gazetteer-") as folder, ExitStack() as stack:
        path = Path(folder) / "gazetteer.csv"
        write_csv(path, args.rows, args.seed)
        with fresh_sqlite("cf-bench-gazetteer-") as db:
            out["sqlite_import_s"], out["sqlite_reimport_s"] = (round(s, 2) for s in run_backend(db, path))
        pg_url = postgres_url() or (stack.enter_context(local_postgres()) if args.postgres else None)
        if pg_url:
            with fresh_postgres(pg_url) as db:
                out["pg_import_s"], out["pg_reimport_s"] = (round(s, 2) for s in run_backend(db, path))
    if not args.json_only:
        for key, value in out.items():
            print(f"{key:<18} {value}")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
