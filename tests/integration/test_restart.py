"""State survives a full stop and start of the whole system, as `make run` stopped and started.

Killing one component at a time under load (a worker kill, a NATS restart) is the fault suite's:
`tests/integration/test_fault_suite.py`, and all six components in `make chaos`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.integration.test_end_to_end import wait_for_status
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body


@pytest_asyncio.fixture(scope="module")
async def own_system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningSystem]:
    """A system of its own: this test stops and starts it."""
    running = await RunningSystem.start(tmp_path_factory.mktemp("restart"))
    try:
        yield running
    finally:
        running.stop()


async def test_open_cases_survive_a_full_stop_and_start(own_system: RunningSystem) -> None:
    async with own_system.client() as api:
        body = ticket_body()
        case_id = (await api.post("/v1/cases", json=body)).json()["case_id"]
        await wait_for_status(api, case_id, "assigned")
        assert (await api.post(f"/v1/cases/{case_id}/accept", json={"unit": "water"})).status_code == 200

    own_system.stop()
    for engine in (own_system.nats, own_system.temporal):
        await engine.start()
    for process in own_system.services.values():
        await process.start()

    async with own_system.client() as api:
        case = await wait_for_status(api, case_id, "accepted")
        assert [e["action"] for e in case["timeline"]] == ["received", "routed", "assigned", "accepted"]  # type: ignore[union-attr]
        assert (await api.post("/v1/cases", json=body)).status_code == 200  # still a duplicate after restart
        resolved = await api.post(f"/v1/cases/{case_id}/resolve", json={"unit": "water", "note": "已恢复供水"})
        assert resolved.status_code == 200


async def test_intake_takes_tickets_while_temporal_is_down(own_system: RunningSystem) -> None:
    """Readiness rests on NATS only: with Temporal stopped (and intake restarted meanwhile), tickets are taken with
    202 and their cases start once Temporal is back."""
    own_system.temporal.stop()
    intake = own_system.services["intake"]
    intake.stop()
    await intake.start()  # waits for /healthz 200: ready without Temporal

    async with own_system.client() as api:
        health = (await api.get("/healthz")).json()
        assert health == {"ok": True, "checks": {"nats": True, "temporal": False}, "degraded": ["temporal"]}
        bodies = [ticket_body() for _ in range(5)]
        answers = [await api.post("/v1/cases", json=body) for body in bodies]
        assert [answer.status_code for answer in answers] == [202] * 5
        case_ids = [answer.json()["case_id"] for answer in answers]
        # What needs Temporal says so, and when to retry: not a 500.
        read = await api.get(f"/v1/cases/{case_ids[0]}")
        assert read.status_code == 503, read.text
        assert read.headers["Retry-After"]
        # A resubmission is still a duplicate: NATS answers for it.
        assert (await api.post("/v1/cases", json=bodies[0])).json()["case_id"] == case_ids[0]

        await own_system.temporal.start()
        for case_id in case_ids:
            await wait_for_status(api, case_id, "assigned")
        assert (await api.get("/healthz")).json()["degraded"] == []
