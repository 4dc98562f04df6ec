"""Cases and their tasks: the case writer (the one unit of work per case), starting and working cases, hand-back,
notes, documents, messages, the projection people query, customers and finding a case, repeat contacts, and the read
models of the inbox.

This ``__init__`` is the wing's face: the names the web app, the API, the CLI, adapters and other
wings use, loaded from their modules when first asked for (``engine/faces.py``). Anything else in
the wing is its own business."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..faces import face

if TYPE_CHECKING:
    from .casedata import DataTooLarge, check_bounds
    from .cases import (
        assign_task, bulk_assign, cancel_case, claim_task, complete_task, list_tasks, retry_case, show_case, start_case,
        unclaim_task,
    )
    from .casesearch import CaseSearch, MAX_TEXT as MAX_SEARCH_TEXT, find_cases
    from .contacts import KIND_LABELS, MAX_TEXT as MAX_CONTACT_TEXT, list_contacts, log_contact
    from .customers import (
        POSTCODE, CustomerQuery, CustomerView, PossibleDuplicates, contact_outcome, create_customer, customer_history,
        customer_page, find_customers, get_customer, normal_postcode, search_keys, search_words, update_customer,
    )
    from .documents import MAX_BYTES, SAFE_TYPES, add_document, filing_operation, get_document, list_documents
    from .handback import answer_question, case_questions, get_question, hand_back, open_questions, task_questions
    from .messages import deliver_message
    from .notes import add_note, list_notes
    from .queries import (
        ACTIVE, TASK_SORTS, TaskFilter, case_header, deployed_file, display_names, open_tasks_by_team, processes,
        require_case_visible, sla_remaining, task_page, team_counts, team_members, versions,
    )
    from .taskforms import FormTexts, TaskForm, case_forms, get_task_form, next_task, version_forms
    from .typeahead import Suggestion, typeahead_answer, typeahead_suggestions
    from .views import CaseView, EventView, TaskView

__all__ = [
    "ACTIVE", "add_document", "add_note", "answer_question", "assign_task", "bulk_assign", "cancel_case", "case_forms",
    "case_header", "case_questions", "CaseSearch", "CaseView", "check_bounds", "claim_task", "complete_task",
    "contact_outcome", "create_customer", "customer_history", "customer_page", "CustomerQuery", "CustomerView",
    "DataTooLarge", "deliver_message", "deployed_file", "display_names", "EventView", "filing_operation", "find_cases",
    "find_customers", "FormTexts", "get_customer", "get_document", "get_question", "get_task_form", "hand_back",
    "KIND_LABELS", "list_contacts", "list_documents", "list_notes", "list_tasks", "log_contact", "MAX_BYTES",
    "MAX_CONTACT_TEXT", "MAX_SEARCH_TEXT", "next_task", "normal_postcode", "open_questions", "open_tasks_by_team",
    "PossibleDuplicates", "POSTCODE", "processes", "require_case_visible", "retry_case", "SAFE_TYPES", "search_keys",
    "search_words", "show_case", "sla_remaining", "start_case", "task_page", "task_questions", "TASK_SORTS",
    "TaskFilter", "TaskForm", "TaskView", "team_counts", "team_members", "unclaim_task", "update_customer",
    "version_forms", "versions", "Suggestion", "typeahead_answer", "typeahead_suggestions",
]

if not TYPE_CHECKING:  # mypy reads the imports above; at run time a name is read when first asked for
    __getattr__ = face(__name__, {
        "ACTIVE": "queries", "add_document": "documents", "add_note": "notes", "answer_question": "handback",
        "assign_task": "cases", "bulk_assign": "cases", "cancel_case": "cases", "case_forms": "taskforms",
        "case_header": "queries", "case_questions": "handback", "CaseSearch": "casesearch", "CaseView": "views",
        "check_bounds": "casedata", "claim_task": "cases", "complete_task": "cases", "contact_outcome": "customers",
        "create_customer": "customers", "customer_history": "customers", "customer_page": "customers",
        "CustomerQuery": "customers", "CustomerView": "customers", "DataTooLarge": "casedata",
        "deliver_message": "messages", "deployed_file": "queries", "display_names": "queries", "EventView": "views",
        "filing_operation": "documents", "find_cases": "casesearch", "find_customers": "customers",
        "FormTexts": "taskforms", "get_customer": "customers", "get_document": "documents", "get_question": "handback",
        "get_task_form": "taskforms", "hand_back": "handback", "KIND_LABELS": "contacts", "list_contacts": "contacts",
        "list_documents": "documents", "list_notes": "notes", "list_tasks": "cases", "log_contact": "contacts",
        "MAX_BYTES": "documents", "MAX_CONTACT_TEXT": "contacts:MAX_TEXT", "MAX_SEARCH_TEXT": "casesearch:MAX_TEXT",
        "next_task": "taskforms", "normal_postcode": "customers", "open_questions": "handback",
        "open_tasks_by_team": "queries", "PossibleDuplicates": "customers", "POSTCODE": "customers",
        "processes": "queries", "require_case_visible": "queries", "retry_case": "cases", "SAFE_TYPES": "documents",
        "search_keys": "customers", "search_words": "customers", "show_case": "cases", "sla_remaining": "queries",
        "start_case": "cases", "task_page": "queries", "task_questions": "handback", "TASK_SORTS": "queries",
        "TaskFilter": "queries", "TaskForm": "taskforms", "TaskView": "views", "team_counts": "queries",
        "team_members": "queries", "unclaim_task": "cases", "update_customer": "customers",
        "version_forms": "taskforms", "versions": "queries", "Suggestion": "typeahead",
        "typeahead_answer": "typeahead", "typeahead_suggestions": "typeahead",
    })
