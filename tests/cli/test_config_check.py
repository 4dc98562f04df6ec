"""`councilflow config check` shows the settings a process would run with (secrets masked) and every
problem at once; a production `serve` without a secret key refuses to start and says how to make one."""
from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from engine.settings import Settings
from engine.ops.settings_report import effective
from webui.cli import main

OPERATORS = Path(__file__).resolve().parents[2] / "docs" / "operators.md"


class _Recording(dict):
    """An environment that notes each variable asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)


def test_every_setting_is_reported_and_documented_in_one_table():
    env = _Recording()
    Settings.read(env)
    documented = set(re.findall(r"`(COUNCILFLOW_[A-Z0-9_]+)`", OPERATORS.read_text()))
    assert env.asked == set(effective(Settings())) and env.asked <= documented, (
        env.asked ^ set(effective(Settings())), env.asked - documented)


def test_config_check_masks_secrets_and_lists_every_problem(cli, monkeypatch):
    monkeypatch.setenv("COUNCILFLOW_OIDC_CLIENT_SECRET", "very-secret-client")
    monkeypatch.setenv("COUNCILFLOW_METRICS_TOKEN", "very-secret-token")
    monkeypatch.setenv("COUNCILFLOW_LOG_LEVEL", "loud")
    monkeypatch.delenv("COUNCILFLOW_SECRET_KEY", raising=False)
    result = cli("config", "check", "--json")
    assert result.exit_code == 2
    report = result.json()
    assert "very-secret" not in result.stdout and report["settings"]["COUNCILFLOW_METRICS_TOKEN"] == "********"
    problems = "\n".join(report["problems"])
    assert "COUNCILFLOW_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, got 'LOUD'" in problems
    assert "secrets.token_hex(32)" in problems and "single sign-on needs" in problems
    assert report["settings"]["COUNCILFLOW_LOG_LEVEL"] == "INFO"  # the default stands in for the bad value

    monkeypatch.setenv("COUNCILFLOW_SECRET_KEY", "a-key-of-this-council")
    for name in ("COUNCILFLOW_OIDC_CLIENT_SECRET", "COUNCILFLOW_LOG_LEVEL"):
        monkeypatch.delenv(name)
    result = cli("config", "check")
    assert result.exit_code == 0, result.output
    assert "No problems found." in result.stdout and "a-key-of-this-council" not in result.stdout
    shown = effective(Settings(database_url="postgresql+psycopg://cf:pw-of-db@db/cf"))["COUNCILFLOW_DATABASE_URL"]
    assert shown == "postgresql+psycopg://cf:***@db/cf"


def test_config_check_reports_a_database_that_is_not_set_up(tmp_path, monkeypatch):
    monkeypatch.setenv("COUNCILFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    monkeypatch.setenv("COUNCILFLOW_SECRET_KEY", "k")
    result = CliRunner().invoke(main, ["config", "check", "--json"])
    assert result.exit_code == 2
    assert any("run `councilflow init`" in p for p in json.loads(result.stdout)["problems"])


def test_production_serve_refuses_to_start_without_a_secret_key(cli, monkeypatch):
    monkeypatch.delenv("COUNCILFLOW_SECRET_KEY", raising=False)
    monkeypatch.delenv("COUNCILFLOW_DEVELOPMENT", raising=False)
    result = cli("serve", "--port", "9", "--no-embedded-worker")
    assert result.exit_code == 2
    assert "COUNCILFLOW_SECRET_KEY is not set" in result.stderr and "secrets.token_hex(32)" in result.stderr
