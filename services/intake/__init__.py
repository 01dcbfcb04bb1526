"""Intake: the HTTP API platforms and units call (FastAPI)."""
