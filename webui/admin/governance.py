"""Admin pages of information governance: the audit trail (filtered, downloaded as CSV) and each
process's retention period."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from engine import casework, governance
from engine.errors import UserError
from engine.types import AuditKind, RetentionAction

from ..current import context
from ..downloads import attachment

bp = Blueprint("admin_governance", __name__, url_prefix="/admin")
FLASH = "admin_governance"


def _day(value: str, label: str, errors: dict[str, str], field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = f"{label} must be a real date, like 2026-12-31"
        return None


def _filters(args: Any) -> tuple[governance.Filters, dict[str, str], dict[str, str]]:
    """The filters asked for, what was typed (to show again) and the problems with it."""
    typed = {k: (args.get(k) or "").strip() for k in ("kind", "actor", "from", "to")}
    errors: dict[str, str] = {}
    since = _day(typed["from"], "The start date", errors, "from")
    until = _day(typed["to"], "The end date", errors, "to")
    kind = typed["kind"] if typed["kind"] in set(AuditKind) else None
    try:
        filters = governance.Filters(kind, typed["actor"] or None, since, until)
    except UserError as err:
        errors["to"] = err.message
        filters = governance.Filters(kind, typed["actor"] or None)
    return filters, typed, errors


@bp.get("/audit")
def audit_trail() -> Any:
    filters, typed, errors = _filters(request.args)
    rows = governance.entries(context(), filters)
    return render_template("admin/governance/audit.html", title="Audit trail", rows=rows, typed=typed,
                           errors=errors, kinds=[k.value for k in AuditKind], limit=governance.PAGE_SIZE,
                           error_list=[{"text": t, "href": f"#{f}"} for f, t in errors.items()] or None), \
        (400 if errors else 200)


@bp.post("/audit/export")
def audit_export() -> Any:
    filters, _typed, errors = _filters(request.form)
    if errors:
        typed = {k: request.form.get(k, "") for k in ("kind", "actor", "from", "to")}
        return redirect(url_for(".audit_trail", **typed))
    rows = governance.export(context(), filters, g.user.email)
    return attachment(governance.to_csv(rows).encode("utf-8"), "audit-trail.csv", "text/csv")


@bp.get("/retention")
def retention_rules() -> Any:
    return _retention_page({}, {})


def _retention_page(errors: dict[str, str], typed: dict[str, str], report: governance.Report | None = None,
                    status: int = 200) -> Any:
    ctx = context()
    return render_template("admin/governance/retention.html", title="Retention", rules=governance.list_rules(ctx),
                           processes=governance.process_choices(ctx), actions=[a.value for a in RetentionAction],
                           errors=errors, typed=typed, report=report,
                           error_list=[{"text": t, "href": f"#{f}"} for f, t in errors.items()] or None), status


@bp.post("/retention")
def retention_set() -> Any:
    typed = {k: request.form.get(k, "").strip() for k in ("process", "years", "action")}
    errors: dict[str, str] = {}
    if not typed["process"]:
        errors["process"] = "Select a process"
    if not typed["years"].isdigit():
        errors["years"] = "Enter the number of years as a whole number, like 6"
    if typed["action"] not in set(RetentionAction):
        errors["action"] = "Select what happens once the period has passed"
    if not errors:
        try:
            governance.set_rule(context(), typed["process"], int(typed["years"]), RetentionAction(typed["action"]),
                                g.user.email)
        except UserError as err:
            errors["years"] = err.message
        else:
            flash(f"Closed {typed['process']} cases keep personal data for {typed['years']} years", FLASH)
            return redirect(url_for(".retention_rules"))
    return _retention_page(errors, typed, status=400)


@bp.post("/retention/run")
def retention_run() -> Any:
    """A dry run shows what would happen; applying does it now instead of at the worker's next daily run."""
    dry_run = request.form.get("apply") != "yes"
    report = governance.run(context(), g.user.email, dry_run=dry_run)
    return _retention_page({}, {}, report)


@bp.post("/customers/<int:customer_id>/export")
def customer_export(customer_id: int) -> Any:
    """A subject-access archive of the customer, downloaded (and recorded in the audit trail)."""
    content = governance.archive(context(), customer_id, g.user.email)
    return attachment(content, f"subject-access-customer-{customer_id}.zip", "application/zip")


@bp.route("/customers/<int:customer_id>/erase", methods=["GET", "POST"])
def customer_erase(customer_id: int) -> Any:
    found = casework.get_customer(context(), customer_id)  # CustomerNotFound: the error page says so
    reason, errors = "", {}
    if request.method == "POST":
        reason = request.form.get("reason", "").strip()
        try:
            done = governance.erase_customer(context(), customer_id, reason, g.user.email)
        except UserError as err:
            if type(err) is not UserError:
                raise
            errors["reason"] = err.message
        else:
            flash(f"Customer {customer_id}'s personal data was erased from their record and {len(done.cases)} case(s)")
            return redirect(url_for("frontoffice.customer", customer_id=customer_id))
    error_list = [{"text": t, "href": f"#{f}"} for f, t in errors.items()] or None
    return render_template("admin/governance/erase.html", title="Erase personal data", customer=found, reason=reason,
                           errors=errors, error_list=error_list), (400 if errors else 200)
