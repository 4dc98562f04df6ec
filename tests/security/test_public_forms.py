"""The residents' forms meet the hostile inputs staff forms do: NULs, markup, odd
types and repeated fields give a page in residents' words (never a 500, never echoed as markup), and
nothing is stored."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.persistence.tables import Case
from tests.webui.conftest import csrf_token
from tests.webui.conftest import app  # noqa: F401  (the fixture)
from tests.webui.test_residents import ANSWERS, CONTACT, published  # noqa: F401  (the fixture)

HOSTILE = ["\x00", "<script>alert(1)</script>", "' OR 1=1 --", "9" * 400, "{{ 7*7 }}", "%00", "\u202e"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_in_every_public_field_is_refused_or_kept_as_text(app, published, text):
    client = app.test_client()
    token = csrf_token(client.get("/report/missed_bin_collection/form").get_data(as_text=True))
    for field in [*ANSWERS, *CONTACT, "unknown_field"]:
        answer = client.post("/report/missed_bin_collection/form",
                             data={**ANSWERS, **CONTACT, field: text, "csrf_token": token})
        assert answer.status_code in (200, 400), (field, answer.status_code)
        html = answer.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        if "\x00" in text:
            assert answer.status_code == 400 or field == "unknown_field", field
    tracked = client.post("/track", data={"reference": text, "secret": text, "csrf_token": token})
    assert tracked.status_code == 404 and "<script>alert" not in tracked.get_data(as_text=True)
    with published.db.transaction(readonly=True) as session:
        assert session.scalars(select(Case)).all() == []
