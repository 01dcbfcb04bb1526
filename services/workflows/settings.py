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
    # Each cached case holds its own copy of the workflow module (the sandbox): ~0.3 MB, measured by `make bench`.
    # Cases wait days between actions, so a case evicted from the cache is replayed when it next wakes (a short
    # history, milliseconds); 2000 keeps the worker near 0.8 GiB whatever the number of open cases.
    max_cached_workflows: int = 2000
    register_search_attributes: bool = Field(
        default=True, description="Add missing custom search attributes at start (needs operator rights)."
    )
    policy_file: Path | None = Field(default=None, description="Deadline policy JSON; the shipped default if unset.")
