"""Admin pages of information governance: the audit trail filtered and downloaded, retention periods set
and run, and the subject-access and erasure buttons on a customer's page."""
from __future__ import annotations

import csv
import io

from engine.governance import audit
from engine.types import AuditKind
from tests.browser.pagecheck import assert_good_page
from tests.governance.test_subject_access_and_erasure import archive_parts
from tests.governance.world import ADMIN, PASSWORD, RESIDENT, council, resident_with_cases
from tests.webui.conftest import csrf_token, sign_in


def _cell(text: str) -> str:
    return f'<td class="govuk-table__cell">{text}</td>'


def _admin(app):
    client = app.test_client()
    assert sign_in(client, ADMIN, PASSWORD).status_code == 302
    return client


def test_admin_filters_the_audit_trail_and_downloads_it(ctx, app):
    council(ctx)
    client = _admin(app)  # the sign-in is on the trail
    audit.record_now(ctx, AuditKind.SIGN_IN_FAILED, "guess@example.com", "guess@example.com", reason="wrong password")
    page = client.get("/admin/audit?kind=sign_in_failed")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and _cell("guess@example.com") in html and _cell("Process deployed") not in html
    wrong = client.get("/admin/audit?from=31/12/2026")
    assert wrong.status_code == 400 and 'href="#from"' in wrong.get_data(as_text=True)
    for shown in (html, wrong.get_data(as_text=True)):
        assert_good_page(shown)
    everything = client.get("/admin/audit").get_data(as_text=True)
    assert _cell("Process deployed") in everything and _cell("Sign in") in everything
    download = client.post("/admin/audit/export", data={"csrf_token": csrf_token(html), "kind": "sign_in_failed",
                                                        "actor": "", "from": "", "to": ""})
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert [(r["kind"], r["actor"]) for r in rows] == [("sign_in_failed", "guess@example.com")]
    assert audit.entries(ctx, audit.Filters(kind="data_exported"))[0].actor == ADMIN


def test_admin_sets_a_retention_period_and_sees_a_dry_run(ctx, app):
    council(ctx)
    client = _admin(app)
    page = client.get("/admin/retention").get_data(as_text=True)
    assert "No retention periods are set" in page
    bad = client.post("/admin/retention", data={"csrf_token": csrf_token(page), "process": "missed_bin_collection",
                                                "years": "two", "action": "anonymise"})
    assert bad.status_code == 400 and "whole number" in bad.get_data(as_text=True)
    assert_good_page(bad.get_data(as_text=True))
    saved = client.post("/admin/retention", data={"csrf_token": csrf_token(page), "process": "missed_bin_collection",
                                                  "years": "2", "action": "anonymise"}, follow_redirects=True)
    assert "keep personal data for 2 years" in saved.get_data(as_text=True)
    dry = client.post("/admin/retention/run", data={"csrf_token": csrf_token(page), "apply": "no"})
    assert "No closed case is past its retention period" in dry.get_data(as_text=True)
    assert_good_page(dry.get_data(as_text=True))
    assert [e.kind for e in audit.entries(ctx, audit.Filters(kind="retention_set"))] == ["retention_set"]


def test_admin_buttons_on_the_customer_page(ctx, app):
    council(ctx)
    customer_id, _bin_case, _pothole = resident_with_cases(ctx)
    client = _admin(app)
    page = client.get(f"/customers/{customer_id}").get_data(as_text=True)
    assert "Download subject access archive" in page and "Erase personal data" in page
    assert_good_page(page)
    download = client.post(f"/admin/customers/{customer_id}/export", data={"csrf_token": csrf_token(page)})
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert archive_parts(download.data)[0]["customer"]["name"] == RESIDENT["name"]
    form = client.get(f"/admin/customers/{customer_id}/erase").get_data(as_text=True)
    refused = client.post(f"/admin/customers/{customer_id}/erase", data={"csrf_token": csrf_token(form), "reason": ""})
    assert refused.status_code == 400 and "Enter the reason" in refused.get_data(as_text=True)
    assert_good_page(refused.get_data(as_text=True))
    done = client.post(f"/admin/customers/{customer_id}/erase",
                       data={"csrf_token": csrf_token(form), "reason": "Request ER-9"})
    assert done.status_code == 302
    assert RESIDENT["name"] not in client.get(done.location).get_data(as_text=True)
