"""Fields as GOV.UK Frontend components: the parameters each govuk-frontend-jinja macro is called
with, what was typed (or the saved answer) as the value, and the error message beside the field.

Kept free of Flask and Jinja so the schema -> component mapping is unit-tested directly;
``templates/forms/fields.html`` only calls the macro named here. The few words of our own (date parts,
"(optional)", the character count's messages) go through gettext, so the residents' Welsh pages have
them in Welsh (outside a request, and on staff pages, they stay English).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from flask_babel import get_locale, gettext as _
from markupsafe import Markup

from ..markdown import markdown_html
from . import address
from .model import Field, Kind, flatten

Values = dict[str, Any]  # field name -> str, list[str] (checkboxes) or {"day", "month", "year"}
Errors = dict[str, str]  # field name -> message


@dataclass
class Component:
    macro: str  # govukInput, govukTextarea, govukCharacterCount, govukRadios, govukCheckboxes, ...
    params: dict[str, Any]
    reveals: dict[str, list["Component"]] = field(default_factory=dict)  # radio value -> follow-ups


def _compact(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v not in (None, "", [], {})}


def _text(value: str | None) -> dict[str, str] | None:
    return {"text": value} if value else None


def _english() -> bool:
    """Whether the page is in English (also outside a request), where GOV.UK Frontend's own words are right."""
    return str(get_locale() or "en") == "en"


def _error(value: str | None) -> dict[str, str] | None:
    if not value:
        return None
    return {"text": value} if _english() else {"text": value, "visuallyHiddenText": _("Error")}


def _label(f: Field) -> str:
    # GOV.UK marks the optional questions, not the required ones.
    if f.required or f.conditional:
        return f.label
    optional = _("(optional)")
    return f"{f.label} {optional}"


def _width(f: Field) -> str | None:
    if f.kind is Kind.NUMBER:
        return "govuk-input--width-5"
    if f.kind is Kind.TEL:
        return "govuk-input--width-20"
    for limit in (5, 10, 20):
        if f.max_length is not None and f.max_length <= limit:
            return f"govuk-input--width-{limit}"
    return None


def _labelled(f: Field, value: Any, error: str | None) -> dict[str, Any]:
    return {"id": f.name, "name": f.name, "label": {"text": _label(f), "classes": "govuk-label--s"},
            "hint": _text(f.hint), "errorMessage": _error(error), "value": value or None}


def _fieldset(f: Field, error: str | None) -> dict[str, Any]:
    return {"name": f.name, "idPrefix": f.name, "hint": _text(f.hint), "errorMessage": _error(error),
            "fieldset": {"legend": {"text": _label(f), "classes": "govuk-fieldset__legend--s"}}}


def _input(f: Field, value: Any, error: str | None) -> Component:
    params = {**_labelled(f, value, error), "classes": _width(f), "autocomplete": f.autocomplete}
    if f.kind is Kind.EMAIL:
        params.update(type="email", spellcheck=False)
    elif f.kind is Kind.TEL:
        params["type"] = "tel"
    elif f.kind is Kind.NUMBER:
        params.update(inputmode="numeric" if f.value_type == "integer" else "decimal", spellcheck=False)
    return Component("govukInput", _compact(params))


def _textarea(f: Field, value: Any, error: str | None) -> Component:
    params = {**_labelled(f, value, error), "rows": f.rows or 5}
    if f.max_length:
        return Component("govukCharacterCount", _compact({**params, "maxlength": f.max_length, **_counts()}))
    return Component("govukTextarea", _compact(params))


def _counts() -> dict[str, Any]:
    """GOV.UK Frontend's character count messages in the page's language (every plural form Welsh has);
    none on English pages, where GOV.UK Frontend's own (with their singulars) are right."""
    if _english():
        return {}
    under, over = _("You have %{count} characters remaining"), _("You have %{count} characters too many")
    forms = ("zero", "one", "two", "few", "many", "other")
    return {"charactersUnderLimitText": dict.fromkeys(forms, under), "charactersOverLimitText": dict.fromkeys(forms, over),
            "charactersAtLimitText": _("You have 0 characters remaining"),
            "textareaDescriptionText": _("You can enter up to %{count} characters")}


def _date(f: Field, value: Any, error: str | None) -> Component:
    parts = value if isinstance(value, dict) else {}
    wrong = " govuk-input--error" if error else ""
    items = [{"name": part, "label": label, "classes": f"govuk-input--width-{width}{wrong}", "value": parts.get(part, "")}
             for part, label, width in (("day", _("Day"), 2), ("month", _("Month"), 2), ("year", _("Year"), 4))]
    params = {**_fieldset(f, error), "id": f.name, "namePrefix": f.name, "items": items}
    params["hint"] = _text(f.hint or _("For example, 27 3 2025"))
    for unused in ("name", "idPrefix"):
        params.pop(unused)
    return Component("govukDateInput", _compact(params))


def _choices(f: Field, value: Any, error: str | None) -> Component:
    chosen = set(value) if isinstance(value, list) else {value}
    items: list[dict[str, Any]] = []
    for i, o in enumerate(f.options):
        if o.group and (i == 0 or f.options[i - 1].group != o.group):  # a day's slots under the day
            items.append({"divider": o.group})
        # Under a heading, the radio shows the time; a screen reader moving radio to radio hears the day too.
        said = {"html": Markup('<span class="govuk-visually-hidden">{}, </span>{}').format(o.group, o.short)} \
            if o.group and o.short else {"text": o.label}
        items.append(_compact({"value": o.value, **said, "hint": _text(o.hint), "checked": o.value in chosen or None}))
    if f.kind is Kind.SELECT:
        placeholder = {"value": "", "text": _("Select an option")}
        params = {**_labelled(f, None, error), "items": [placeholder, *items], "value": value or None}
        return Component("govukSelect", _compact(params))
    if f.kind is Kind.CHECKBOX:
        params = {"name": f.name, "idPrefix": f.name, "errorMessage": _error(error),
                  "items": [_compact({"value": "true", "text": f.label, "hint": _text(f.hint),
                                      "checked": value in ("true", True) or None})]}
        return Component("govukCheckboxes", _compact(params))
    params = {**_fieldset(f, error), "classes": "govuk-radios--inline" if f.inline else (
        "cf-slots" if f.booking else None)}
    if not items and f.booking:  # no free slot to offer (or a preview, which offers none)
        params["hint"] = _text(_("There are no free appointments to offer at the moment"))
        params["fieldset"] = {**params["fieldset"], "attributes": {"id": f.name}}  # where its error links to
    # "items" even when empty: the macro reads params.items, which would otherwise be the dict's own method
    return Component("govukRadios" if f.kind is Kind.RADIOS else "govukCheckboxes", {**_compact(params), "items": items})


def _address(f: Field, value: Any, error: str | None) -> Component:
    return Component("cfAddressLookup", address.params(f.name, _label(f), f.hint, value, error))


def _typeahead(f: Field, value: Any, error: str | None) -> Component:
    """A text box whose suggestions are a native ``<datalist>``: filled when the page is made (and by
    /static/typeahead.js, from the task's suggestions address, as the person types)."""
    value = value if isinstance(value, dict) else {"text": value or ""}
    params = {**_labelled(f, value.get("text"), error), "autocomplete": "off", "spellcheck": False,
              "attributes": _compact({"list": f"{f.name}-suggestions", "data-cf-typeahead": value.get("source")})}
    return Component("cfTypeahead", {"input": _compact(params), "list_id": f"{f.name}-suggestions",
                                     "suggestions": value.get("suggestions") or []})


def _formatted_number(f: Field, value: Any, error: str | None) -> Component:
    prefix = str(f.settings.get("prefix") or "")
    if prefix and isinstance(value, str) and value.startswith(prefix):  # "£" typed as well as shown
        value = value.removeprefix(prefix).strip()
    params = {**_labelled(f, value, error), "classes": "govuk-input--width-10", "spellcheck": False,
              "inputmode": "numeric" if f.value_type == "integer" else "decimal",
              "prefix": _text(f.settings.get("prefix")), "suffix": _text(f.settings.get("suffix"))}
    return Component("govukInput", _compact(params))


def _date_range(f: Field, value: Any, error: str | None) -> Component:
    """Two GOV.UK date inputs, each its own fieldset, inside the question's fieldset."""
    value = value if isinstance(value, dict) else {}
    parts = [_date(Field(Kind.DATE, f"{f.name}-{end}", label, required=True), value.get(end), error and "")
             for end, label in (("start", _("Start date")), ("end", _("End date")))]
    for part in parts:  # the question's error is shown once, above both; the boxes are marked
        part.params["fieldset"]["legend"]["classes"] = "govuk-fieldset__legend--s"
        if error:
            part.params["items"] = [{**i, "classes": f"{i['classes']} govuk-input--error"} for i in part.params["items"]]
    return Component("cfPair", {"fieldset": _fieldset(f, error), "parts": parts, "id": f.name})


def _numeric_range(f: Field, value: Any, error: str | None) -> Component:
    value = value if isinstance(value, dict) else {}
    inner = f.prop.get("properties") if isinstance(f.prop.get("properties"), dict) else {}
    low, high = f.prop.get("minimum"), f.prop.get("maximum")
    parts = []
    for end, default in (("min", _("Minimum")), ("max", _("Maximum"))):
        title = (inner.get(end) or {}).get("title") if isinstance(inner.get(end), dict) else None
        sub = Field(Kind.NUMBER, f"{f.name}-{end}", str(title or default), required=True, value_type="number")
        built = _input(sub, value.get(end), None)
        built.params["label"]["classes"] = "govuk-label--s"
        if error:
            built.params["classes"] = f"{built.params.get('classes', '')} govuk-input--error".strip()
        parts.append(built)
    fieldset = _fieldset(f, error)
    if fieldset.get("hint") is None and isinstance(low, (int, float)) and isinstance(high, (int, float)):
        fieldset["hint"] = {"text": _("Between %(low)s and %(high)s", low=f"{low:,}", high=f"{high:,}")}
    return Component("cfPair", {"fieldset": fieldset, "parts": parts, "id": f.name})


def _content(f: Field, value: Any, error: str | None) -> Component:
    return Component("cfMarkdown", {"html": markdown_html(f.text)})


_BUILDERS: dict[Kind, Callable[[Field, Any, str | None], Component]] = {
    Kind.TEXT: _input, Kind.EMAIL: _input, Kind.TEL: _input, Kind.NUMBER: _input,
    Kind.TEXTAREA: _textarea, Kind.DATE: _date, Kind.RADIOS: _choices, Kind.SELECT: _choices,
    Kind.CHECKBOXES: _choices, Kind.CHECKBOX: _choices, Kind.ADDRESS: _address, Kind.CONTENT: _content,
    Kind.TYPEAHEAD: _typeahead, Kind.FORMATTED_NUMBER: _formatted_number, Kind.DATE_RANGE: _date_range,
    Kind.NUMERIC_RANGE: _numeric_range,
}


def component(f: Field, values: Values, errors: Errors) -> Component:
    """The GOV.UK component for one field, its follow-up questions included."""
    built = _BUILDERS[f.kind](f, values.get(f.name), errors.get(f.name))
    built.reveals = {value: [component(sub, values, errors) for sub in subs] for value, subs in f.reveals.items()}
    return built


def by_field(errors: Errors) -> Errors:
    """One message per top-level field: "evidence.0" (a wrong item of a list) counts as "evidence"."""
    out: Errors = {}
    for name, message in errors.items():
        out.setdefault(name.split(".")[0], message)
    return out


def components(fields: list[Field], values: Values | None = None, errors: Errors | None = None) -> list[Component]:
    return [component(f, values or {}, by_field(errors or {})) for f in fields]


def error_list(fields: list[Field], errors: Errors) -> list[dict[str, str]]:
    """The error summary's entries in page order, each linking to its field's first input."""
    errors = by_field(errors)
    anchors = {f.name: f.anchor for f in flatten(fields)}
    order = list(anchors)
    ranked = sorted(errors.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
    return [_compact({"text": message, "href": f"#{anchors[name]}" if name in anchors else None})
            for name, message in ranked]
