"""Issue 12, item 6: a form uploaded in the browser (so never in the forms folder that /forms/ previews)
can be previewed as deployed, from its version's page and, after the upload, from the process page."""
from __future__ import annotations

import io
import json

from lxml import html

from engine.types import Role
from tests.browser.pagecheck import assert_good_page
from tests.engine.maps import end, flow, process, start
from tests.webui.conftest import csrf_token


def text(response) -> str:
    return response.get_data(as_text=True)


LICENCE_FORM = {"title": "Dog licence details", "type": "object", "required": ["dog_name"],
                "properties": {"dog_name": {"type": "string", "title": "Name of the dog", "maxLength": 40}}}


def licence_map() -> str:
    task = ('<bpmn:userTask id="record_dog" name="Record the dog"><bpmn:extensionElements>'
            '<spiffworkflow:properties><spiffworkflow:property name="formJsonSchemaFilename" '
            'value="dog-licence-schema.json" /></spiffworkflow:properties></bpmn:extensionElements>'
            '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>')
    return process("dog_licence", "\n".join([start("f1"), task, end("end", "f2"), flow("f1", "start", "record_dog"),
                                              flow("f2", "record_dog", "end")]))


def test_an_analyst_previews_a_form_uploaded_in_the_browser(signed_in):
    analyst = signed_in(Role.ANALYST)
    files = {"dog_licence.bpmn": licence_map(), "dog-licence-schema.json": json.dumps(LICENCE_FORM)}
    upload_page = text(analyst.get("/processes/upload"))
    deployed = analyst.post("/processes/upload", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(upload_page), "action": "deploy",
        "files": [(io.BytesIO(content.encode()), name) for name, content in files.items()]})
    assert deployed.headers["Location"] == "/processes/dog_licence"
    process_page = text(analyst.get("/processes/dog_licence"))
    assert 'href="/processes/dog_licence/versions/1#forms"' in process_page
    assert "Preview the forms of the newest version" in process_page
    version_page = text(analyst.get("/processes/dog_licence/versions/1"))
    assert_good_page(version_page)
    url = "/processes/dog_licence/versions/1/forms/record_dog"
    assert f'href="{url}"' in version_page and "Preview the form of “Record the dog”" in version_page
    preview = text(analyst.get(url))
    assert_good_page(preview)
    assert "Dog licence details" in preview and 'name="dog_name"' in preview
    assert "Form preview: dog-licence-schema.json, version 1 of dog_licence" in preview
    errors = html.fromstring(text(analyst.get(f"{url}?errors=1"))).find_class("govuk-error-message")
    assert [" ".join(e.text_content().split()) for e in errors] == ["Error: Enter name of the dog"]
    checked = analyst.post(url, data={"csrf_token": csrf_token(preview), "dog_name": "Rex"})
    assert checked.status_code == 200 and "These answers are valid" in text(checked)
    assert analyst.get("/processes/dog_licence/versions/1/forms/no_such_task").status_code == 404
    assert analyst.get("/processes/dog_licence/versions/2/forms/record_dog").status_code == 404
    assert signed_in(Role.BACK_OFFICE, teams=("Waste Services",)).get(url).status_code == 403
