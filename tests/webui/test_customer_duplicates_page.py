"""Adding a caller who may already be recorded: the advisor is shown who they may be, each with "Use
this customer" (on to the service being started), or adds them anyway. No JavaScript: plain forms."""
from __future__ import annotations

import re

from lxml import html as lxml_html

from engine.casework import customers
from engine.casework.customers import CustomerQuery
from tests.browser.pagecheck import assert_good_page
from tests.webui.test_front_office import PAT, advisor, page, pat, post  # noqa: F401  (fixtures)


def test_a_possible_duplicate_is_offered_before_adding(advisor, ctx, pat):  # noqa: F811
    form = page(advisor, "/customers/new?service=missed_bin_collection")
    flagged = post(advisor, "/customers/new", {"name": "Patricia Smith", "phone": "+44 7700 900123",
                                               "service": "missed_bin_collection"}, form)
    body = flagged.get_data(as_text=True)
    assert flagged.status_code == 200 and "This customer may already be recorded" in body
    assert_good_page(body)
    use = re.search(r'href="([^"]+)">Use this customer<span class="govuk-visually-hidden"> \(Pat Smith\)</span>', body)
    assert use.group(1).replace("&amp;", "&") == f"/services/missed_bin_collection/start?customer={pat.id}"
    doc = lxml_html.document_fromstring(body)
    assert doc.xpath('//input[@name="name"]/@value') == ["Patricia Smith"]  # kept, to add anyway
    assert [b.text_content().strip() for b in doc.xpath('//button[@name="allow_duplicate"][@value="yes"]')] == [
        "Add anyway"]
    assert [c.id for c in customers.find_customers(ctx, CustomerQuery(name="smith"))] == [pat.id]

    added = post(advisor, "/customers/new", {"name": "Patricia Smith", "phone": "+44 7700 900123",
                                             "service": "missed_bin_collection", "allow_duplicate": "yes"}, body)
    created = customers.find_customers(ctx, CustomerQuery(name="Patricia"))[0]
    assert added.status_code == 302 and added.headers["Location"].endswith(f"?customer={created.id}")


def test_someone_new_is_added_without_a_question(advisor, ctx, pat):  # noqa: F811
    form = page(advisor, "/customers/new")
    added = post(advisor, "/customers/new", {**PAT, "name": "Kim Smith", "phone": "", "email": ""}, form)
    assert added.status_code == 302
    assert [c.name for c in customers.find_customers(ctx, CustomerQuery(postcode="AN1 2BC"))] == [
        "Kim Smith", "Pat Smith"]
