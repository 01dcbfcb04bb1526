"""The worker's tuning settings: defaults that fit together, and a clear refusal of ones that do not."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.workflows.settings import WorkflowsSettings


def test_by_default_every_concurrent_workflow_task_has_a_cached_case_to_run_on() -> None:
    settings = WorkflowsSettings()

    assert settings.max_concurrent_workflow_tasks <= settings.max_cached_workflows
    assert settings.gc_full_collection_every >= 1


def test_more_concurrent_workflow_tasks_than_cached_cases_is_refused_naming_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOTLINE_WORKFLOWS_MAX_CACHED_WORKFLOWS", "50")
    monkeypatch.setenv("HOTLINE_WORKFLOWS_MAX_CONCURRENT_WORKFLOW_TASKS", "80")

    with pytest.raises(ValidationError) as refused:
        WorkflowsSettings()

    assert "max_concurrent_workflow_tasks (80)" in str(refused.value)
    assert "max_cached_workflows (50)" in str(refused.value)


def test_as_many_concurrent_workflow_tasks_as_cached_cases_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_WORKFLOWS_MAX_CACHED_WORKFLOWS", "50")
    monkeypatch.setenv("HOTLINE_WORKFLOWS_MAX_CONCURRENT_WORKFLOW_TASKS", "50")

    assert WorkflowsSettings().max_concurrent_workflow_tasks == 50


@pytest.mark.parametrize("field", ["max_cached_workflows", "max_concurrent_workflow_tasks", "gc_full_collection_every"])
def test_a_count_below_one_is_refused_naming_its_field(monkeypatch: pytest.MonkeyPatch, field: str) -> None:
    monkeypatch.setenv(f"HOTLINE_WORKFLOWS_{field.upper()}", "0")

    with pytest.raises(ValidationError) as refused:
        WorkflowsSettings()

    assert field in str(refused.value)
