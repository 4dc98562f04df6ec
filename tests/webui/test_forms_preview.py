"""Analysts preview every form in forms/ before deploying: with sample answers, in its error
state, and checked against what they type. Every page is well-formed: title, unique ids, labels."""
from __future__ import annotations

import pytest

from engine.types import Role
from tests.browser.pagecheck import assert_good_page
from tests.conftest import FORMS
from tests.webui.conftest import csrf_token

NAMES = sorted(p.name.removesuffix("-schema.json") for p in FORMS.glob("*-schema.json"))


@pytest.fixture
def analyst(signed_in):
    return signed_in(Role.ANALYST)


def test_the_list_links_to_every_form_in_the_folder(analyst):
    page = analyst.get("/forms/").get_data(as_text=True)
    assert_good_page(page)
    for name in NAMES:
        assert f'href="/forms/{name}"' in page


def test_every_form_renders_with_sample_answers_and_in_its_error_state(analyst):
    for name in NAMES:
        normal = analyst.get(f"/forms/{name}")
        errors = analyst.get(f"/forms/{name}?errors=1")
        assert normal.status_code == errors.status_code == 200, name
        assert_good_page(normal.get_data(as_text=True))
        error_page = errors.get_data(as_text=True)
        assert_good_page(error_page)
        assert "<title>Error: " in error_page and "govuk-error-summary" in error_page, name


def test_sample_answers_are_filled_in(analyst):
    page = analyst.get("/forms/missed-bin-details").get_data(as_text=True)
    assert 'value="refuse" checked' in page and 'name="scheduled_collection_date-year" type="text" value="2025"' in page


def test_the_analyst_can_try_answers_out(analyst):
    page = analyst.get("/forms/pothole-inspection").get_data(as_text=True)
    wrong = analyst.post("/forms/pothole-inspection", data={"csrf_token": csrf_token(page),
                                                            "measured_depth_mm": "900"})
    assert wrong.status_code == 400
    assert "Measured depth (mm) must be between 0 and 500" in wrong.get_data(as_text=True)


def test_only_files_in_the_forms_folder_can_be_previewed(analyst):
    for name in ("..%2Fsetup.cfg", "..", ".hidden", "no-such-form", "a%5Cb"):
        assert analyst.get(f"/forms/{name}").status_code == 404, name


def test_only_analysts_preview_forms(signed_in):
    assert signed_in(Role.FRONT_OFFICE).get("/forms/").status_code == 403
