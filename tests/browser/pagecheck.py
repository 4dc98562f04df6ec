"""Structural checks every rendered page must pass (GOV.UK Notify checks the same): a title,
unique ids, a label for every input, and every in-page reference pointing at something."""
from __future__ import annotations

from collections import Counter

from lxml import html as lxml_html

UNLABELLED_TYPES = {"hidden", "submit", "button", "image", "reset"}


def problems(page: str) -> list[str]:
    """What is wrong with ``page`` (empty: nothing)."""
    doc = lxml_html.document_fromstring(page)
    found = []
    title = doc.findtext(".//title")
    if not title or not title.strip():
        found.append("no <title>")
    ids = Counter(doc.xpath("//@id"))
    found += [f"id '{i}' is used {n} times" for i, n in ids.items() if n > 1]
    labelled = set(doc.xpath("//label/@for"))
    for control in doc.xpath("//input | //select | //textarea"):
        if control.tag == "input" and control.get("type", "text") in UNLABELLED_TYPES:
            continue
        ident = control.get("id")
        if not (ident in labelled or control.get("aria-labelledby") or control.get("aria-label")
                or control.xpath("ancestor::label")):
            found.append(f"{control.tag} name='{control.get('name')}' has no label")
    for attribute in ("aria-describedby", "aria-labelledby", "aria-controls", "data-aria-controls"):
        for element in doc.xpath(f"//*[@{attribute}]"):
            found += [f"{attribute} points at missing id '{ref}'"
                      for ref in element.get(attribute).split() if ref not in ids]
    for href in doc.xpath("//a/@href"):
        if href.startswith("#") and len(href) > 1 and href[1:] not in ids:
            found.append(f"link to missing id '{href}'")
    return found


def assert_good_page(page: str) -> None:
    found = problems(page)
    assert found == [], "\n".join(found)
