"""Time-skipping tests of `TopLevelCoordination` (services/workflows/top_level/)."""
