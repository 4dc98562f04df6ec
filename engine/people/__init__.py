"""People and what they may do: users and roles, sign-in and lockout, teams and lane routing, API tokens, permissions
on cases and tasks, emergency access to restricted cases, and notifications.

This ``__init__`` is the wing's face: the names the web app, the API, the CLI, adapters and other
wings use, loaded from their modules when first asked for (``engine/faces.py``). Anything else in
the wing is its own business."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..faces import face

if TYPE_CHECKING:
    from .lockout import KnownDevice, Limits
    from .notifications import NotificationView, mark_all_read, notification_page, open_notification, unread_count
    from .permissions import is_admin, may_assign_to_others, may_start_services
    from .restricted import open_with_reason
    from .routing import (
        add_team, ensure_mapping, ensure_team, lanes, list_teams, map_lanes, ready_team, rename, rename_named,
        send_lane_to, team_names, team_summaries, unstaffed_teams_with_work,
    )
    from .tokens import create_token, issue_token, list_tokens, revoke_all, revoke_token, token_holder
    from .users import (
        SYSTEM_ACTOR, SignedIn, add_user, check_password, create_staff, end_sessions, find_user, has_role, list_staff,
        register, session_user, set_active, set_password, sign_in, sign_in_by_claim, staff_member, update_staff,
    )

__all__ = [
    "add_team", "add_user", "check_password", "create_staff", "create_token", "end_sessions", "ensure_mapping",
    "ensure_team", "find_user", "has_role", "is_admin", "issue_token", "KnownDevice", "lanes", "Limits", "list_staff",
    "list_teams", "list_tokens", "map_lanes", "mark_all_read", "may_assign_to_others", "may_start_services",
    "notification_page", "NotificationView", "open_notification", "open_with_reason", "ready_team", "register",
    "rename", "rename_named", "revoke_all", "revoke_token", "send_lane_to", "session_user", "set_active",
    "set_password", "sign_in", "sign_in_by_claim", "SignedIn", "staff_member", "SYSTEM_ACTOR", "team_names",
    "team_summaries", "token_holder", "unread_count", "unstaffed_teams_with_work", "update_staff",
]

if not TYPE_CHECKING:  # mypy reads the imports above; at run time a name is read when first asked for
    __getattr__ = face(__name__, {
        "add_team": "routing", "add_user": "users", "check_password": "users", "create_staff": "users",
        "create_token": "tokens", "end_sessions": "users", "ensure_mapping": "routing", "ensure_team": "routing",
        "find_user": "users", "has_role": "users", "is_admin": "permissions", "issue_token": "tokens",
        "KnownDevice": "lockout", "lanes": "routing", "Limits": "lockout", "list_staff": "users",
        "list_teams": "routing", "list_tokens": "tokens", "map_lanes": "routing", "mark_all_read": "notifications",
        "may_assign_to_others": "permissions", "may_start_services": "permissions",
        "notification_page": "notifications", "NotificationView": "notifications", "open_notification": "notifications",
        "open_with_reason": "restricted", "ready_team": "routing", "register": "users", "rename": "routing",
        "rename_named": "routing", "revoke_all": "tokens", "revoke_token": "tokens", "send_lane_to": "routing",
        "session_user": "users", "set_active": "users", "set_password": "users", "sign_in": "users",
        "sign_in_by_claim": "users", "SignedIn": "users", "staff_member": "users", "SYSTEM_ACTOR": "users",
        "team_names": "routing", "team_summaries": "routing", "token_holder": "tokens", "unread_count": "notifications",
        "unstaffed_teams_with_work": "routing", "update_staff": "users",
    })
