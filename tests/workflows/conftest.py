"""Fixtures of the workflow tests: one time-skipping server per test (each test skips time on its own clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.workflows.harness import Cases, PublishedEvents, Sources, TriageOutbox, case_worker, start_time_skipping


@pytest.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    env = await start_time_skipping()
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture
def published() -> PublishedEvents:
    return PublishedEvents()


@pytest.fixture
def sources() -> Sources:
    """The default policy file and the library calendar; assign `sources.policy` before starting a case to change."""
    return Sources()


@pytest.fixture
def outbox() -> TriageOutbox:
    """Stands in for the triage workflow's record and routed-case publication."""
    return TriageOutbox()


@pytest.fixture
async def task_queue(
    env: WorkflowEnvironment, published: PublishedEvents, sources: Sources, outbox: TriageOutbox
) -> AsyncIterator[str]:
    """A worker for case and triage workflows on a fresh task queue, with the triage outbox."""
    async with case_worker(env, published, sources, outbox) as queue:
        yield queue


@pytest.fixture
async def cases(env: WorkflowEnvironment, published: PublishedEvents, sources: Sources) -> AsyncIterator[Cases]:
    async with case_worker(env, published, sources) as task_queue:
        yield Cases(env, task_queue, published, sources)
