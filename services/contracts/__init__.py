"""Contracts shared by every service: models, subject names, settings and telemetry setup. Pure code, no I/O."""
