"""Notifier: delivers notification events to the units' channels, retrying until they arrive."""
