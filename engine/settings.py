"""Every setting councilflow takes from its environment, read once and checked once.

``Settings.from_env()`` is the only reader of ``COUNCILFLOW_*`` variables: the composition root
(``webui/composition.py``) calls it when a process starts and hands the result to everything through the
context, so a mistyped value stops ``serve``, ``worker`` or a command at once with the variable's name and
what it should look like, instead of surfacing as a 500 on the first request that reads it.
docs/operators.md ("All settings") lists them. Adapters' own secrets are not here: their configuration
file names the variables that hold them (``<secret>_env``, docs/adapters.md).
"""
from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from .errors import UserError

PREFIX = "COUNCILFLOW_"
# A council's colour reaches a style sheet, so nothing but a hex colour is accepted (webui/assets.py).
COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
_FLAGS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
# Where an installed wheel puts the process library and its forms (pyproject.toml's data-files).
SHIPPED = Path(sys.prefix) / "share" / "councilflow"
_OPERATION = re.compile(r"[a-z][a-z0-9_-]*/[A-Za-z_][A-Za-z0-9_]*")


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("json", "text")
MAKE_A_KEY = 'python -c "import secrets; print(secrets.token_hex(32))"'


class SettingsInvalid(UserError):
    """One or more ``COUNCILFLOW_*`` variables have a value councilflow cannot use; the message names each."""


class SecretKeyMissing(SettingsInvalid):
    """A production start without ``COUNCILFLOW_SECRET_KEY``: each process would make its own key, so a
    session signed by one ``serve`` would be refused by the next."""

    def __init__(self) -> None:
        super().__init__(f"{PREFIX}SECRET_KEY is not set: every serve process must sign sessions with the same "
                         f"key. Make one with `{MAKE_A_KEY}` and give it to every process (for a local trial "
                         f"only, {PREFIX}DEVELOPMENT=1 keeps a key in instance/secret_key)")


@dataclass(frozen=True)
class Oidc:
    """Single sign-on with OpenID Connect; off unless a provider, client id and secret are all given."""
    issuer: str | None = None
    metadata_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    label: str | None = None
    redirect_uri: str | None = None
    trust_username: bool = False


@dataclass(frozen=True)
class ServeLimits:
    """What ``councilflow serve`` admits; why each default was chosen is in webui/cli/run.py."""
    threads: int = 8
    connection_limit: int = 1000
    channel_timeout_s: int = 60
    cleanup_interval_s: int = 10
    backlog: int = 1024


@dataclass(frozen=True)
class Settings:
    # The engine's own
    default_team: str = "Customer Hub"
    forms_dir: Path | None = None
    script_time_limit_s: float = 2.0
    database_url: str | None = None  # None: COUNCILFLOW_DATABASE_URL unset, the embedded SQLite file
    sqlite_busy_timeout_s: float = 5.0
    outbox_lease_s: float = 300.0
    # The longest an external task worker's fetch waits for a task (long polling), whatever it asks:
    # each waiting fetch holds a web server thread.
    external_task_max_wait_s: float = 30.0
    adapters_file: Path | None = None
    document_filing: str | None = "edrms/upload_document"  # None: documents are not filed
    # Hosts (host or host:port) whose photos an Open311 report's media_url may be fetched from (engine.open311.open311_media)
    open311_media_hosts: tuple[str, ...] = ()
    open311_rate_limit: int = 120  # calls per minute per partner key (engine.open311.open311_rate)
    public_url: str = ""  # the site's address as residents reach it, for links in reminders (e.g. calendar files)
    # The web app's
    secret_key: str | None = None  # None: refused by serve unless development (then instance/secret_key)
    development: bool = False  # a local trial (`make run`): a key of its own is kept in instance/secret_key
    council_name: str = "Anytown Borough Council"
    council_colour: str = "#0b4f6c"
    council_logo: str | None = None
    insecure_cookies: bool = False
    node_modules: Path | None = None  # None: the repository's node_modules
    sign_in_account_limit: int = 5
    sign_in_address_limit: int = 30
    trusted_proxies: int = 0
    oidc: Oidc = field(default_factory=Oidc)
    serve: ServeLimits = field(default_factory=ServeLimits)
    # Operations: logs, metrics and readiness (docs/operators.md)
    log_level: str = "INFO"
    log_format: str = "json"
    metrics_token: str | None = None  # None: /metrics answers only this machine (loopback, no proxy)
    expect_worker: bool = False  # /readyz also wants a worker heartbeat younger than worker_stale_s
    worker_stale_s: float = 60.0

    def __repr__(self) -> str:
        # Settings end up in logs and tracebacks: never the secret key, the client secret or a database password.
        shown = {f.name: getattr(self, f.name) for f in fields(self)
                 if f.name not in ("secret_key", "oidc", "metrics_token")}
        if self.database_url:
            try:
                shown["database_url"] = make_url(self.database_url).render_as_string(hide_password=True)
            except (ArgumentError, ValueError):
                shown["database_url"] = "(not a URL)"
        return f"Settings({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """The settings the environment gives (``os.environ`` unless ``env``); raises ``SettingsInvalid``
        naming every variable whose value cannot be used."""
        settings, problems = cls.read(env)
        if problems:
            raise SettingsInvalid("; ".join(problems))
        return settings

    @classmethod
    def read(cls, env: Mapping[str, str] | None = None) -> "tuple[Settings, list[str]]":
        """The settings the environment gives, a default in place of each unusable value, and what is
        wrong with each (``councilflow config check`` shows both)."""
        read = _Reader(os.environ if env is None else env)
        default = cls()
        forms = read.folder("FORMS_DIR")
        settings = cls(
            default_team=read.text("DEFAULT_TEAM") or default.default_team,
            forms_dir=forms if forms is not None else _default_forms(),
            database_url=read.database_url("DATABASE_URL"),
            sqlite_busy_timeout_s=read.number("SQLITE_BUSY_TIMEOUT", default.sqlite_busy_timeout_s, minimum=0),
            outbox_lease_s=read.number("OUTBOX_LEASE_S", default.outbox_lease_s, minimum=1),
            external_task_max_wait_s=read.number("EXTERNAL_TASK_MAX_WAIT_S", default.external_task_max_wait_s,
                                                 minimum=0),
            adapters_file=read.path("ADAPTERS"),
            document_filing=read.operation("DOCUMENT_FILING", default.document_filing),
            open311_media_hosts=tuple(h.strip().lower() for h in (read.text("OPEN311_MEDIA_HOSTS") or "").split(",")
                                      if h.strip()),
            open311_rate_limit=read.integer("OPEN311_RATE_LIMIT", default.open311_rate_limit, minimum=1),
            public_url=read.text("PUBLIC_URL") or "",
            secret_key=read.text("SECRET_KEY"),
            development=read.flag("DEVELOPMENT"),
            council_name=read.text("COUNCIL_NAME") or default.council_name,
            council_colour=read.colour("COUNCIL_COLOUR", default.council_colour),
            council_logo=read.address("COUNCIL_LOGO", site_paths=True),
            insecure_cookies=read.flag("INSECURE_COOKIES"),
            node_modules=read.folder("NODE_MODULES"),
            sign_in_account_limit=read.integer("SIGN_IN_ACCOUNT_LIMIT", default.sign_in_account_limit, minimum=1),
            sign_in_address_limit=read.integer("SIGN_IN_ADDRESS_LIMIT", default.sign_in_address_limit, minimum=0),
            trusted_proxies=read.integer("TRUSTED_PROXIES", default.trusted_proxies, minimum=0),
            oidc=_oidc(read),
            serve=ServeLimits(*(read.integer(name, getattr(ServeLimits(), f.name), minimum=1)
                                for name, f in zip(("SERVE_THREADS", "CONNECTION_LIMIT", "CHANNEL_TIMEOUT_S",
                                                    "CLEANUP_INTERVAL_S", "BACKLOG"), fields(ServeLimits)))),
            log_level=read.choice("LOG_LEVEL", LOG_LEVELS, default.log_level, upper=True),
            log_format=read.choice("LOG_FORMAT", LOG_FORMATS, default.log_format),
            metrics_token=read.text("METRICS_TOKEN"),
            expect_worker=read.flag("EXPECT_WORKER"),
            worker_stale_s=read.number("WORKER_STALE_S", default.worker_stale_s, minimum=1),
        )
        return settings, read.problems

    def require_secret_key(self) -> str | None:
        """The configured key; None in development (the caller keeps one of its own); raises
        ``SecretKeyMissing`` for a production start without one."""
        if self.secret_key is None and not self.development:
            raise SecretKeyMissing()
        return self.secret_key


def _default_forms() -> Path | None:
    """The checkout's forms when run from one, else those an installed wheel carries."""
    for folder in (Path("forms"), SHIPPED / "forms"):
        if folder.is_dir():
            return folder
    return None


def _oidc(read: "_Reader") -> Oidc:
    oidc = Oidc(issuer=read.address("OIDC_ISSUER"), metadata_url=read.address("OIDC_METADATA_URL"),
                client_id=read.text("OIDC_CLIENT_ID"), client_secret=read.text("OIDC_CLIENT_SECRET"),
                label=read.text("OIDC_LABEL"), redirect_uri=read.address("OIDC_REDIRECT_URI"),
                trust_username=read.flag("OIDC_TRUST_USERNAME"))
    given = {"OIDC_ISSUER or COUNCILFLOW_OIDC_METADATA_URL": oidc.issuer or oidc.metadata_url,
             "OIDC_CLIENT_ID": oidc.client_id, "OIDC_CLIENT_SECRET": oidc.client_secret}
    # Half a configuration used to turn single sign-on off without a word; say what is missing instead.
    if any(given.values()) and not all(given.values()):
        missing = [PREFIX + name for name, value in given.items() if not value]
        read.problems.append(f"single sign-on needs {' and '.join(missing)} as well")
    return oidc


class _Reader:
    """Reads one variable at a time, collecting every problem so an operator fixes them in one go.
    Values that may be secret are never repeated in a message."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[str] = []

    def text(self, name: str) -> str | None:
        value = self.env.get(PREFIX + name, "").strip()
        return value or None

    def _refuse(self, name: str, wanted: str, value: str | None = None) -> None:
        self.problems.append(f"{PREFIX}{name} must be {wanted}" + (f", got '{value}'" if value is not None else ""))

    def number(self, name: str, default: float, minimum: float) -> float:
        value = self.text(name)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not number >= minimum or number == float("inf"):  # also refuses nan
            self._refuse(name, f"a number of seconds{' above 0' if minimum > 0 else ''}", value)
            return default
        return number

    def integer(self, name: str, default: int, minimum: int) -> int:
        value = self.text(name)
        if value is None:
            return default
        if not re.fullmatch(r"\d+", value) or int(value) < minimum:
            self._refuse(name, f"a whole number of at least {minimum}", value)
            return default
        return int(value)

    def flag(self, name: str) -> bool:
        value = self.text(name)
        if value is None:
            return False
        if value.lower() not in _FLAGS:
            self._refuse(name, "1 or 0", value)
            return False
        return _FLAGS[value.lower()]

    def choice(self, name: str, allowed: tuple[str, ...], default: str, upper: bool = False) -> str:
        value = self.text(name)
        if value is None:
            return default
        value = value.upper() if upper else value.lower()
        if value not in allowed:
            self._refuse(name, "one of " + ", ".join(allowed), value)
            return default
        return value

    def path(self, name: str) -> Path | None:
        value = self.text(name)
        return Path(value) if value else None

    def folder(self, name: str) -> Path | None:
        path = self.path(name)
        if path is not None and not path.is_dir():
            self._refuse(name, "an existing folder", str(path))
        return path

    def colour(self, name: str, default: str) -> str:
        value = self.text(name)
        if value is not None and not COLOUR.fullmatch(value):
            self._refuse(name, "a colour such as #0b4f6c", value)
        return value if value is not None and COLOUR.fullmatch(value) else default

    def address(self, name: str, site_paths: bool = False) -> str | None:
        value = self.text(name)
        if value is None:
            return None
        if re.match(r"https?://[^/\s]+", value, re.IGNORECASE) or (site_paths and value.startswith("/")
                                                                  and not value.startswith("//")):
            return value
        self._refuse(name, "an http:// or https:// address" + (" or a path on this site" if site_paths else ""),
                     value)
        return None

    def operation(self, name: str, default: str | None) -> str | None:
        value = self.text(name)
        if value is None:
            return default
        if value.lower() == "none":
            return None
        if not _OPERATION.fullmatch(value):
            self._refuse(name, "an adapter operation such as edrms/upload_document, or none", value)
            return default
        return value

    def database_url(self, name: str) -> str | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            make_url(value)
        except (ArgumentError, ValueError):
            # The URL may hold a password: say what is wrong, not what was given.
            self._refuse(name, "a database URL such as sqlite:///instance/councilflow.sqlite3 or "
                               "postgresql+psycopg://user:password@host/councilflow")
            return None
        return value

