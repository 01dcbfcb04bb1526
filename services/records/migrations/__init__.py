"""Alembic migrations of the records' database (`migrate` runs them; the service does at start-up)."""
