"""`HotspotScan`: each class found is told to the coordination centre once, however often the scan runs."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from temporalio.client import WorkflowFailureError
from temporalio.common import RetryPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from services.assessment.classes.hotspot_activities import ClassNotice
from services.assessment.classes.hotspot_scan import HotspotScan, ScanOutcome
from services.contracts.case_classes import HOTSPOT_SCAN_TYPE, ScanInput
from services.contracts.events import EventKind
from tests.workflows.assessment.memory_records import MemoryClasses
from tests.workflows.harness import PublishedEvents

CENTRE = "coordination-centre"
WATER = ClassNotice(
    class_id="5f0c7c1e-3d2a-5b7e-9a51-0c2f4e6d8b10",
    kind="item_township",
    kind_name="同一事项同一镇街",
    label="河口镇·城镇供水（同一事项同一镇街）",
    catalog_item="LS-06",
    township="hekou-town",
    case_count=6,
)
NOISE = WATER.model_copy(update={"class_id": "9d3b1a7e-0c4f-5e2d-8b61-3a7f0e9c2d41", "label": "同一地址反复反映"})


@pytest.fixture
def classes() -> MemoryClasses:
    return MemoryClasses()


@pytest.fixture
async def task_queue(
    env: WorkflowEnvironment, published: PublishedEvents, classes: MemoryClasses
) -> AsyncIterator[str]:
    queue = f"assessment-{uuid.uuid4()}"
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[HotspotScan],
        activities=[published.publish_notification, classes.scan_hotspots, classes.mark_classes_notified],
    ):
        yield queue


async def scan(env: WorkflowEnvironment, task_queue: str) -> ScanOutcome:
    outcome: ScanOutcome = await env.client.execute_workflow(
        HOTSPOT_SCAN_TYPE,
        ScanInput(),
        id=f"hotspot-scan-{uuid.uuid4()}",
        task_queue=task_queue,
        result_type=ScanOutcome,
    )
    return outcome


async def test_a_new_class_is_told_to_the_centre_once_however_often_the_scan_runs(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents, classes: MemoryClasses
) -> None:
    classes.found = [WATER]

    first = await scan(env, task_queue)
    second = await scan(env, task_queue)
    classes.found.append(NOISE)
    third = await scan(env, task_queue)

    assert (first.notified, second.notified, third.notified) == ([WATER.class_id], [], [NOISE.class_id])
    told = published.of_kind(EventKind.CASE_CLASS_FOUND)
    assert [(e.case_id, e.unit, e.audience.value) for e in told] == [
        (WATER.class_id, CENTRE, "coordination"),
        (NOISE.class_id, CENTRE, "coordination"),
    ]
    water = told[0]
    assert water.event_id == f"{WATER.class_id}:1"
    assert (water.title, water.detail, water.case_count) == (WATER.label, "同一事项同一镇街", 6)
    assert (water.catalog_item, water.township) == ("LS-06", "hekou-town")
    assert classes.notified[WATER.class_id] == water.occurred_at
    assert len(classes.scans) == 3


async def test_a_class_told_of_but_not_noted_is_told_again_with_the_same_event_id(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents, classes: MemoryClasses
) -> None:
    """The notifier and the bus drop the second by its id: the centre still hears of the class once."""
    classes.found = [WATER]
    classes.marking_fails = True
    handle = await env.client.start_workflow(
        HOTSPOT_SCAN_TYPE,
        ScanInput(),
        id=f"hotspot-scan-{uuid.uuid4()}",
        task_queue=task_queue,
        result_type=ScanOutcome,
        run_timeout=timedelta(minutes=5),  # the noting is retried until the run times out
        retry_policy=RetryPolicy(maximum_attempts=1),
    )
    with pytest.raises(WorkflowFailureError):
        await handle.result()
    classes.marking_fails = False

    again = await scan(env, task_queue)

    assert again.notified == [WATER.class_id]
    ids = [event.event_id for event in published.of_kind(EventKind.CASE_CLASS_FOUND)]
    assert ids == [f"{WATER.class_id}:1", f"{WATER.class_id}:1"]
