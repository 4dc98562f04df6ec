"""Real ``councilflow serve`` processes for the API benchmarks, on 127.0.0.1 only.

Each server runs in a subprocess (waitress, no embedded worker) so that the benchmark's client
threads do not share its interpreter lock, and it is stopped when the ``with`` block ends, even when
the benchmark fails. Several servers may share one database: that is how councilflow scales out.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60
THREADS = 8


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(url: str, port: int, threads: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COUNCILFLOW_DATABASE_URL": url, "COUNCILFLOW_SECRET_KEY": "benchmark-only"}
    command = [sys.executable, "-c", "from webui.cli import main; main()", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--threads", str(threads), "--no-embedded-worker"]
    # The server logs a line per request: to a file, since a pipe nobody reads fills up and stops the server.
    log = tempfile.TemporaryFile()
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped with exit code {server.returncode} (its log went to a temporary file)")
        try:
            if requests.get(f"{base}/api/v1/openapi.json", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:<port>
    pid: int

    def cpu_seconds(self) -> float:
        """The server process's CPU time so far (user + system): steadier than wall time on a busy
        machine, since it leaves out the time the server waited for a core."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def serving(url: str, threads: int = THREADS) -> Iterator[Server]:
    """One ``councilflow serve`` on the (migrated) database at ``url``."""
    port = free_port()
    server = _start(url, port, threads)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base, server)
        yield Server(base, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def serving_many(url: str, count: int, threads: int = THREADS) -> Iterator[list[Server]]:
    """``count`` servers on one database, started together."""
    with ExitStack() as stack:
        yield [stack.enter_context(serving(url, threads)) for _ in range(count)]
