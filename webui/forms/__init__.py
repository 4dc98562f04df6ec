"""Guided forms: JSON Schema (+ UI schema) and Camunda formField forms rendered as GOV.UK Design
System pages, validated on the server with plain-English messages. See docs/forms.md."""
from .form import Form

__all__ = ["Form"]
