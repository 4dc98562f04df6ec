"""`councilflow serve` runs the app in a production WSGI server (waitress): started as a real process
on 127.0.0.1, it answers the health check and the sign-in page, and stops cleanly."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

COUNCILFLOW = Path(sys.executable).with_name("councilflow")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, deadline: float) -> tuple[int, dict, str]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, dict(response.headers), response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_answers_over_http_from_waitress(database_url, tmp_path):
    env = {**os.environ, "COUNCILFLOW_DATABASE_URL": database_url, "COUNCILFLOW_SECRET_KEY": "serve-test"}
    env.pop("COUNCILFLOW_ADAPTERS", None)
    assert subprocess.run([str(COUNCILFLOW), "init"], env=env, capture_output=True).returncode == 0
    port = _free_port()
    server = subprocess.Popen([str(COUNCILFLOW), "serve", "--port", str(port), "--no-embedded-worker"], env=env,
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        status, headers, body = _get(f"http://127.0.0.1:{port}/healthz", time.monotonic() + 60)
        assert status == 200 and '"status":"ok"' in body.replace(" ", "")
        assert headers.get("Server") == "councilflow"  # waitress, not the development server
        status, _, page = _get(f"http://127.0.0.1:{port}/sign-in", time.monotonic() + 10)
        assert status == 200 and "Email address" in page
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert "WARNING: This is a development server" not in output
