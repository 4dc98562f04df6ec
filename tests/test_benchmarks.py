"""The benchmarks still run: each at a tiny size, through its command line, on this test's database kind.

These are not timings (a test machine's figures mean nothing); they keep the benchmarks from rotting
silently when the engine, the API or the CLI changes under them. Each benchmark's last line is JSON
that scripts read, so its shape is checked here.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
NEW_BENCHMARKS = ("inbox", "api_completion", "scaleout", "mail_intake", "mi", "lifecycle")
PAGES = ("member_1_team", "member_5_teams", "admin", "team_counts")


def _environment(database_url: str) -> dict[str, str]:
    """PostgreSQL for the benchmark when this test runs on it; never a server named by the caller."""
    env = {k: v for k, v in os.environ.items() if k != "COUNCILFLOW_BENCH_PG_URL"}
    if database_url.startswith("postgresql"):
        env["COUNCILFLOW_BENCH_PG_URL"] = database_url
    return env


def _run(module: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", f"benchmarks.{module}", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def _last_json(module: str, *args: str, env: dict[str, str]) -> dict[str, Any]:
    done = _run(module, *args, "--json-only", env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _is_timing(figures: dict[str, Any], *keys: str) -> None:
    for key in keys:
        assert isinstance(figures[key], (int, float)) and figures[key] > 0, (key, figures)


@pytest.mark.parametrize("module", NEW_BENCHMARKS)
def test_every_benchmark_explains_its_options(module):
    done = _run(module, "--help")

    assert done.returncode == 0, done.stderr
    assert "--json-only" in done.stdout


def test_lifecycle_reports_the_ratio_and_the_floor_no_code_could_pass(database_url):
    result = _last_json("lifecycle", "--seconds", "0.5", "--floor-lifecycles", "3", env=_environment(database_url))

    _is_timing(result, "engine_per_s", "raw_roundtrip_per_s", "raw_memory_per_s", "raw_sqlite_per_s", "runtime_per_s",
               "runtime_live_per_s", "ratio", "ratio_cpu", "statements", "sqlite_ms", "floor_ratio")
    assert result["ratio"] == pytest.approx(result["engine_per_s"] / result["raw_roundtrip_per_s"], abs=0.01)
    # The driver's work is a part of the lifecycles it was counted in (the same pass: the timed rounds are another
    # measurement, which a loaded machine can make faster or slower than these few lifecycles), and the floor's
    # ratio is above the engine's
    _is_timing(result, "sqlite_pass_ms")
    assert result["sqlite_ms"] < result["sqlite_pass_ms"]
    assert result["floor_ratio"] > result["ratio"]
    if database_url.startswith("postgresql"):
        _is_timing(result, "engine_pg_per_s", "pg_driver_ms", "pg_pass_ms")
        assert result["pg_driver_ms"] < result["pg_pass_ms"]
    else:
        assert "engine_pg_per_s" not in result


def test_inbox_times_the_pages_people_use(database_url):
    result = _last_json("inbox", "--tasks", "12500", "--samples", "20", env=_environment(database_url))

    prefixes = [""] + (["pg_"] if database_url.startswith("postgresql") else [])
    for prefix in prefixes:
        pages = result[f"{prefix}pages"]
        assert set(pages) == set(PAGES)
        for figures in pages.values():
            _is_timing(figures, "p50_ms", "p95_ms")
            assert figures["p50_ms"] <= figures["p95_ms"]
        assert result[f"{prefix}p95_ms"] == max(figures["p95_ms"] for figures in pages.values())
        _is_timing(result, f"{prefix}cli_p50_ms", f"{prefix}cli_p95_ms", f"{prefix}page5_p95_ms")
    assert result["tasks"] == 12500


def test_api_completion_reports_the_median_of_real_completions(database_url):
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"

    result = _last_json("api_completion", "--completions", "6", "--warmup", "2", "--database", backend,
                        env=_environment(database_url))

    assert result["count"] == 6 and result["database"] == backend
    assert result["continue"]["count"] == result["finish"]["count"] == 3  # two tasks a case: each kind alike
    _is_timing(result, "median_ms", "p95_ms", "start_median_ms", "server_cpu_ms_per_call")


def test_scaleout_compares_one_server_with_two_on_postgresql(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("scale-out is several servers on one PostgreSQL database")

    result = _last_json("scaleout", "--clients", "2", "--seconds", "1", "--rounds", "1",
                        env=_environment(database_url))

    for servers in ("one", "two"):
        assert result[servers]["errors"] == 0, result[servers]["first_errors"]
        _is_timing(result[servers], "calls", "calls_per_s", "p50_ms", "p95_ms")
    assert result["ratio"] == pytest.approx(result["two"]["calls_per_s"] / result["one"]["calls_per_s"], abs=0.01)


def test_gazetteer_import_times_a_first_import_and_a_re_import(database_url):
    result = _last_json("gazetteer_import", "--rows", "500", env=_environment(database_url))

    prefixes = ["sqlite_"] + (["pg_"] if database_url.startswith("postgresql") else [])
    assert result["rows"] == 500
    for prefix in prefixes:
        assert result[f"{prefix}import_s"] > 0 and result[f"{prefix}reimport_s"] > 0


def test_mail_intake_counts_emails_a_minute_and_takes_each_once_through_kills(database_url):
    from tests.fakes import dovecot
    if not dovecot.available():
        pytest.skip("dovecot is not installed (apt-get install -y dovecot-imapd, as .ci/run does)")
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    result = _last_json("mail_intake", "--messages", "10", "--restart-messages", "10", "--kills", "1",
                        "--database", backend, env=_environment(database_url))
    _is_timing(result, "per_minute")
    assert result["restart"] == {"delivered": 10, "taken": 10, "duplicates": 0, "missing": 0, "kills": 1}


def test_mi_times_a_90_day_dashboard_over_seeded_history(database_url):
    result = _last_json("mi", "--cases", "1000", "--events", "2", "--samples", "4", env=_environment(database_url))

    assert (result["cases"], result["events"]) == (1000, 2000)
    _is_timing(result, "p50_ms", "p95_ms")
    if database_url.startswith("postgresql"):
        _is_timing(result, "pg_p50_ms", "pg_p95_ms")
