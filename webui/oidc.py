"""Optional OpenID Connect sign-in (for example Microsoft Entra ID) through Authlib.

Configured by the settings (engine/settings.py), which fill the app's config under the same names:
``COUNCILFLOW_OIDC_ISSUER`` (or ``COUNCILFLOW_OIDC_METADATA_URL``), ``COUNCILFLOW_OIDC_CLIENT_ID``,
``COUNCILFLOW_OIDC_CLIENT_SECRET``, and optionally ``COUNCILFLOW_OIDC_LABEL`` ("Microsoft") and
``COUNCILFLOW_OIDC_REDIRECT_URI`` (when a proxy hides the public address). Authlib sends state, nonce
and a PKCE challenge, and checks the ID token's signature (the provider's published keys), issuer,
audience, expiry and nonce. The signed-in address must belong to an active user an admin has added:
accounts are never created here.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, abort, current_app, render_template, request, session, url_for
from joserfc.errors import JoseError

from engine import governance, people
from engine.errors import SignInFailed
from engine.types import AuditKind

from .auth import safe_next, start_session

bp = Blueprint("oidc", __name__)
logger = logging.getLogger(__name__)
PREFIX = "COUNCILFLOW_OIDC_"
TIMEOUT_S = 10
_lock = threading.Lock()


def _setting(app: Flask, name: str) -> str | None:
    value = app.config.get(PREFIX + name)
    return value.strip() if value and value.strip() else None


def _metadata_url(app: Flask) -> str | None:
    issuer = _setting(app, "ISSUER")
    return _setting(app, "METADATA_URL") or (issuer.rstrip("/") + "/.well-known/openid-configuration"
                                              if issuer else None)


def label(app: Flask | None = None) -> str | None:
    """The provider's name for the sign-in button, or None when single sign-on is not configured."""
    app = app or current_app
    if not (_metadata_url(app) and _setting(app, "CLIENT_ID") and _setting(app, "CLIENT_SECRET")):
        return None
    return _setting(app, "LABEL") or "your organisation's account"


@bp.app_context_processor
def sign_in_button() -> dict[str, Any]:
    return {"sso_label": label()}


def _client() -> Any:
    """The app's Authlib client, made on first use (the discovery document is fetched then)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if label(app) is None:
        abort(404)
    with _lock:
        client = app.extensions.get("councilflow_oidc")
        if client is None:
            oauth = OAuth(app)
            client = oauth.register(
                "councilflow", client_id=_setting(app, "CLIENT_ID"), client_secret=_setting(app, "CLIENT_SECRET"),
                server_metadata_url=_metadata_url(app),
                client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                               "default_timeout": TIMEOUT_S})
            app.extensions["councilflow_oidc"] = client
    return client


def _refused(reason: str, message: str, status: int, recorded: bool = False, **details: Any) -> Any:
    """Every refused sign-in is logged (with why), on the audit trail (``recorded``: the engine already put
    it there) and explained to the person in plain words."""
    logger.warning("Single sign-on refused: %s", reason, extra={"oidc_reason": reason, **details})
    if not recorded:
        governance.record_now(current_app.extensions["councilflow"], AuditKind.SSO_SIGN_IN_FAILED, "unknown", "",
                              reason=reason[:300])
    return render_template("auth/oidc_refused.html", title="You cannot sign in", message=message,
                           provider=label()), status


@bp.get("/sign-in/oidc")
def start() -> Any:
    client = _client()
    session["oidc_next"] = safe_next(request.args.get("next"))
    redirect_uri = _setting(current_app, "REDIRECT_URI") or url_for("oidc.callback", _external=True)
    try:
        return client.authorize_redirect(redirect_uri)
    except (AuthlibBaseError, requests.RequestException, RuntimeError, KeyError) as err:
        return _refused(f"could not start: {err}", f"{label()} sign-in is not available at the moment. "
                        "Try again later or sign in with your password.", 503)


def _address(claims: dict[str, Any]) -> str | None:
    """The account the person signs in as: the email claim, never one the provider marks unverified.
    ``preferred_username`` can be chosen by the person at many providers, so it is used only when the
    council says theirs is set by administrators (a single-tenant Entra ID's UPN): TRUST_USERNAME=1."""
    if claims.get("email_verified") is False:
        return None
    if claims.get("email"):
        return str(claims["email"])
    return claims.get("preferred_username") if _setting(current_app, "TRUST_USERNAME") == "1" else None


@bp.get("/sign-in/oidc/callback")
def callback() -> Any:
    client = _client()
    try:
        # Authlib checks the issuer but, given an azp claim, not the audience: require both.
        expected = {"iss": {"essential": True, "value": client.load_server_metadata()["issuer"]},
                    "aud": {"essential": True, "values": [client.client_id]}}
        token = client.authorize_access_token(claims_options=expected)
    except (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError) as err:
        return _refused(f"{type(err).__name__}: {err}", "The sign-in could not be completed. "
                        "Go back to the sign-in page and try again.", 400)
    claims = token.get("userinfo") or {}
    address = _address(claims)
    if not claims:
        return _refused("no ID token in the token response", "The sign-in could not be completed. "
                        "Go back to the sign-in page and try again.", 400)
    try:
        signed = people.sign_in_by_claim(current_app.extensions["councilflow"], address)
    except SignInFailed:
        return _refused("no active user", f"There is no active councilflow account for {address or 'you'}. "
                        "Ask your administrator to add you.", 403, recorded=True, oidc_subject=claims.get("sub"))
    target = session.get("oidc_next")
    start_session(signed)
    logger.info("Signed in with single sign-on: user %s", signed.user_id, extra={"user_id": signed.user_id})
    return current_app.redirect(safe_next(target))
