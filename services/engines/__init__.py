"""Connections to the engines (NATS JetStream, Temporal) and the process plumbing every service shares."""
