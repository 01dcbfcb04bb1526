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
    # Each cached case is ~450 objects and ~0.3 MB (its own copy of the workflow module in the sandbox, its state), and
    # a full garbage collection walks them all while every case in the worker waits: ~0.45 ms per cached case
    # (measured by `make bench`; 2000 cached meant pauses over a second, a call→webhook p99 of 1.5 s at 9 cases/s).
    # Cases wait hours or days between actions, so one evicted from the cache is replayed from its short history
    # when it next wakes (~35 ms of CPU); 500 keeps pauses near a quarter of a second and the worker small.
    max_cached_workflows: int = 500
    strict_sandbox: bool = Field(
        default=False,
        description="Re-import each workflow's file into every case's sandbox (slower; what the workflow tests run).",
    )
    register_search_attributes: bool = Field(
        default=True, description="Add missing custom search attributes at start (needs operator rights)."
    )
    policy_file: Path | None = Field(default=None, description="Deadline policy JSON; the shipped default if unset.")
