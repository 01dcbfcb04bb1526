"""Time-skipping tests of `FirstContactCase` (services/workflows/case/)."""
