"""Task forms as JSON Schema: loading, Camunda ``formField`` conversion, and validation with
plain-English messages per field (the same rules for the web, the API and the CLI).

Every form is validated by ``formschema.validator``: ``$ref`` only into the forms deployed with
it (``library``: file name -> text, e.g. the files of the case's process version), patterns on RE2.
A form is checked once per text (and library forms it reads), not on every use: ``formcache``.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from jsonschema.exceptions import ValidationError
from referencing.exceptions import Unresolvable

from ..errors import EngineError, FormInvalid
from . import formcache, formschema, widgets
from .formcache import Library

CAMUNDA_SUFFIX = ".camunda-form.json"  # file name of a form generated from camunda:formField

_CAMUNDA_TYPES = {"string": {"type": "string"}, "long": {"type": "integer"},
                  "boolean": {"type": "boolean"}, "date": {"type": "string", "format": "date"}}


def camunda_schema(task_name: str, fields: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON Schema equivalent of a Camunda Modeler generated form."""
    properties: dict[str, Any] = {}
    required = []
    for field in fields:
        if field["type"] == "enum" and field["values"]:
            prop: dict[str, Any] = {"oneOf": [{"const": v["id"], "title": v["name"]} for v in field["values"]]}
        else:
            prop = dict(_CAMUNDA_TYPES.get(field["type"], {"type": "string"}))
        prop["title"] = field["label"]
        if field.get("default") not in (None, ""):
            prop["default"] = _coerce_default(prop, field["default"])
        constraints = field.get("constraints") or {}
        if "required" in constraints:
            required.append(field["id"])
        for name, keyword in (("minlength", "minLength"), ("maxlength", "maxLength"),
                              ("min", "minimum"), ("max", "maximum")):
            if constraints.get(name) not in (None, ""):
                prop[keyword] = _number(constraints[name])
        properties[field["id"]] = prop
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": task_name,
            "type": "object", "properties": properties, "required": required}


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _coerce_default(prop: dict[str, Any], value: str) -> Any:
    if prop.get("type") == "integer":
        try:
            return int(value)
        except ValueError:
            return value
    if prop.get("type") == "boolean":
        return value.lower() == "true"
    return value


class FormUnusable(EngineError):
    """A stored form breaks the rules of ``formschema.check`` (it was stored before the check
    existed): it is never fetched or run, and an analyst must deploy a corrected form."""


def load_schema(text: str, library: Library | None = None, name: str = "the form") -> dict[str, Any]:
    """The schema in ``text``; raises ``SchemaError`` if it is not JSON Schema, and ``FormUnusable``
    if a ``$ref`` leaves ``library``, points at nothing or loops, or a pattern needs backtracking.
    The schema is shared with every caller that loads the same form: read it, never change it."""
    known = formcache.find(name, text, library)
    if known is not None:
        cached: dict[str, Any] = known.schema
        return cached
    formschema.check_meta(text)
    schema = json.loads(text)
    reads = formcache.Recording(library)  # the library forms the check reads: the entry is valid while they are
    if isinstance(schema, dict):
        findings = formschema.check(name, schema, reads).findings
        if findings:  # not kept: a form that fails is rare, and its message must name every use
            raise FormUnusable(f"The form {name} cannot be used until an analyst deploys a corrected version: "
                               + "; ".join(f"{f.file} at {f.pointer or '/'}: {f.message}" for f in findings[:3]))
    kept: dict[str, Any] = formcache.keep(name, text, schema, reads.reads).schema
    return kept


def with_task_data(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The form as this case shows it: SpiffArena's ``["options_from_task_data_var:<name>"]`` lists
    become the options held in the case's ``<name>`` (a list of ``{"value", "label"}``, or of plain
    values); raises FormUnusable, saying which variable, if the case has no such list."""
    def options(keyword: str, var: str) -> Any:
        found = data.get(var)
        if not isinstance(found, list) or not found:
            raise FormUnusable(f"The form takes its options from the case's '{var}', which "
                               + ("the case does not have" if var not in data else "is not a list with at least "
                                  "one option") + ": the process must set it before this task")
        if all(isinstance(o, dict) and "value" in o and "label" in o for o in found):
            choices: list[Any] = [{"const": o["value"], "title": str(o["label"])} for o in found]
        else:
            choices = [{"const": o, "title": str(o)} for o in found]
        return {"anyOf": choices} if keyword == "items" else choices
    replaced: dict[str, Any] = formschema.replace_task_data_options(schema, options)
    return replaced


def _field(error: ValidationError) -> str:
    if error.validator == "required":
        message: str = error.message  # "'name' is a required property"
        return message.split("'")[1]
    return ".".join(str(p) for p in error.absolute_path) or "_form"


def _label(schema: dict[str, Any], field: str) -> str:
    """The field's title as the subject of a sentence: a question's "?" is dropped, so "Which bin
    was missed?" gives "Select which bin was missed"."""
    prop = schema.get("properties", {}).get(field.split(".")[0], {})
    return (prop.get("title") or field.replace("_", " ")).strip().rstrip("?:").strip()


def _is_choice(prop: dict[str, Any]) -> bool:
    return "enum" in prop or "oneOf" in prop or prop.get("type") in ("boolean", "array")


def _message(schema: dict[str, Any], error: ValidationError) -> str:
    field = _field(error)
    prop = schema.get("properties", {}).get(field.split(".")[0], {})
    custom = prop.get("x-error-messages", {}).get(error.validator)
    if isinstance(custom, str) and custom:  # the schema is the analyst's JSON: anything else is ignored
        return custom
    label = _label(schema, field)
    lower = label if label[1:2].isupper() else label[:1].lower() + label[1:]  # keep "DVLA", "NI"
    keyword, limit = error.validator, error.validator_value
    if keyword == "required":
        return f"Select {lower}" if _is_choice(prop) else f"Enter {lower}"
    if keyword == "const" and limit is True:
        return f"Confirm that {lower}"
    if keyword in ("enum", "oneOf", "anyOf", "const"):
        return f"Select {lower} from the list"
    if keyword == "format" and limit == "date":
        return f"{label} must be a real date"
    if keyword == "format" and limit == "email":
        return "Enter an email address in the correct format, like name@example.com"
    if keyword == "type":
        kinds = {"integer": "a whole number", "number": "a number", "boolean": "yes or no",
                 "string": "text", "array": "a list", "object": "a group of answers"}
        return f"{label} must be {kinds.get(str(limit), str(limit))}"
    if keyword == "maxLength":
        return f"{label} must be {limit} characters or fewer"
    if keyword == "minLength":
        return f"Enter {lower}" if limit == 1 else f"{label} must be {limit} characters or more"
    if keyword in ("minimum", "maximum") and "minimum" in prop and "maximum" in prop:
        return f"{label} must be between {prop['minimum']} and {prop['maximum']}"
    if keyword == "minItems":
        return f"Select {lower}" if limit == 1 else f"Select at least {limit} options for {lower}"
    if keyword == "maxItems":
        return f"Select no more than {limit} options for {lower}"
    if keyword == "uniqueItems":
        return f"Select each option for {lower} only once"
    if keyword in ("minimum", "exclusiveMinimum"):
        return f"{label} must be {limit} or more"
    if keyword in ("maximum", "exclusiveMaximum"):
        return f"{label} must be {limit} or less"
    if keyword == "pattern":
        return f"Enter {lower} in the correct format"
    return f"{label}: {error.message}"


def errors_for(schema: dict[str, Any], data: dict[str, Any], library: Library | None = None,
               ui_schema: Any = None, today: date | None = None) -> dict[str, str]:
    """Field name -> plain-English message, first problem per field, in the form's order; with the
    form's UI schema, also what SpiffArena's widgets refuse (``widgets.errors``: date and number ranges),
    and dates outside SpiffArena's ``minimumDate``/``maximumDate`` (``today``: the UK day they mean;
    None: those against today are not checked)."""
    known = formcache.of(schema, library)
    validator = (known.derive("validator", lambda: formschema.validator(schema, known.library)) if known
                 else formschema.validator(schema, library))
    try:  # a form stored before it was checked: its references are still never fetched
        found = sorted(validator.iter_errors(data), key=lambda e: e.path)
    except Unresolvable as err:
        raise FormUnusable(f"The form cannot be used until an analyst deploys a corrected version: its $ref "
                           f"{getattr(err, 'ref', '')!r} is not within the forms deployed with it") from None
    except RecursionError:
        raise FormUnusable("The form cannot be used until an analyst deploys a corrected version: "
                           "its $refs loop") from None
    shown = formschema.with_properties_followed(schema, library)  # titles defined by reference
    errors: dict[str, str] = widgets.errors(shown, ui_schema, data) if ui_schema else {}
    for name, message in widgets.date_limit_errors(shown, data, today).items():
        errors.setdefault(name, message)
    for error in found:
        if _field(error).split(".")[0] not in errors:
            errors.setdefault(_field(error), _message(shown, error))
    order = list(schema.get("properties", {}))
    return dict(sorted(errors.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))


def validate(schema: dict[str, Any] | None, data: dict[str, Any], library: Library | None = None,
             ui_schema: Any = None, today: date | None = None) -> None:
    if schema is None:
        return
    errors = errors_for(schema, data, library, ui_schema, today)
    if errors:
        raise FormInvalid(errors)
