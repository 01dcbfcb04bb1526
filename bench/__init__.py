"""Benchmarks: what the pipeline sustains against what Temporal alone does on the same machine."""
