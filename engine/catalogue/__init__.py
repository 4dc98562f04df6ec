"""The directory of services the front office answers for: its entries, the service search and its words, taking a
contact about an entry, the Open Referral feed, import and export.

This ``__init__`` is the wing's face: the names the web app, the API, the CLI, adapters and other
wings use, loaded from their modules when first asked for (``engine/faces.py``). Anything else in
the wing is its own business."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..faces import face

if TYPE_CHECKING:
    from .directory import Service, a_to_z, all_services, get_service, search
    from .directory_actions import RESOLUTIONS, EntryPage, WrongAction, entry_page, related_services, take_contact
    from .directory_entries import (
        LIMITS, MAX_LGSL, PARTNER_LIMITS, Entry, PartnerInfo, entry_exists, form_problems, get_entry, get_partner,
        list_entries, list_partners, remove_entry, save_entry, set_partner,
    )
    from .directory_feed import FeedIds, PublicService, find_public_service, public_services, published_lgsl_ids
    from .directory_files import MAX_ROWS, DirectoryImportRefused, export_csv, export_json, import_directory, read
    from .search_words import (
        Synonym, bring_back, drop_synonym, keywords, list_synonyms, phrase, save_keywords, save_synonym,
    )

__all__ = [
    "a_to_z", "all_services", "bring_back", "DirectoryImportRefused", "drop_synonym", "Entry", "entry_exists",
    "entry_page", "EntryPage", "export_csv", "export_json", "FeedIds", "find_public_service", "form_problems",
    "get_entry", "get_partner", "get_service", "import_directory", "keywords", "LIMITS", "list_entries",
    "list_partners", "list_synonyms", "MAX_LGSL", "MAX_ROWS", "PARTNER_LIMITS", "PartnerInfo", "phrase",
    "public_services", "PublicService", "published_lgsl_ids", "read", "related_services", "remove_entry", "RESOLUTIONS",
    "save_entry", "save_keywords", "save_synonym", "search", "Service", "set_partner", "Synonym", "take_contact",
    "WrongAction",
]

if not TYPE_CHECKING:  # mypy reads the imports above; at run time a name is read when first asked for
    __getattr__ = face(__name__, {
        "a_to_z": "directory", "all_services": "directory", "bring_back": "search_words",
        "DirectoryImportRefused": "directory_files", "drop_synonym": "search_words", "Entry": "directory_entries",
        "entry_exists": "directory_entries", "entry_page": "directory_actions", "EntryPage": "directory_actions",
        "export_csv": "directory_files", "export_json": "directory_files", "FeedIds": "directory_feed",
        "find_public_service": "directory_feed", "form_problems": "directory_entries", "get_entry": "directory_entries",
        "get_partner": "directory_entries", "get_service": "directory", "import_directory": "directory_files",
        "keywords": "search_words", "LIMITS": "directory_entries", "list_entries": "directory_entries",
        "list_partners": "directory_entries", "list_synonyms": "search_words", "MAX_LGSL": "directory_entries",
        "MAX_ROWS": "directory_files", "PARTNER_LIMITS": "directory_entries", "PartnerInfo": "directory_entries",
        "phrase": "search_words", "public_services": "directory_feed", "PublicService": "directory_feed",
        "published_lgsl_ids": "directory_feed", "read": "directory_files", "related_services": "directory_actions",
        "remove_entry": "directory_entries", "RESOLUTIONS": "directory_actions", "save_entry": "directory_entries",
        "save_keywords": "search_words", "save_synonym": "search_words", "search": "directory", "Service": "directory",
        "set_partner": "directory_entries", "Synonym": "search_words", "take_contact": "directory_actions",
        "WrongAction": "directory_actions",
    })
