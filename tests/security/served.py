"""A real ``councilflow serve`` process on 127.0.0.1, for the findings that are about the server itself
(connection limits, start-up checks) rather than about one page."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

COUNCILFLOW = Path(sys.executable).with_name("councilflow")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(database_url: str) -> dict[str, str]:
    env = {**os.environ, "COUNCILFLOW_DATABASE_URL": database_url, "COUNCILFLOW_SECRET_KEY": "security-tests"}
    env.pop("COUNCILFLOW_ADAPTERS", None)
    return env


def wait_until_answering(port: int, deadline_s: float = 60) -> None:
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                response.read()
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def serving(database_url: str, cwd: Path, *options: str) -> Iterator[int]:
    """``councilflow serve`` on a free port of 127.0.0.1 until the block ends; yields the port."""
    port = free_port()
    server = subprocess.Popen([str(COUNCILFLOW), "serve", "--port", str(port), "--no-embedded-worker", *options],
                              env=environment(database_url), cwd=cwd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_answering(port)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
