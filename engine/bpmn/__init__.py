"""Process maps: hardened XML, the SpiffArena, Camunda 7 and Camunda 8 dialects, lint, upload bundles, the registry of
versions, the script sandbox and its size guards, the runtime (the only code that touches SpiffWorkflow's
workflows), saved states and their migrations, compaction, timers, model tests, form schemas and what diagrams show.

This ``__init__`` is the wing's face: the names the web app, the API, the CLI, adapters and other
wings use, loaded from their modules when first asked for (``engine/faces.py``). Anything else in
the wing is its own business."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..faces import face

if TYPE_CHECKING:
    from .data_stores import KINDS, list_stores, set_store, show_store
    from .diagrams import case_highlights, diagram, diagram_xml, process_summaries
    from .formcache import Library
    from .forms import FormUnusable, errors_for, load_schema, with_task_data
    from .formschema import is_form_name, with_properties_followed
    from .modeltest import run_path
    from .registry import UPLOAD_SUFFIXES, Deployment, check, deploy, read_paths
    from .runtime import Runtime
    from .savedstate import LoadedSpec, spec_from_dict, spec_to_dict
    from .script_copies import GuardedDict, GuardedList, check_method, check_slice, counted, sized_method
    from .script_limits import BINARY, charge, check_text, format_spec, guarded_sum, mod
    from .script_deadline import run_bounded
    from .statemigrations import SERIALIZER_VERSION
    from .widgets import (
        Widget, date_range, date_range_parts, item_text, number_from_text, number_text, options as widget_options,
        stored_item,
        widget_of,
    )

__all__ = [
    "BINARY", "case_highlights", "charge", "check", "check_method", "check_slice", "check_text", "counted", "deploy",
    "Deployment", "diagram", "diagram_xml", "errors_for", "format_spec", "FormUnusable", "guarded_sum", "GuardedDict",
    "GuardedList", "is_form_name", "KINDS", "Library", "list_stores", "load_schema", "LoadedSpec", "mod",
    "process_summaries", "read_paths", "run_bounded", "run_path", "Runtime", "SERIALIZER_VERSION", "set_store",
    "show_store", "sized_method", "spec_from_dict", "spec_to_dict", "UPLOAD_SUFFIXES", "with_properties_followed",
    "with_task_data", "Widget", "date_range", "date_range_parts", "item_text", "number_from_text", "number_text",
    "stored_item", "widget_of", "widget_options",
]

if not TYPE_CHECKING:  # mypy reads the imports above; at run time a name is read when first asked for
    __getattr__ = face(__name__, {
        "BINARY": "script_limits", "case_highlights": "diagrams", "charge": "script_limits", "check": "registry",
        "check_method": "script_copies", "check_slice": "script_copies", "check_text": "script_limits",
        "counted": "script_copies", "deploy": "registry", "Deployment": "registry", "diagram": "diagrams",
        "diagram_xml": "diagrams", "errors_for": "forms", "format_spec": "script_limits", "FormUnusable": "forms",
        "guarded_sum": "script_limits", "GuardedDict": "script_copies", "GuardedList": "script_copies",
        "is_form_name": "formschema", "KINDS": "data_stores", "Library": "formcache", "list_stores": "data_stores",
        "load_schema": "forms", "LoadedSpec": "savedstate", "mod": "script_limits", "process_summaries": "diagrams",
        "read_paths": "registry", "run_bounded": "script_deadline", "run_path": "modeltest", "Runtime": "runtime",
        "SERIALIZER_VERSION": "statemigrations", "set_store": "data_stores", "show_store": "data_stores",
        "sized_method": "script_copies", "spec_from_dict": "savedstate", "spec_to_dict": "savedstate",
        "UPLOAD_SUFFIXES": "registry", "with_properties_followed": "formschema", "with_task_data": "forms",
        "Widget": "widgets", "date_range": "widgets", "date_range_parts": "widgets", "item_text": "widgets",
        "number_from_text": "widgets", "number_text": "widgets", "stored_item": "widgets", "widget_of": "widgets", "widget_options": "widgets:options",
    })
