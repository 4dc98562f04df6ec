"""Staff notifications: the list (newest first, unread marked), opening one (which marks it read and
goes to its task or case), "Mark all as read", and the unread count in every page's menu.

The count is one indexed count query (``engine.people.notifications.unread_count``), made only when a page
is rendered for a signed-in person, so API calls, downloads and redirects never pay for it.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from engine import people
from engine.persistence import UNAVAILABLE
from engine.people import NotificationView

from .current import context
from .inbox import page_number, pagination

bp = Blueprint("notifications", __name__)
PAGE_SIZE = 25
HREF = "/notifications"


def target(item: NotificationView) -> str:
    """Where a notification leads: its task, else its case, else back to the list."""
    if item.task_id is not None:
        return url_for("tasks.show", task_id=item.task_id)
    if item.case:
        return url_for("casepage.show", reference=item.case)
    return url_for(".index")


def menu_item(active: bool) -> dict[str, Any]:
    """The menu's "Notifications" item, with the unread count as text a screen reader reads too."""
    try:
        count = people.unread_count(context(), g.user.id)
    except UNAVAILABLE:  # the "service unavailable" page itself must still render, without the count
        count = 0
    label = Markup(_("Notifications"))
    if count:
        label += Markup(' <strong class="govuk-tag govuk-tag--red cf-count">{}<span class="govuk-visually-hidden">'
                        ' {}</span></strong>').format(count, _("unread"))
    return {"href": HREF, "html": label, "active": active}


@bp.get("/notifications")
def index() -> Any:
    page = people.notification_page(context(), g.user.email, page=page_number(), page_size=PAGE_SIZE)
    return render_template("notifications/index.html", title="Notifications", page=page,
                           pagination=pagination(page, {}, "Pages of notifications"))


@bp.get("/notifications/<int:notification_id>")
def open_one(notification_id: int) -> Any:
    return redirect(target(people.open_notification(context(), g.user.email, notification_id)))


@bp.post("/notifications/read")
def mark_all_read() -> Any:
    marked = people.mark_all_read(context(), g.user.email)
    flash(f"{marked} notification{'' if marked == 1 else 's'} marked as read" if marked else "Nothing was unread")
    return redirect(url_for(".index"))
