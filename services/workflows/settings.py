"""Workflows worker settings (`HOTLINE_*` and `HOTLINE_WORKFLOWS_*`)."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from services.contracts.settings import ServiceSettings


class WorkflowsSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_WORKFLOWS_", env_file=".env", extra="ignore", populate_by_name=True
    )

    ops_host: str = "127.0.0.1"
    ops_port: int = 9102
    fetch_batch: int = 64
    # A workflow task runs only on a cached case, so more tasks at once than cached cases would only wait.
    max_concurrent_workflow_tasks: int = Field(default=100, ge=1)
    max_concurrent_activities: int = 200
    # A full garbage collection stops every case in the worker for as long as it takes to walk the cached cases
    # (~300 objects each) and to free the evicted ones, and cases wait hours or days between actions: one evicted
    # from the cache is replayed from its short history when it next wakes (milliseconds of CPU). The cache only has
    # to hold a case through its first second of work. At 10 cases/s on the bench machine, 500 cached meant full
    # collections of ~420 ms, 100 of ~260 ms, and 100 with `gc_full_collection_every` 3 of 100–133 ms (the webhook's
    # worst case 628 → 294 ms; docs/performance.md, item 19). More cases in flight want more workers, not a bigger
    # cache.
    max_cached_workflows: int = Field(default=100, ge=1)
    gc_full_collection_every: int = Field(
        default=3,
        ge=1,
        description="Consider a full garbage collection after this many generation-1 collections (CPython: 10): "
        "shorter, more frequent full collections.",
    )
    strict_sandbox: bool = Field(
        default=False,
        description="Re-import each workflow's file into every case's sandbox (slower; what the workflow tests run).",
    )
    register_search_attributes: bool = Field(
        default=True, description="Add missing custom search attributes at start (needs operator rights)."
    )
    policy_file: Path | None = Field(default=None, description="Deadline policy JSON; the shipped default if unset.")

    @model_validator(mode="after")
    def _tasks_fit_the_cache(self) -> Self:
        if self.max_concurrent_workflow_tasks > self.max_cached_workflows:
            raise ValueError(
                f"max_concurrent_workflow_tasks ({self.max_concurrent_workflow_tasks}) must not exceed "
                f"max_cached_workflows ({self.max_cached_workflows}): a workflow task runs only on a cached case"
            )
        return self
