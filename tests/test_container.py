"""The container files stay valid: compose.yaml has what docs/operators.md promises (PostgreSQL, a one-off
migration before anything else starts, two web processes and a worker on the same database, no secret
written into it) and the Dockerfile builds a slim, non-root image around the wheel with a health check.
With a container tool whose daemon answers, the image is built too; otherwise that part is skipped."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_runs_migrations_once_then_two_web_processes_and_a_worker():
    services = _compose()["services"]
    assert {"db", "migrate", "serve", "worker"} <= set(services)
    assert services["db"]["image"].startswith("postgres:") and services["db"]["healthcheck"]["test"]
    migrate, serve, worker = services["migrate"], services["serve"], services["worker"]
    assert migrate["command"] == ["councilflow", "init"] and migrate["restart"] == "no"
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert serve["command"][:2] == ["councilflow", "serve"] and serve["deploy"]["replicas"] == 2
    assert worker["command"] == ["councilflow", "worker"]
    for service in (serve, worker):
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    urls = {s["environment"]["COUNCILFLOW_DATABASE_URL"] for s in (migrate, serve, worker)}
    assert len(urls) == 1 and urls.pop().startswith("postgresql+psycopg://")
    for name in ("COUNCILFLOW_SECRET_KEY", "COUNCILFLOW_METRICS_TOKEN"):  # required from the environment
        assert re.fullmatch(r"\$\{%s:\?.+\}" % name, serve["environment"][name]), name
    assert re.search(r"\$\{POSTGRES_PASSWORD:\?", services["db"]["environment"]["POSTGRES_PASSWORD"])


def test_dockerfile_is_slim_non_root_with_the_wheel_and_a_health_check():
    text = (ROOT / "Dockerfile").read_text()
    final = text.rsplit("\nFROM ", 1)[1]
    assert final.startswith("python:3.11-slim")
    assert re.search(r"^USER councilflow$", final, re.M) and "useradd --system" in final
    assert "HEALTHCHECK" in final and "/healthz" in final and "/opt/wheels" in final
    assert "--require-hashes -r /tmp/requirements.lock" in text and "pip wheel --no-deps" in text


def _container_tool() -> str | None:
    for tool in ("docker", "podman"):
        if shutil.which(tool) and subprocess.run([tool, "info"], capture_output=True).returncode == 0:
            return tool
    return None


@pytest.mark.packaging
def test_the_image_builds_when_a_container_tool_is_available():
    tool = _container_tool()
    if tool is None:
        pytest.skip("no docker or podman daemon on this machine: the image was not built "
                    "(compose.yaml and the Dockerfile were still checked)")
    if subprocess.run([tool, "compose", "version"], capture_output=True).returncode == 0:
        env = {"POSTGRES_PASSWORD": "x", "COUNCILFLOW_SECRET_KEY": "x", "COUNCILFLOW_METRICS_TOKEN": "x"}
        subprocess.run([tool, "compose", "-f", str(ROOT / "compose.yaml"), "config", "--quiet"], check=True,
                       env={**os.environ, **env})
    subprocess.run([tool, "build", "--tag", "councilflow:test", str(ROOT)], check=True, timeout=1800)
    user = subprocess.run([tool, "run", "--rm", "councilflow:test", "id", "-u"], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert user != "0"
