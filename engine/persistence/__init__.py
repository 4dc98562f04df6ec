"""Relational storage: tables, the database handle and the workflow-state serializer."""
