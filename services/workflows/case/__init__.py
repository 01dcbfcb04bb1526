"""The `FirstContactCase` workflow: its state and public view, event log, rules, alarms and the steps of its life."""
