"""A form is checked once per text, not on every completion and page: the checked schema and its
validator are kept (``engine/bpmn/formcache.py``), yet a form is never judged by another library's forms."""
from __future__ import annotations

import json

import pytest

from engine.bpmn import formcache, forms, formschema
from engine.errors import FormInvalid
from tests.conftest import FORMS

BLUE_BADGE = "blue-badge-application-schema.json"
POSTCODE_FORM = json.dumps({"type": "object", "properties": {
    "postcode": {"$ref": "shared-schema.json#/$defs/postcode", "title": "Postcode"}}})


def shared(pattern: str) -> dict[str, str]:
    return {"shared-schema.json": json.dumps({"$defs": {"postcode": {"type": "string", "pattern": pattern}}})}


@pytest.fixture(autouse=True)
def empty_cache():
    formcache.clear()
    yield
    formcache.clear()


def test_the_blue_badge_form_is_checked_once_and_the_same_schema_serves_every_completion():
    files = {p.name: p.read_text() for p in FORMS.glob("*.json")}
    first = forms.load_schema(files[BLUE_BADGE], files.get, BLUE_BADGE)
    again = dict(files)  # the next completion reads the version's files in a session of its own
    assert forms.load_schema(again[BLUE_BADGE], again.get, BLUE_BADGE) is first
    with pytest.raises(FormInvalid, match="application"):
        forms.validate(first, {}, again.get)


def test_the_same_form_text_with_other_referenced_forms_is_checked_against_those():
    strict, loose = shared("^A"), shared("^[A-Z]")
    for_strict = forms.load_schema(POSTCODE_FORM, strict.get, "report-schema.json")
    for_loose = forms.load_schema(POSTCODE_FORM, loose.get, "report-schema.json")
    assert for_strict is not for_loose
    assert forms.errors_for(for_strict, {"postcode": "B1"}, strict.get) == {
        "postcode": "Enter postcode in the correct format"}
    assert forms.errors_for(for_loose, {"postcode": "B1"}, loose.get) == {}
    assert forms.errors_for(for_strict, {"postcode": "A1"}, strict.get) == {}


def test_a_kept_form_whose_referenced_form_is_missing_now_is_refused_again():
    library = shared("^A")
    forms.load_schema(POSTCODE_FORM, library.get, "report-schema.json")
    with pytest.raises(forms.FormUnusable, match="shared-schema.json"):
        forms.load_schema(POSTCODE_FORM, {}.get, "report-schema.json")


def test_a_broken_form_is_refused_every_time_it_is_used():
    looping = json.dumps({"$defs": {"a": {"$ref": "#/$defs/a"}}, "properties": {"x": {"$ref": "#/$defs/a"}}})
    for _ in range(2):
        with pytest.raises(forms.FormUnusable, match="loop"):
            forms.load_schema(looping, None, "loop-schema.json")


def test_page_titles_defined_by_reference_are_followed_once_and_shared():
    library = shared("^A")
    schema = forms.load_schema(POSTCODE_FORM, library.get, "report-schema.json")
    shown = formschema.with_properties_followed(schema, dict(library).get)
    assert shown["properties"]["postcode"] == {"type": "string", "pattern": "^A", "title": "Postcode"}
    assert formschema.with_properties_followed(schema, library.get) is shown


def test_a_schema_not_loaded_from_a_form_is_validated_as_before():
    schema = {"type": "object", "properties": {"n": {"type": "integer", "title": "Number"}}}
    assert forms.errors_for(schema, {"n": "x"}) == {"n": "Number must be a whole number"}


def test_the_cache_keeps_a_bounded_number_of_forms():
    for n in range(formcache.MAX_ENTRIES + 20):
        text = json.dumps({"type": "object", "title": f"Form {n}"})
        kept = forms.load_schema(text, None, f"form-{n}-schema.json")
        assert forms.load_schema(text, None, f"form-{n}-schema.json") is kept
    first = json.dumps({"type": "object", "title": "Form 0"})
    assert formcache.find("form-0-schema.json", first, None) is None  # the oldest went first
    last = formcache.MAX_ENTRIES + 19
    assert formcache.find(f"form-{last}-schema.json", json.dumps({"type": "object", "title": f"Form {last}"}),
                          None) is not None
