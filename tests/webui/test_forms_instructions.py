"""Task instructions: Markdown with GOV.UK typography, case data filled in by a sandboxed Jinja,
resident-typed text shown literally, and a broken script shown as written."""
from __future__ import annotations

import re

from webui.forms.instructions import render_instructions

from tests.conftest import PROCESSES


def test_markdown_becomes_gov_uk_typography():
    html = render_instructions("**Missed bin**\n\n1. Confirm the day\n2. Ask\n\n- a\n\n"
                               "[Guide](https://example.gov.uk)", {})
    assert '<p class="govuk-body"><strong>Missed bin</strong></p>' in html
    assert '<ol class="govuk-list govuk-list--number">' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert '<a href="https://example.gov.uk" class="govuk-link">Guide</a>' in html


def test_case_data_fills_the_script_and_missing_values_render_empty():
    html = render_instructions("Call {{ customer_name | default('the resident') }} about {{ address }}"
                               "{{ missing.deeper.still }}{% if crew_report == 'late' %}: round is late{% endif %}",
                               {"address": "1 High Street", "crew_report": "late"})
    assert "Call the resident about 1 High Street: round is late" in html


def test_what_a_resident_typed_cannot_become_markup_or_links():
    typed = "<script>x</script> [click](https://evil.example) **loud**"
    html = render_instructions("Name: {{ name }}", {"name": typed})
    assert "<script>" not in html and "<a " not in html and "<strong>" not in html
    assert "&lt;script&gt;x&lt;/script&gt; [click](https://evil.example) **loud**" in html


def test_a_long_answer_is_escaped_all_the_way_through():
    # Long texts are escaped a piece at a time: markup astride the pieces' edges must be escaped too.
    typed = "a" * 65_535 + "**loud** [click](https://evil.example)" + "b" * 20_000
    html = render_instructions("{{ name }}", {"name": typed})
    assert "<strong>" not in html and "<a " not in html
    assert "a" * 65_535 + "**loud** [click](https://evil.example)" + "b" * 20_000 in html


def test_raw_html_and_script_links_in_the_script_itself_are_not_rendered():
    html = render_instructions('<img src=x onerror="alert(1)"> [x](javascript:alert(1))', {})
    assert "<img" not in html and 'href="javascript' not in html


def test_the_sandbox_gives_no_access_to_internals():
    html = render_instructions("{{ ''.__class__.__mro__ }}{{ cycler.__init__.__globals__ }}{{ data.__class__ }}",
                               {"data": {}})
    assert "class" not in html and "globals" not in html


def test_a_broken_script_is_shown_as_written_instead_of_breaking_the_page():
    html = render_instructions("Ask about {% if %} the bin", {})
    assert "Ask about {% if %} the bin" in html


def test_every_shipped_task_script_renders_with_no_case_data():
    scripts = re.findall(r"<spiffworkflow:instructionsForEndUser>(.*?)</spiffworkflow:instructionsForEndUser>",
                         "".join(p.read_text() for p in PROCESSES.glob("*.bpmn")), re.S)
    assert len(scripts) > 30
    for script in scripts:
        html = render_instructions(script.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"), {})
        assert "{%" not in html and "{{" not in html, script[:80]
