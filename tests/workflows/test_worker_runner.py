"""The production worker's sandbox: our own modules passed through (one import shared by every case), the strict
sandbox on request; a case runs its whole life under the production runner as under the strict one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from services.contracts.case_actions import FeedbackReport, RatingSubmission, UnitAction
from services.contracts.case_view import RatingLevel
from services.contracts.case_workflow import CaseUpdate
from services.contracts.cases import CaseStatus
from services.contracts.events import EventKind
from services.workflows.settings import WorkflowsSettings
from services.workflows.worker import OWN_MODULES, workflow_runner
from tests.workflows.harness import Cases, PublishedEvents, Sources, WorkerTuning, case_worker


def test_by_default_our_modules_are_passed_through_the_sandbox() -> None:
    runner = workflow_runner(strict_sandbox=WorkflowsSettings().strict_sandbox)

    assert isinstance(runner, SandboxedWorkflowRunner)
    assert OWN_MODULES in runner.restrictions.passthrough_modules
    assert SandboxRestrictions.default.passthrough_modules < runner.restrictions.passthrough_modules


def test_the_strict_sandbox_keeps_temporal_s_default_restrictions() -> None:
    runner = workflow_runner(strict_sandbox=True)

    assert isinstance(runner, SandboxedWorkflowRunner)
    assert runner.restrictions == SandboxRestrictions.default
    assert OWN_MODULES not in runner.restrictions.passthrough_modules


@pytest.fixture
async def production_cases(
    env: WorkflowEnvironment, published: PublishedEvents, sources: Sources
) -> AsyncIterator[Cases]:
    tuning = WorkerTuning(workflow_runner=workflow_runner(strict_sandbox=False))
    async with case_worker(env, published, sources, tuning=tuning) as task_queue:
        yield Cases(env, task_queue, published, sources)


async def test_a_case_lives_its_whole_life_under_the_production_runner(production_cases: Cases) -> None:
    cases = production_cases
    case = await cases.start(unit="water")
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water", note="已安排"))
    await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit="water", message="今日抢修"))
    await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="已修复"))
    rating = RatingSubmission(speed=RatingLevel.SATISFIED, outcome=RatingLevel.SATISFIED)
    await case.act(CaseUpdate.RATE, rating)

    result = await case.result()

    assert (result.status, result.closed_reason, result.breaches) == (CaseStatus.CLOSED, "rated", [])
    kinds = [e.kind for e in cases.published.events]
    assert kinds[0] is EventKind.CASE_ASSIGNED and kinds[-1] is EventKind.CASE_CLOSED
