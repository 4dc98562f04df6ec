"""Between the directory entry page's HTML form and an ``Entry``: lists typed as comma-separated
text, the review date in three boxes, a team chosen or typed new. What was typed is kept as typed,
so a page shown again after an error loses nothing; what cannot even be read (a date that is no
date, an LGSL id that is no number) is reported here, everything else by ``directory_entries.problems``
so the page, the API and the import refuse the same things with the same words."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from engine.catalogue import Entry
from engine.types import DirectoryAction, Sensitivity

DATE_PARTS = ("day", "month", "year")
REVIEW = "guidance_review_on"
TEXTS = ("key", "name", "synonyms", "lgsl", "description", "public_info", "guidance", "guidance_owner", "action",
         "process", "team", "new_team", "partner", "sensitivity", "related")
# What the front office does, in words (the list, the edit page's radios).
ACTIONS = {DirectoryAction.START.value: "Start a case",
           DirectoryAction.RESOLVE.value: "Resolve it at first contact",
           DirectoryAction.HAND_OFF.value: "Hand it off to a council team",
           DirectoryAction.REFER.value: "Refer it to a partner organisation"}
ACTION_HINTS = {DirectoryAction.START.value: "The advisor starts the service's mapped process",
                DirectoryAction.RESOLVE.value: "Information or advice given; the contact is recorded as resolved",
                DirectoryAction.HAND_OFF.value: "A short generic form goes to the team's inbox",
                DirectoryAction.REFER.value: "The details go to an organisation outside the council"}
SENSITIVITIES = {Sensitivity.NORMAL.value: "Normal", Sensitivity.RESTRICTED.value: "Restricted (need to know)"}


def _items(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.strip() for t in text.replace(";", ",").split(",") if t.strip()))


def _review_date(parts: Mapping[str, str]) -> date | None:
    """The review date typed in three boxes; None when all are empty; ValueError when not a date."""
    if not any(parts.values()):
        return None
    if not all(parts[p].isdigit() for p in DATE_PARTS) or len(parts["year"]) != 4:
        raise ValueError("not a date")
    return date(int(parts["year"]), int(parts["month"]), int(parts["day"]))


def read(form: Mapping[str, str], key: str | None) -> tuple[Entry, dict[str, Any], dict[str, str]]:
    """(entry, values as typed, problems reading them). ``key`` is the entry being changed (its key
    cannot change), or None for a new one (the key comes from the form)."""
    values: dict[str, Any] = {name: form.get(name, "").replace("\r\n", "\n").strip() for name in TEXTS}
    values[REVIEW] = {p: form.get(f"{REVIEW}-{p}", "").strip() for p in DATE_PARTS}
    if key is not None:
        values["key"] = key
    unreadable: dict[str, str] = {}
    lgsl = None
    if values["lgsl"]:
        if values["lgsl"].isascii() and values["lgsl"].isdigit():
            lgsl = int(values["lgsl"])
        else:
            unreadable["lgsl"] = "The LGSL id must be a whole number, for example 524"
    try:
        review = _review_date(values[REVIEW])
    except ValueError:
        review = None
        unreadable[REVIEW] = "The review date must be a real date, for example 31 3 2027"
    entry = Entry(key=values["key"], name=values["name"], action=values["action"], synonyms=_items(values["synonyms"]),
                  lgsl=lgsl, description=values["description"], public_info=values["public_info"],
                  guidance=values["guidance"], guidance_owner=values["guidance_owner"] or None,
                  guidance_review_on=review, process=values["process"] or None,
                  team=values["new_team"] or values["team"] or None, partner=values["partner"] or None,
                  sensitivity=values["sensitivity"] or Sensitivity.NORMAL.value, related=_items(values["related"]))
    return entry, values, unreadable


def values_of(entry: Entry | None) -> dict[str, Any]:
    """The form's values showing a saved entry (or a new one's defaults)."""
    if entry is None:
        return {**{name: "" for name in TEXTS}, "sensitivity": Sensitivity.NORMAL.value,
                REVIEW: {p: "" for p in DATE_PARTS}}
    review = entry.guidance_review_on
    return {"key": entry.key, "name": entry.name, "synonyms": ", ".join(entry.synonyms),
            "lgsl": "" if entry.lgsl is None else str(entry.lgsl), "description": entry.description,
            "public_info": entry.public_info, "guidance": entry.guidance, "guidance_owner": entry.guidance_owner or "",
            "action": str(entry.action), "process": entry.process or "", "team": entry.team or "", "new_team": "",
            "partner": entry.partner or "", "sensitivity": str(entry.sensitivity), "related": ", ".join(entry.related),
            REVIEW: {"day": str(review.day), "month": str(review.month), "year": str(review.year)} if review
            else {p: "" for p in DATE_PARTS}}


# The fields as the page shows them, so the error summary lists problems in the same order.
PAGE_ORDER = ("key", "name", "synonyms", "description", "lgsl", "action", "process", "team", "new_team", "partner",
              "sensitivity", "public_info", "guidance", "guidance_owner", REVIEW, "related")
# Where each field's message in the error summary links to (the first box of the date, the first radio).
ANCHORS = {REVIEW: f"{REVIEW}-day"}


def error_list(errors: Mapping[str, str]) -> list[dict[str, str]] | None:
    """The error summary's items, in the order the fields appear on the page."""
    ranked = sorted(errors, key=lambda name: PAGE_ORDER.index(name) if name in PAGE_ORDER else len(PAGE_ORDER))
    return [{"text": errors[name], "href": f"#{ANCHORS.get(name, name)}"} for name in ranked] or None


def options(names: list[str], chosen: str, empty: str) -> list[dict[str, Any]]:
    """A select's items: ``empty`` first, then ``names``; ``chosen`` kept even if it is not among them
    (an undeployed process named by an import), so the page shows what is saved."""
    shown = names if not chosen or chosen in names else [*names, chosen]
    return [{"value": "", "text": empty}] + [{"value": n, "text": n, "selected": n == chosen} for n in shown]
