"""Workflows worker settings (`HOTLINE_*` and `HOTLINE_WORKFLOWS_*`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.contracts.settings import ServiceSettings


class WorkflowsSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_WORKFLOWS_", env_file=".env", extra="ignore", populate_by_name=True
    )

    ops_host: str = "127.0.0.1"
    ops_port: int = 9102
    fetch_batch: int = 64
    max_concurrent_workflow_tasks: int = 200
    max_concurrent_activities: int = 200
    # A full garbage collection walks every cached case while every case in the worker waits: ~250 objects a case
    # (~450 under the strict sandbox, which gives each its own copy of the workflow module), ~0.25 ms of pause each
    # (measured by `make bench`, docs/performance.md; 2000 cached meant pauses over a second under the strict
    # sandbox). Cases wait hours or days between actions, so one evicted from the cache is replayed from its short
    # history when it next wakes (milliseconds of CPU): more cases in flight want more workers, not a bigger cache.
    max_cached_workflows: int = 500
    strict_sandbox: bool = Field(
        default=False,
        description="Re-import each workflow's file into every case's sandbox (slower; what the workflow tests run).",
    )
    register_search_attributes: bool = Field(
        default=True, description="Add missing custom search attributes at start (needs operator rights)."
    )
    policy_file: Path | None = Field(default=None, description="Deadline policy JSON; the shipped default if unset.")
