"""Time-skipping tests of `TriageCase` (services/workflows/triage/)."""
