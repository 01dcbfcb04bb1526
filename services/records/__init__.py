"""The case records: a PostgreSQL read model of every case, kept for years, built from the case event log."""
