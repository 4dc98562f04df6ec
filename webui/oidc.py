"""Optional OpenID Connect sign-in (for example Microsoft Entra ID) through Authlib."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("oidc", __name__)
