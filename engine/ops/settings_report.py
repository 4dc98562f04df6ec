"""What ``councilflow config check`` reports: every setting's effective value by its variable's name (secrets
masked, a database URL without its password) and what stands in the way of running in production."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ..settings import MAKE_A_KEY, PREFIX, SecretKeyMissing, Settings

MASK = "********"
NOT_SET = ""


@dataclass(frozen=True)
class SettingsReport:
    settings: dict[str, str]
    problems: list[str]

    def to_dict(self) -> dict[str, object]:
        return {"settings": self.settings, "problems": self.problems}


def _shown(value: object) -> str:
    if value is None:
        return NOT_SET
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _secret(value: str | None) -> str:
    return MASK if value else NOT_SET


def _database(url: str | None) -> str:
    if url is None:
        return "sqlite:///instance/councilflow.sqlite3"
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(not a URL)"


def effective(s: Settings) -> dict[str, str]:
    """Each ``COUNCILFLOW_*`` variable (without the prefix) and the value councilflow runs with."""
    sso, limits = s.oidc, s.serve
    values: Mapping[str, object] = {
        "DATABASE_URL": _database(s.database_url), "SQLITE_BUSY_TIMEOUT": s.sqlite_busy_timeout_s,
        "SECRET_KEY": _secret(s.secret_key), "DEVELOPMENT": s.development, "FORMS_DIR": s.forms_dir,
        "DEFAULT_TEAM": s.default_team, "ADAPTERS": s.adapters_file, "DOCUMENT_FILING": s.document_filing or "none",
        "OUTBOX_LEASE_S": s.outbox_lease_s, "EXTERNAL_TASK_MAX_WAIT_S": s.external_task_max_wait_s,
        "OPEN311_MEDIA_HOSTS": ",".join(s.open311_media_hosts), "OPEN311_RATE_LIMIT": s.open311_rate_limit,
        "PUBLIC_URL": s.public_url, "COUNCIL_NAME": s.council_name, "COUNCIL_COLOUR": s.council_colour,
        "COUNCIL_LOGO": s.council_logo, "INSECURE_COOKIES": s.insecure_cookies, "NODE_MODULES": s.node_modules,
        "SIGN_IN_ACCOUNT_LIMIT": s.sign_in_account_limit, "SIGN_IN_ADDRESS_LIMIT": s.sign_in_address_limit,
        "TRUSTED_PROXIES": s.trusted_proxies, "OIDC_ISSUER": sso.issuer, "OIDC_METADATA_URL": sso.metadata_url,
        "OIDC_CLIENT_ID": sso.client_id, "OIDC_CLIENT_SECRET": _secret(sso.client_secret), "OIDC_LABEL": sso.label,
        "OIDC_REDIRECT_URI": sso.redirect_uri, "OIDC_TRUST_USERNAME": sso.trust_username,
        "SERVE_THREADS": limits.threads, "CONNECTION_LIMIT": limits.connection_limit,
        "CHANNEL_TIMEOUT_S": limits.channel_timeout_s, "CLEANUP_INTERVAL_S": limits.cleanup_interval_s,
        "BACKLOG": limits.backlog, "LOG_LEVEL": s.log_level, "LOG_FORMAT": s.log_format,
        "METRICS_TOKEN": _secret(s.metrics_token), "EXPECT_WORKER": s.expect_worker,
        "WORKER_STALE_S": s.worker_stale_s,
    }
    return {PREFIX + name: _shown(value) for name, value in values.items()}


def production_problems(s: Settings) -> list[str]:
    """What would be wrong in production with settings that are each valid on their own."""
    problems = []
    try:
        s.require_secret_key()
    except SecretKeyMissing as err:
        problems.append(err.message)
    if s.development:
        problems.append(f"{PREFIX}DEVELOPMENT is on: for a local trial only (make a key with `{MAKE_A_KEY}`)")
    if s.insecure_cookies and not s.development:
        problems.append(f"{PREFIX}INSECURE_COOKIES is on: session cookies would travel over plain HTTP")
    if s.forms_dir is None:
        problems.append(f"no forms folder: set {PREFIX}FORMS_DIR, or maps that name form files cannot be deployed")
    return problems


def check(env: Mapping[str, str] | None = None, database_problem: str | None = None) -> SettingsReport:
    """The report for ``env`` (the process's environment unless given); ``database_problem`` is what the
    caller found when it opened the database (None: nothing wrong)."""
    settings, invalid = Settings.read(env)
    problems = invalid + production_problems(settings) + ([database_problem] if database_problem else [])
    return SettingsReport(effective(settings), problems)
