"""Admin pages, one blueprint a subject, all admitted to admins only."""
