"""The `TriageCase` workflow: a case waiting for the coordination centre's triage, and its activities."""
