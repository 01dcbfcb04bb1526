"""A class of cases planted for a test: tickets of one item in one township, the hotspot scan run until they are
found together as one class of the kind asked for (tickets of one grid make a grid's class too)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from temporalio.client import Client

from services.contracts.case_classes import HOTSPOT_SCAN_TYPE, ScanInput
from services.contracts.subjects import ASSESSMENT_TASK_QUEUE
from tests.support.polling import assert_eventually


async def planted_class(
    api: httpx.AsyncClient, temporal: Client, tickets: list[dict[str, Any]], *, kind: str = "item_township"
) -> tuple[str, list[str]]:
    """Submit `tickets` (one item, one township: enough of them to make a class), run the scan: the class of
    `kind` they make, and their case ids."""
    item, township = tickets[0]["category_code"], tickets[0]["township"]
    case_ids = []
    for body in tickets:
        response = await api.post("/v1/cases", json=body)
        assert response.status_code == 202, response.text
        case_ids.append(response.json()["case_id"])

    async def in_a_class() -> str:
        await temporal.execute_workflow(
            HOTSPOT_SCAN_TYPE,
            ScanInput(),
            id=f"hotspot-scan-test-{uuid.uuid4()}",
            task_queue=ASSESSMENT_TASK_QUEUE,
            result_type=dict,
        )
        params = {"item": item, "township": township, "kind": kind}
        response = await api.get("/v1/reports/hotspots", params=params)
        found: list[str] = [
            c["class_id"]
            for c in response.json()["classes"]
            if set(case_ids) <= {case["case_id"] for case in c["cases"]}
        ]
        assert len(found) == 1, "the cases are not in one class yet"
        return found[0]

    return await assert_eventually(in_a_class, timeout=60, what="the planted cases found as a class"), case_ids
