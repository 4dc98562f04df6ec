"""Process analysts' pages: upload maps through the browser and see every problem by file, line and
element; list processes with versions, who deployed them and when; download any version's files;
see a version's diagram with the cases waiting at each task."""
from __future__ import annotations

import io
import re

import pytest

from engine.bpmn import registry
from engine.casework import cases
from engine.types import Role
from tests.browser.pagecheck import assert_good_page
from tests.engine.helpers import complete, deploy_text
from tests.engine.maps import end, flow, process, start, user_task
from tests.engine.test_hostile_bpmn import LAUGHS, XXE
from tests.webui.conftest import csrf_token

ANALYST = "analyst@example.gov.uk"


def triage(first: str = "Check the report") -> str:
    return process("triage", "\n".join([
        start("f1"), user_task("check", first, "f1", "f2"), user_task("decide", "Decide", "f2", "f3"),
        end("end", "f3"), flow("f1", "start", "check"), flow("f2", "check", "decide"), flow("f3", "decide", "end")]))


BROKEN = triage().replace('<bpmn:userTask id="decide" name="Decide">', '<bpmn:scriptTask id="decide" name="Decide">'
                          ).replace("</bpmn:userTask>\n<bpmn:endEvent",
                                    "\n<bpmn:script>import os</bpmn:script></bpmn:scriptTask>\n<bpmn:endEvent")


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def analyst(signed_in):
    return signed_in(Role.ANALYST)


def upload(client, files: dict[str, str | bytes], action: str = "deploy"):
    page = text(client.get("/processes/upload"))
    data = {"csrf_token": csrf_token(page), "action": action,
            "files": [(io.BytesIO(c if isinstance(c, bytes) else c.encode()), name) for name, c in files.items()]}
    return client.post("/processes/upload", data=data, content_type="multipart/form-data")


def test_processes_are_listed_with_latest_version_deployer_and_open_cases(analyst, ctx):
    deploy_text(ctx, "triage.bpmn", triage(), actor="first@example.gov.uk")
    deploy_text(ctx, "triage.bpmn", triage("Check again"), actor=ANALYST)
    cases.start_case(ctx, "triage")
    cases.start_case(ctx, "triage")
    page = text(analyst.get("/processes"))
    assert_good_page(page)
    row = re.search(r'<tr class="govuk-table__row">\s*<th[^>]*><a class="govuk-link" href="/processes/triage">'
                    r'triage</a></th>(.*?)</tr>', page, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[0] == "triage" and cells[1:3] == ["2", ANALYST] and cells[4] == "2"
    assert re.fullmatch(r"\d{1,2} \w+ 20\d\d, \d\d:\d\d", cells[3])
    assert 'href="/processes/upload"' in page


def test_only_analysts_see_the_process_pages(signed_in, ctx):
    deploy_text(ctx, "triage.bpmn", triage())
    advisor = signed_in(Role.FRONT_OFFICE)
    for url in ("/processes", "/processes/upload", "/processes/triage", "/processes/triage/versions/1",
                "/processes/triage/versions/1/files/triage.bpmn"):
        assert advisor.get(url).status_code == 403, url


def test_an_upload_deploys_and_names_the_new_version(analyst, ctx):
    response = upload(analyst, {"triage.bpmn": triage()})
    assert response.status_code == 303 and response.headers["Location"].endswith("/processes/triage")
    page = text(analyst.get("/processes/triage"))
    assert_good_page(page)
    assert "govuk-notification-banner--success" in page and "Version 1 of triage deployed" in page
    # user tasks without a lane are routed to the default team: deployed, with a warning
    assert "Warnings" in page and "triage.bpmn, line 5, element check: &#39;Check the report&#39; has no lane" in page
    with ctx.db.transaction(readonly=True) as session:
        assert [(p.key, n) for p, n in registry.list_processes(session)] == [("triage", 1)]
        assert registry.get_version(session, "triage").deployed_by == "analyst@example.gov.uk"
    assert "Version 1 of triage deployed" not in text(analyst.get("/processes/triage"))  # shown once


def test_the_same_map_again_is_unchanged(analyst, ctx):
    deploy_text(ctx, "triage.bpmn", triage())
    upload(analyst, {"triage.bpmn": triage()})
    assert "triage is unchanged: version 1 already has this content" in text(analyst.get("/processes/triage"))


def test_a_refused_upload_lists_every_problem_with_file_line_and_element(analyst, ctx):
    response = upload(analyst, {"triage.bpmn": BROKEN, "notes.txt": "hello"})
    page = text(response)
    assert response.status_code == 400
    assert_good_page(page)
    assert "<title>Error: Upload process maps" in page and "govuk-error-summary" in page
    assert 'href="#files"' in page and 'id="files-error"' in page
    assert "notes.txt: only .bpmn, .dmn and form .json files can be deployed" in page
    assert "You chose: triage.bpmn, notes.txt." in page
    with ctx.db.transaction(readonly=True) as session:
        assert registry.list_processes(session) == []
    response = upload(analyst, {"triage.bpmn": BROKEN})
    page = text(response)
    line = next(n for n, row in enumerate(BROKEN.splitlines(), 1) if "import os" in row)
    assert f"triage.bpmn, line {line}, element decide:" in page and "import" in page
    assert re.search(rf'<td class="govuk-table__cell govuk-table__cell--numeric">{line}</td>\s*'
                     r'<td class="govuk-table__cell"><code>decide</code></td>', page)


def test_choosing_no_file_asks_for_one(analyst):
    page = text(analyst.get("/processes/upload"))
    response = analyst.post("/processes/upload", data={"csrf_token": csrf_token(page), "action": "deploy",
                                                       "files": (io.BytesIO(b""), "")},
                            content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Select one or more .bpmn, .dmn or form .json files" in text(response)


@pytest.mark.parametrize("name, content", [("xxe.bpmn", XXE), ("laughs.bpmn", LAUGHS)])
def test_hostile_xml_gets_a_clear_refusal_not_a_server_error(analyst, ctx, name, content):
    response = upload(analyst, {name: content})
    page = text(response)
    assert response.status_code == 400
    assert_good_page(page)
    assert f"{name}, line 2:" in page and "DOCTYPE" in page
    assert "root:x:0:0" not in page and "lollol" not in page


def test_checking_without_deploying_stores_nothing(analyst, ctx):
    page = text(upload(analyst, {"triage.bpmn": triage()}, action="check"))
    assert_good_page(page)
    assert "No problems found" in page and "<strong>triage</strong> (<code>triage</code>)" in page
    with ctx.db.transaction(readonly=True) as session:
        assert registry.list_processes(session) == []
    refused = upload(analyst, {"triage.bpmn": BROKEN}, action="check")
    assert refused.status_code == 400 and "element decide" in text(refused)


def test_process_page_has_versions_downloads_diagram_and_waiting_counts(analyst, ctx):
    deploy_text(ctx, "triage.bpmn", triage(), actor="first@example.gov.uk")
    deploy_text(ctx, "triage.bpmn", triage("Check again"), actor=ANALYST)
    moved = cases.start_case(ctx, "triage")
    complete(ctx, moved, "check", {})
    cases.start_case(ctx, "triage")
    cases.start_case(ctx, "triage")
    page = text(analyst.get("/processes/triage"))
    assert_good_page(page)
    assert page.index(">Version 2</a>") < page.index(">Version 1</a>")  # newest first
    assert "first@example.gov.uk" in page and ANALYST in page
    assert 'href="/processes/triage/versions/1/files/triage.bpmn"' in page
    with ctx.db.transaction(readonly=True) as session:
        assert f"<code>{registry.get_version(session, 'triage', 2).content_hash[:12]}</code>" in page
    assert 'data-xml-url="/diagrams/triage/2.bpmn"' in page
    assert 'data-counts="{&#34;check&#34;: 2, &#34;decide&#34;: 1}"' in page
    assert 'role="img" aria-label="Diagram of triage, version 2.' in page
    waiting = dict(re.findall(r'<th scope="row" class="govuk-table__header">([^<]+) <span.*?</th>\s*'
                              r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>', page, re.S))
    assert waiting == {"Check again": "2", "Decide": "1"}


def test_version_page_shows_that_version(analyst, ctx):
    deploy_text(ctx, "triage.bpmn", triage())
    deploy_text(ctx, "triage.bpmn", triage("Check again"))
    page = text(analyst.get("/processes/triage/versions/1"))
    assert_good_page(page)
    assert "triage, version 1</h1>" in page and 'data-xml-url="/diagrams/triage/1.bpmn"' in page
    assert "Check the report" in page and "Check again" not in page
    assert analyst.get("/processes/triage/versions/3").status_code == 404
    assert analyst.get("/processes/nothing_here").status_code == 404


def test_a_version_file_downloads_as_an_attachment(analyst, ctx):
    deploy_text(ctx, "triage.bpmn", triage())
    response = analyst.get("/processes/triage/versions/1/files/triage.bpmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"] == "attachment; filename=triage.bpmn"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert 'id="triage"' in text(response)
    assert analyst.get("/processes/triage/versions/1/files/other.bpmn").status_code == 404


def test_any_signed_in_member_of_staff_gets_a_versions_diagram(signed_in, app, ctx):
    deploy_text(ctx, "triage.bpmn", triage())
    deploy_text(ctx, "triage.bpmn", triage("Check again"))
    back_office = signed_in(Role.BACK_OFFICE)
    response = back_office.get("/diagrams/triage/1.bpmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Check the report" in text(response) and "Check again" not in text(response)
    assert back_office.get("/diagrams/triage/9.bpmn").status_code == 404
    assert app.test_client().get("/diagrams/triage/1.bpmn").status_code in (302, 401)


def test_only_the_viewers_files_are_served_from_the_bpmn_js_package(app):
    client = app.test_client()
    viewer = client.get("/bpmn-js/bpmn-viewer.production.min.js")
    assert viewer.status_code == 200 and b"BpmnJS" in viewer.data
    assert client.get("/bpmn-js/assets/bpmn-js.css").status_code == 200
    assert client.get("/bpmn-js/assets/bpmn-font/font/bpmn.woff2").status_code == 200
    for refused in ("bpmn-modeler.production.min.js", "../package.json", "assets/../bpmn-viewer.development.js"):
        assert client.get(f"/bpmn-js/{refused}").status_code == 404, refused
