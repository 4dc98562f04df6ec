"""What a partner's reports bring with them: the reporter as a customer (flagged, never merged), the
photo at media_url (fetched only from allowlisted hosts, from a fake image server on 127.0.0.1), the
updates FixMyStreet posts (once per update_id, however often and however close together), and the
rate limit on each key (counted in the database)."""
from __future__ import annotations

import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from lxml import etree
from sqlalchemy import func, select

from engine.casework import customers
from engine.open311 import open311_media
from engine.persistence.tables import Case, CaseContact, Customer, Document, Note

from .test_open311_server import report

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class _Images(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self.server.hits.append(self.path)
        if self.path == "/big.png":  # no Content-Length: only reading it shows it is too large
            body = PNG + b"\x00" * open311_media.MAX_BYTES
        else:
            body = PNG if self.path.endswith(".png") else b"<html>not a photo</html>"
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        if self.path != "/big.png":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass  # the fetcher stopped reading at its limit

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def image_servers():
    """Two fake photo hosts on 127.0.0.1: the first allowlisted, the second not."""
    servers = []
    for _ in range(2):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Images)
        server.hits = []
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    yield servers
    for server in servers:
        server.shutdown()
        server.server_close()


def _case(open311, reference):
    with open311.ctx.db.transaction(readonly=True) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
        texts = [n.text for n in session.scalars(select(Note).where(Note.case_id == case.id))]
        files = [(d.filename, d.content_type, d.size) for d in session.scalars(select(Document).where(
            Document.case_id == case.id))]
        return case.customer_id, texts, files


def test_a_reporter_is_one_customer_and_a_customer_already_recorded_is_flagged_not_merged(open311):
    recorded = customers.create_customer(open311.ctx, {"name": "Patricia Resident", "email": "PAT@example.com"})
    first = report(open311, email="pat@example.com", phone="07700 900123").json()[0]["service_request_id"]
    again = report(open311, email="Pat@Example.com").json()[0]["service_request_id"]
    first_customer, first_notes, _ = _case(open311, first)
    again_customer, again_notes, _ = _case(open311, again)
    assert first_customer == again_customer != recorded.id  # the same reporter: one customer, never the old one
    for notes in (first_notes, again_notes):
        (flag,) = notes
        assert flag.startswith("Reported through FixMyStreet. Possibly a customer already recorded: "
                               f"Patricia Resident (customer {recorded.id}, same email)")
    with open311.ctx.db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 2
    assert report(open311, phone="12").status_code == 400  # a reporter's details are checked as a customer's


def test_the_photo_is_fetched_only_from_allowlisted_hosts_and_kept_as_a_document(open311, image_servers):
    allowed, elsewhere = image_servers
    here, there = f"http://127.0.0.1:{allowed.server_port}", f"http://127.0.0.1:{elsewhere.server_port}"
    open311.ctx.settings = replace(open311.ctx.settings, open311_media_hosts=(f"127.0.0.1:{allowed.server_port}",))
    photo = report(open311, media_url=f"{here}/pothole.png").json()[0]["service_request_id"]
    not_image = report(open311, media_url=f"{here}/page.html").json()[0]["service_request_id"]
    off_list = report(open311, media_url=f"{there}/pothole.png").json()[0]["service_request_id"]
    too_big = report(open311, media_url=f"{here}/big.png").json()[0]["service_request_id"]
    assert open311_media.fetch_pending(open311.ctx) == 4
    assert open311_media.fetch_pending(open311.ctx) == 0  # each once
    assert allowed.hits == ["/pothole.png", "/page.html", "/big.png"] and elsewhere.hits == []  # none off the list
    assert "larger than 5 MB" in _case(open311, too_big)[1][0] and _case(open311, too_big)[2] == []
    assert _case(open311, photo)[2] == [(f"{photo}-photo.png", "image/png", len(PNG))]
    (refused,) = _case(open311, off_list)[1]
    assert "not on the council's list of photo hosts" in refused and _case(open311, off_list)[2] == []
    (failed,) = _case(open311, not_image)[1]
    assert "not a JPEG, PNG, GIF or WebP image" in failed


def _post_update(open311, update_id, reference, fmt="xml"):
    return requests.post(f"{open311.root}/servicerequestupdates.{fmt}", timeout=10, data={
        "api_key": open311.api_key, "update_id": update_id, "service_request_id": reference, "status": "OPEN",
        "description": "It is getting deeper", "updated_datetime": "2026-12-06T07:00:00Z",
        "email": "pat@example.com", "first_name": "Pat", "last_name": "Resident"})


def test_an_update_posted_twice_or_at_once_is_one_contact_with_one_answer(open311):
    reference = report(open311).json()[0]["service_request_id"]
    first = _post_update(open311, "fms-77", reference)
    assert first.status_code == 200, first.text
    root = etree.fromstring(first.content)
    ours = root.findtext("request_update/update_id")
    assert root.tag == "service_request_updates" and ours
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(_post_update(open311, "fms-78", reference, "json").json()))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _post_update(open311, "fms-77", reference).content == first.content
    assert len({a[0]["update_id"] for a in answers}) == 1 and answers[0][0]["update_id"] != ours
    with open311.ctx.db.transaction(readonly=True) as session:
        texts = [c.text for c in session.scalars(select(CaseContact).order_by(CaseContact.id))]
    assert texts == ["Update from FixMyStreet: Pat Resident wrote: It is getting deeper. They marked it still open."] * 2
    assert _post_update(open311, "fms-79", "CF-999999").status_code == 404


def test_a_key_over_its_rate_limit_is_told_to_wait(open311):
    open311.ctx.settings = replace(open311.ctx.settings, open311_rate_limit=2)
    params = {"api_key": open311.api_key}
    assert [requests.get(f"{open311.root}/servicerequestupdates.json", params=params, timeout=10).status_code
            for _ in range(2)] == [200, 200]
    refused = requests.get(f"{open311.root}/servicerequestupdates.json", params=params, timeout=10)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()[0]["code"] == 429 and "at most 2 a minute" in refused.json()[0]["description"]
    assert report(open311, fmt="xml").status_code == 429
