"""The Flask application factory: configuration, security defaults, and every blueprint
registered together with its access rule."""
from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from engine.settings import Settings
from engine.types import Role

from . import (access, analyst, api, appointments, assets, auth, callbacks, casepage, casesearch, contacts, councillor,
               dates, diagrams, documents, emails, frontoffice, health, home, i18n, inbox, logs, metrics,
               mi_bottlenecks, mi_live, mi_pages, names, notifications, oidc, open311, openreferral, public_guard,
               publishing_pages, residents, service_pages, tables, tasks, track)
from .api.processes import MAX_UPLOAD_BYTES
from .composition import build_context
from .admin import incidents as admin_incidents, people as admin_people, search_words as admin_search_words
from .admin import directory as admin_directory, directory_files as admin_directory_files
from .admin import councillors as admin_councillors, mailboxes as admin_mailboxes
from .admin import appointments as admin_appointments
from .admin import partners as admin_partners, sla as admin_sla
from .admin import governance as admin_governance
from .forms import preview as forms_preview

csrf = CSRFProtect()


# Everyone who works cases: front office, back office and team leads (admins are always admitted).
STAFF = {Role.FRONT_OFFICE, Role.BACK_OFFICE, Role.TEAM_LEAD}


def page_policy(logo: str | None) -> str:
    """The Content-Security-Policy of every page: scripts, styles, fonts and fetches from this origin only
    (no inline script or style, no eval, no plugins, no <base>, forms post here, never framed). If
    uploaded content ever reached a page, it could not run. The council's logo may live elsewhere."""
    parts = urlsplit(logo or "")
    images = " ".join(["'self'", "data:", *([f"{parts.scheme}://{parts.netloc}"] if parts.netloc else [])])
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src {images}; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")


def security_headers(response: Any) -> Any:
    """On every answer: a strict Content-Security-Policy (``page_policy``), no framing by other sites
    (clickjacking), no content sniffing, no full URLs in the Referer. ``setdefault`` keeps a stricter
    policy a view set (uploaded files are sandboxed attachments: webui/downloads.py)."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"])
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _secret_key(settings: Settings, instance: Path) -> str:
    """The configured key; in development only, one kept in ``instance/secret_key`` (made on first use)."""
    configured = settings.require_secret_key()
    if configured:
        return configured
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def settings_config(settings: Settings) -> dict[str, Any]:
    """The app config the settings give; a test's config (or a later ``app.config`` change) overrides it."""
    sso = settings.oidc
    return {
        "COUNCIL_NAME": settings.council_name, "COUNCIL_COLOUR": settings.council_colour,
        "COUNCIL_LOGO": settings.council_logo, "SESSION_COOKIE_SECURE": not settings.insecure_cookies,
        "NODE_MODULES": settings.node_modules or assets.node_modules(),
        "SIGN_IN_ACCOUNT_LIMIT": settings.sign_in_account_limit,
        "SIGN_IN_ADDRESS_LIMIT": settings.sign_in_address_limit, "TRUSTED_PROXIES": settings.trusted_proxies,
        **{oidc.PREFIX + name.upper(): value for name, value in vars(sso).items()
           if name != "trust_username" and value is not None},
        oidc.PREFIX + "TRUST_USERNAME": "1" if sso.trust_username else None,
    }


def _register_residents(app: Flask) -> None:
    """The residents' pages: no sign-in, each guarded by rate limits, a size cap and a honeypot."""
    limiter = public_guard.limiter_for(app)
    for blueprint in (residents.bp, track.bp):
        public_guard.limit_pages(limiter, blueprint)
        access.register(app, blueprint, access.RESIDENTS)
    for endpoint in ("residents.submit", "residents.change", "residents.send"):
        public_guard.limit_forms(app, limiter, endpoint)
    public_guard.limit_tracking(app, limiter, "track.lookup")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The app for ``test_config["CONTEXT"]`` (``serve`` passes the one it built), else for the context
    ``build_context`` makes from the environment (``DATABASE_URL`` in ``test_config`` picks the database)."""
    app = Flask(__name__, static_folder=None, instance_path=str(Path("instance").resolve()))
    test_config = test_config or {}
    ctx = test_config.get("CONTEXT")
    if ctx is None:
        settings = Settings.from_env()
        if test_config.get("DATABASE_URL"):
            settings = replace(settings, database_url=test_config["DATABASE_URL"])
        ctx = build_context(settings)
    app.config.from_mapping(
        **settings_config(ctx.settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=9),  # from sign-in, however busy (webui/access.py)
        # A response sets the session cookie only when its request changed the session. Refreshing it on every
        # response let a request that overlapped another (a stylesheet, the favicon, a typeahead's fetch) answer
        # last with the cookie it was sent, and undo what the other had put in: the message after an action.
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_TIME_LIMIT=None,
        # Pages read their forms (CSRF) before any view runs, so the cap on a whole request is set here:
        # the largest is an analyst's upload of a process library (webui/api/processes.py).
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
    )
    app.config.update(test_config)
    app.config.setdefault("CONTENT_SECURITY_POLICY", page_policy(app.config["COUNCIL_LOGO"]))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(ctx.settings, Path(app.instance_path))
    app.extensions["councilflow"] = ctx
    app.jinja_loader = ChoiceLoader([FileSystemLoader(Path(__file__).parent / "templates"),
                                     PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})])
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    csrf.init_app(app)
    app.before_request(access.load_user)
    app.before_request(access.enforce)

    access.register(app, assets.bp, access.PUBLIC)
    access.register(app, health.bp, access.PUBLIC)
    access.register(app, metrics.bp, access.PUBLIC)  # its own check: a token, or this machine only
    metrics.register(app, ctx)
    access.register(app, callbacks.bp, access.PUBLIC)  # authenticated by each system's own token
    csrf.exempt(callbacks.bp)
    access.register(app, auth.bp, access.PUBLIC)
    access.register(app, oidc.bp, access.PUBLIC)
    access.register(app, home.bp, access.SIGNED_IN)
    access.register(app, diagrams.bp, access.SIGNED_IN)
    access.register(app, tasks.bp, STAFF)
    access.register(app, inbox.bp, STAFF)
    access.register(app, casepage.bp, STAFF)
    access.register(app, casesearch.bp, casesearch.SEARCHERS)
    access.register(app, contacts.bp, STAFF)
    access.register(app, documents.bp, STAFF)
    access.register(app, emails.bp, STAFF)  # the engine shows each email to its inbox's team only
    access.register(app, notifications.bp, access.SIGNED_IN)  # everyone's own; nobody sees another's
    access.register(app, frontoffice.bp, {Role.FRONT_OFFICE})
    access.register(app, service_pages.bp, {Role.FRONT_OFFICE})
    access.register(app, forms_preview.bp, {Role.ANALYST})
    access.register(app, analyst.bp, {Role.ANALYST})
    access.register(app, councillor.bp, {Role.COUNCILLOR})
    # Member Services staff need no particular role: the engine checks they are in the Member Services team.
    access.register(app, councillor.staff_bp, access.SIGNED_IN)
    access.register(app, publishing_pages.bp, {Role.ANALYST})
    access.register(app, appointments.bp, STAFF)  # the hub's arrivals and the appointment figures
    access.register(app, appointments.calendar_bp, access.PUBLIC)  # a reminder's .ics link: its token is the key
    access.register(app, mi_pages.bp, {Role.TEAM_LEAD})  # and admins, as always
    access.register(app, mi_bottlenecks.bp, {Role.TEAM_LEAD})  # and admins, as the dashboard
    access.register(app, mi_live.bp, {Role.TEAM_LEAD, Role.FRONT_OFFICE})  # the hub's own board, on its screens
    for admin_pages in (admin_people.bp, admin_incidents.bp, admin_sla.bp, admin_search_words.bp, admin_directory.bp,
                        admin_directory_files.bp, admin_partners.bp, admin_councillors.bp, admin_mailboxes.bp,
                        admin_governance.bp, admin_appointments.bp):
        access.register(app, admin_pages, {Role.ADMIN})
    api.register(app, csrf)
    _register_residents(app)
    openreferral.register(app)  # the directory as an Open Referral UK feed: public, GET only
    open311.register(app, csrf)  # Open311 GeoReport v2 for partners: their api_key, not a staff sign-in
    home.register_error_pages(app)
    i18n.register(app)
    dates.register(app)
    tables.register(app)
    names.register(app)
    app.after_request(security_headers)
    logs.register(app)

    @app.context_processor
    def branding() -> dict[str, Any]:
        return {"council_name": app.config["COUNCIL_NAME"], "council_colour": app.config["COUNCIL_COLOUR"],
                "council_logo": app.config["COUNCIL_LOGO"], "navigation": home.navigation(),
                "case_search": casesearch.header_search_shown()}

    return app
