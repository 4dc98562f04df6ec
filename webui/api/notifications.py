"""The caller's own notifications (``GET /notifications``, newest first, ``?unread=true`` for the
unread only) and marking them read (``POST /notifications/read``: all, or the ``ids`` given). The
same engine use cases as the staff page (engine/people/notifications.py); nobody reads another's."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine import people

from . import bp, context
from .payload import Query, json_body
from .roles import EVERYONE, current_user, requires
from .tasks import MAX_PAGE, MAX_PAGE_SIZE


@bp.get("/notifications")
@requires(*EVERYONE)
def list_notifications() -> Any:
    query = Query(request.args)
    unread_only = query.choice("unread", ["true", "false"], "false") == "true"
    page = query.integer("page", 1, 1, MAX_PAGE)
    page_size = query.integer("page_size", 25, 1, MAX_PAGE_SIZE)
    query.check()
    return jsonify(people.notification_page(context(), current_user().email, unread_only, page,
                                            page_size).to_dict())


@bp.post("/notifications/read")
@requires(*EVERYONE)
def mark_notifications_read() -> Any:
    """Mark the caller's unread notifications read (only ``ids`` when given); says how many were."""
    ids = json_body("MarkNotificationsRead", optional=True).get("ids")
    marked = people.mark_all_read(context(), current_user().email, ids)
    return jsonify({"marked": marked, "unread": people.unread_count(context(), current_user().id)})
