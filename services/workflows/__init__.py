"""Workflows: durable first-contact cases on Temporal, started from routed cases on NATS."""
