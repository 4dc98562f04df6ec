"""A task's form as residents see it on the public pages: the UI schema's ``ui:public`` option words it
for them, or keeps a field for staff only.

In a UI schema, per field::

    "crew_report": {"ui:public": false}                 # staff only: never shown to residents
    "bin_out_by_7am": {"ui:public": {"title": "Was your bin out by 7am?",
                                     "help": "...", "options": {"not_sure": "I'm not sure"},
                                     "errors": {"required": "Select whether your bin was out by 7am"}}}

and at the top, ``"ui:public": {"title": "...", "description": "..."}`` for the page. Staff keep the
form's own wording. Words in another language sit under its code, beside the English:
``"ui:public": {"title": "Which bin?", "cy": {"title": "Pa fin?", "options": {...}, "errors": {...}}}``;
a word not given in that language stays English. A field kept for staff drops out of the form's ``required`` list and of any
condition that names it, so the resident's answers are checked by the rest; the front office
answers it when the case arrives (``engine.residents.web_reports``).

Also the resident's contact details, asked with the same renderer and validator as any form.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from engine.bpmn import Library

from .form import Form

PUBLIC = "ui:public"
CONTACT_PREFIX = "contact_"


@dataclass
class PublicForm:
    form: Form
    title: str | None
    description: str | None
    hidden: frozenset[str]


def _mentions(node: Any, names: frozenset[str]) -> bool:
    text = json.dumps(node)
    return any(f'"{name}"' in text for name in names)


def _in(words: Any, language: str) -> Any:
    """``ui:public`` words in ``language``: its own words over the English ones, key by key."""
    if not isinstance(words, dict):
        return words
    own = words.get(language) if language != "en" else None
    english = {k: v for k, v in words.items() if len(k) != 2}  # not the other languages' blocks
    if not isinstance(own, dict):
        return english
    merged = {**english, **own}
    for key in ("options", "errors"):
        if isinstance(english.get(key), dict) and isinstance(own.get(key), dict):
            merged[key] = {**english[key], **own[key]}
    return merged


def public_form(schema: dict[str, Any], ui_schema: dict[str, Any] | None, library: Library | None,
                language: str = "en") -> PublicForm:
    """``schema`` (as loaded: shared, so copied here) reworded and trimmed by its UI schema's ``ui:public``,
    in ``language`` where the UI schema gives its words."""
    schema, ui = copy.deepcopy(schema), copy.deepcopy(ui_schema or {})
    properties = schema.setdefault("properties", {})
    hidden = frozenset(name for name, u in ui.items() if isinstance(u, dict) and u.get(PUBLIC) is False)
    for name in hidden:
        properties.pop(name, None)
    schema["required"] = [r for r in schema.get("required", []) if r not in hidden]
    for key in ("allOf", "anyOf", "oneOf"):
        if key in schema:
            schema[key] = [c for c in schema[key] if not _mentions(c, hidden)] or [{}]
    if "if" in schema and _mentions({k: schema.get(k) for k in ("if", "then", "else")}, hidden):
        for key in ("if", "then", "else"):
            schema.pop(key, None)
    for name, u in ui.items():
        words = _in(u.get(PUBLIC), language) if isinstance(u, dict) else None
        if not isinstance(words, dict) or name not in properties:
            continue
        if words.get("title"):
            u["ui:title"] = words["title"]
        if words.get("help"):
            u["ui:help"] = words["help"]
        prop = properties[name] = dict(properties[name])
        options = words.get("options") or {}
        for key in ("oneOf", "anyOf"):
            if isinstance(prop.get(key), list):
                prop[key] = [dict(c, title=options[str(c["const"])]) if isinstance(c, dict) and
                             str(c.get("const")) in options else c for c in prop[key]]
        if isinstance(words.get("errors"), dict):
            prop["x-error-messages"] = {**prop.get("x-error-messages", {}), **words["errors"]}
    top = _in(ui.get(PUBLIC), language) if isinstance(ui.get(PUBLIC), dict) else {}
    return PublicForm(Form(schema, ui, library), top.get("title"), top.get("description"), hidden)


def contact_form() -> Form:
    """The resident's details: who they are, where, and how to reach them (names ``contact_*``)."""
    def text(title: str, most: int, required: str, **more: Any) -> dict[str, Any]:
        return {"type": "string", "title": title, "maxLength": most,
                "x-error-messages": {"required": required, "maxLength": _("%(title)s must be %(most)d characters "
                                                                           "or fewer", title=title, most=most)},
                **more}
    properties = {
        "name": text(_("Full name"), 200, _("Enter your full name")),
        "address": text(_("Address"), 500, _("Enter your address"), description=_("The building and street")),
        "postcode": text(_("Postcode"), 10, _("Enter your postcode")),
        "email": text(_("Email address"), 320, "", format="email",
                      description=_("We will email you a confirmation and your case reference")),
        "phone": text(_("UK phone number"), 30, "", description=_("For a text message if you give no email")),
    }
    properties["email"]["x-error-messages"]["format"] = _("Enter an email address in the correct format, "
                                                          "like name@example.com")
    schema = {"type": "object", "properties": {CONTACT_PREFIX + k: v for k, v in properties.items()},
              "required": [CONTACT_PREFIX + k for k in ("name", "address", "postcode")]}
    ui = {CONTACT_PREFIX + "name": {"ui:autocomplete": "name"},
          CONTACT_PREFIX + "address": {"ui:widget": "textarea", "ui:autocomplete": "street-address",
                                       "ui:options": {"rows": 3}},
          CONTACT_PREFIX + "postcode": {"ui:autocomplete": "postal-code"},
          CONTACT_PREFIX + "email": {"ui:autocomplete": "email"},
          CONTACT_PREFIX + "phone": {"ui:widget": "tel", "ui:autocomplete": "tel"}}
    return Form(schema, ui)


def contact_details(data: dict[str, Any]) -> dict[str, Any]:
    """The contact answers as ``engine.casework.customers`` takes them (without the prefix)."""
    return {k.removeprefix(CONTACT_PREFIX): v for k, v in data.items() if k.startswith(CONTACT_PREFIX)}
