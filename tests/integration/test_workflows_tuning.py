"""The running workflows worker applies its garbage-collection setting (item 19 of docs/performance.md)."""

from __future__ import annotations

import json

from services.workflows.settings import WorkflowsSettings
from tests.support.system import RunningSystem


def test_the_worker_considers_a_full_collection_as_often_as_its_setting_says(system: RunningSystem) -> None:
    lines = [json.loads(line) for line in system.services["workflows"].log_text().splitlines() if line.startswith("{")]
    ready = [line for line in lines if line.get("event") == "workflows.ready"]

    assert ready, "the worker never logged that it was ready"
    assert ready[-1]["gc_threshold"][2] == WorkflowsSettings().gc_full_collection_every
