"""The fault suite: kill each component under load, restart it, and reconcile from the outside."""
