"""Residents in Welsh: the language toggle and the browser's language choose Welsh, every word of the
residents' pages comes from the Welsh catalogue (which is complete and compiled), the map's form and
public statuses are worded in Welsh by the analyst, the case records the resident's language, and
staff pages stay English."""
from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sqlalchemy import select

from engine.bpmn import registry
from engine.casework import cases
from engine.residents import publishing
from engine.persistence.tables import Case
from engine.residents.public_maps import public_map
from engine.types import Role
from tests.engine.helpers import complete
from tests.webui.test_residents import ADMIN, ANSWERS, CONTACT, post, published  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "webui" / "translations" / "cy" / "LC_MESSAGES" / "messages.po"


def test_the_welsh_catalogue_has_every_residents_word_and_its_compiled_file_is_current(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-o", str(template), "--no-location", "."], cwd=ROOT, check=True, capture_output=True)
    wanted = {m.id for m in read_po(template.open("rb")) if m.id}
    welsh = read_po(CATALOGUE.open("rb"))
    translated = {m.id for m in welsh if m.id and m.string and not m.fuzzy}
    assert wanted - translated == set(), "words without Welsh: run `make translations` and translate them"
    compiled = io.BytesIO()
    write_mo(compiled, welsh)
    assert compiled.getvalue() == CATALOGUE.with_suffix(".mo").read_bytes(), "run `make translations`"


def test_a_resident_reports_in_welsh_and_tracks_the_case_in_welsh(app, published):  # noqa: F811
    publishing.publish(published, "missed_bin_collection", channels=["web"], actor=ADMIN,
                       translations={"cy": {"title": "Rhoi gwybod am fin a fethwyd"}})
    client = app.test_client()
    english = client.get("/report").get_data(as_text=True)
    assert 'lang="en"' in english and "Report a missed bin" in english and 'hreflang="cy"' in english
    listing = client.get("/report?lang=cy")
    html = listing.get_data(as_text=True)
    assert 'lang="cy"' in html and "Rhoi gwybod am fin a fethwyd" in html and "Dilyn eich achos" in html
    assert "cf_lang=cy" in listing.headers.get("Set-Cookie", "")
    form = client.get("/report/missed_bin_collection/form").get_data(as_text=True)  # the cookie keeps Welsh
    assert "Oedd eich bin allan erbyn 7am ar eich diwrnod casglu?" in form and "Dydw i ddim yn siŵr" in form
    assert "Diwrnod" in form and "Enw llawn" in form and "(dewisol)" in form
    wrong = post(client, "/report/missed_bin_collection/form", {**CONTACT, "contact_postcode": "nonsense"})
    text = wrong.get_data(as_text=True)
    assert "Mae problem wedi codi" in text and "Dewiswch pa fin na chafodd ei wagio" in text
    assert "Gwall:" in text
    postcode = post(client, "/report/missed_bin_collection/form", {**ANSWERS, **CONTACT, "contact_postcode": "nonsense"})
    assert "Rhowch god post go iawn, fel AN1 2BC" in postcode.get_data(as_text=True)  # the engine's check, in Welsh
    checked = post(client, "/report/missed_bin_collection/form", {**ANSWERS, **CONTACT})
    html = checked.get_data(as_text=True)
    assert "Gwiriwch eich atebion cyn anfon" in html and "Sbwriel" not in html  # recycling was chosen
    answers = re.search(r'name="answers" value="([^"]+)"', html).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    sent = client.post("/report/missed_bin_collection/send", data={"answers": answers, "csrf_token": token})
    done = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Adroddiad wedi’i anfon" in done or "Adroddiad wedi&#8217;i anfon" in done
    reference = re.search(r"CF-\d{6}", done).group(0)
    with published.db.transaction(readonly=True) as session:
        case = session.scalar(select(Case).where(Case.reference == reference))
    assert case.data["language"] == "cy"

    status = post(client, "/track", {"reference": reference, "secret": "AN1 2BC"}).get_data(as_text=True)
    assert "Rydym yn gwirio eich adroddiad" in status and "Wedi dod i law" in status  # the map's Welsh, then ours
    assert re.search(r"\d+ (Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi|Hydref|Tachwedd|"
                     r"Rhagfyr) \d{4}", status)
    complete(published, cases.show_case(published, reference).case, "record_missed_collection",
                    {"bin_type": "recycling", "scheduled_collection_date": "2026-12-01", "bin_out_by_7am": "yes",
                     "bin_location": "kerbside", "crew_report": "none"})
    with_waste = post(client, "/track", {"reference": reference, "secret": "an1 2bc"}).get_data(as_text=True)
    assert "Gyda’r Gwasanaethau Gwastraff: bydd criw yn dod yn ôl i gasglu eich bin" in with_waste
    assert "Rhoi gwybod am fin a fethwyd" in with_waste  # the service's Welsh title
    with published.db.transaction(readonly=True) as session:
        face = public_map(registry.get_version(session, "missed_bin_collection"))
    assert face.in_language("cy").outcomes["recollected"] == "Wedi cau: mae eich bin wedi cael ei gasglu"
    assert face.outcomes["recollected"] == "Closed: your bin has been collected"
    assert 'lang="en"' in client.get("/track?lang=en").get_data(as_text=True)


def test_the_browser_language_chooses_welsh_and_staff_pages_stay_english(app, published, signed_in):  # noqa: F811
    client = app.test_client()
    page = client.get("/report/missed_bin_collection", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"})
    assert 'lang="cy"' in page.get_data(as_text=True) and "Dechrau nawr" in page.get_data(as_text=True)
    staff = signed_in(Role.FRONT_OFFICE, teams=("Customer Hub",))
    home = staff.get("/?lang=cy", headers={"Accept-Language": "cy"}).get_data(as_text=True)
    assert 'lang="en"' in home and "cf_lang" not in home
