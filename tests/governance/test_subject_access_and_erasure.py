"""Subject access (one archive of everything held about a customer) and erasure on request (their
personal data gone from every table, their cases kept), from the command line and the admin's buttons."""
from __future__ import annotations

import io
import json
import zipfile

import sqlalchemy

from engine.casework import cases
from engine.governance import audit
from tests.governance.world import ADMIN, RESIDENT, an_email_from_her, council, resident_with_cases


def archive_parts(content: bytes) -> tuple[dict, str, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as zipped:
        files = {name: zipped.read(name) for name in zipped.namelist()}
    return json.loads(files.pop("customer.json")), files.pop("summary.html").decode(), files


def test_subject_access_archive_holds_everything_about_the_customer(ctx, cli, tmp_path):
    council(ctx)
    customer_id, bin_case, pothole = resident_with_cases(ctx)
    an_email_from_her(ctx, customer_id)
    target = tmp_path / "sar.zip"
    result = cli("customers", "export", str(customer_id), "--output", str(target), "--user", ADMIN)
    assert result.exit_code == 0, result.output
    document, summary, files = archive_parts(target.read_bytes())
    assert document["customer"]["name"] == RESIDENT["name"] and document["customer"]["email"] == RESIDENT["email"]
    by_reference = {c["reference"]: c for c in document["cases"]}
    assert set(by_reference) == {bin_case, pothole}
    bin_record = by_reference[bin_case]
    assert bin_record["data"]["customer_name"] == RESIDENT["name"] and bin_record["status"] == "cancelled"
    assert [n["text"] for n in bin_record["case_note"]] == [f"Spoke to {RESIDENT['name']} on {RESIDENT['phone']}"]
    assert [d["filename"] for d in bin_record["case_document"]] == ["letter.txt"]
    assert {"case_started", "task_completed", "case_cancelled"} <= {e["kind"] for e in bin_record["event"]}
    assert by_reference[pothole]["data"]["location_description"] == "outside number 17"
    [email] = document["emails_without_case"]
    assert (email["sender"], email["subject"]) == (RESIDENT["email"], "My bin again")
    letter, photo = sorted(files.items(), key=lambda item: "email" in item[0])
    assert letter[0].endswith("letter.txt") and letter[1] == f"Dear {RESIDENT['name']}, about your bin".encode()
    assert photo[0].endswith("bin.txt") and RESIDENT["email"].encode() in photo[1]
    for text in (RESIDENT["name"], bin_case, pothole, "Spoke to", "letter.txt"):
        assert text in summary
    assert summary.startswith("<!DOCTYPE html>") and "<script" not in summary
    [made] = audit.entries(ctx, audit.Filters(kind="data_exported"))
    assert (made.actor, made.subject, made.detail["cases"], made.detail["files"]) == (
        ADMIN, f"customer {customer_id}", 2, 2)
    assert cli("customers", "export", "999").exit_code == 2


def _everything(ctx) -> str:
    """Every value of every column of every table in the database, as one lower-case text."""
    engine = ctx.db.engine
    found = []
    with engine.connect() as conn:
        for table in sqlalchemy.inspect(engine).get_table_names():
            for row in conn.execute(sqlalchemy.text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        value = bytes(value).decode("utf-8", "ignore")
                    found.append(json.dumps(value, default=str, ensure_ascii=False) if not isinstance(value, str)
                                 else value)
    return "\n".join(found).lower()


def test_erasure_leaves_no_personal_data_anywhere_in_the_database(ctx, cli):
    council(ctx)
    customer_id, bin_case, pothole = resident_with_cases(ctx)
    an_email_from_her(ctx, customer_id)
    wanted = [RESIDENT["name"], RESIDENT["email"], RESIDENT["phone"], RESIDENT["phone"].replace(" ", ""),
              "Quennell-Ashworth", "Wisteria Gardens", RESIDENT["postcode"]]
    before = _everything(ctx)
    assert all(w.lower() in before for w in wanted)  # the search would find them

    result = cli("customers", "erase", str(customer_id), "--reason", "Erasure request ER-2026-17", "--user", ADMIN,
                 "--json")
    assert result.exit_code == 0, result.output
    assert sorted(result.json()["cases"]) == sorted([bin_case, pothole])
    after = _everything(ctx)
    assert [w for w in wanted if w.lower() in after] == []
    # The cases and their figures stay; the open one can still be worked.
    assert cases.show_case(ctx, pothole).case.status == "open"
    assert cases.show_case(ctx, bin_case).data["bin_type"] == "refuse"
    [erased] = audit.entries(ctx, audit.Filters(kind="customer_erased"))
    assert (erased.actor, erased.subject, erased.detail["reason"]) == (ADMIN, f"customer {customer_id}",
                                                                        "Erasure request ER-2026-17")
    assert cli("customers", "erase", str(customer_id), "--reason", " ").exit_code == 2
