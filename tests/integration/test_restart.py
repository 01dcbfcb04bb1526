"""State survives restarts: of the whole system (as `make run` stopped and started), and of a killed worker."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.integration.test_end_to_end import wait_for_status
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body


@pytest_asyncio.fixture(scope="module")
async def own_system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningSystem]:
    """A system of its own: these tests stop and kill its parts."""
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


async def test_tickets_sent_while_the_worker_is_killed_are_handled_when_it_returns(own_system: RunningSystem) -> None:
    worker = own_system.services["workflows"]
    worker.kill()
    async with own_system.client() as api:
        answers = [await api.post("/v1/cases", json=ticket_body()) for _ in range(3)]
        assert [a.status_code for a in answers] == [202, 202, 202]
        await worker.start()
        for answer in answers:
            await wait_for_status(api, answer.json()["case_id"], "assigned")


async def test_a_nats_restart_loses_no_ticket_answered_202(own_system: RunningSystem) -> None:
    """While NATS is down a ticket is refused (503, nothing recorded); every ticket answered 202 becomes a case."""
    async with own_system.client() as api:
        bodies = [ticket_body() for _ in range(3)]
        before = [await api.post("/v1/cases", json=body) for body in bodies]
        assert [a.status_code for a in before] == [202] * 3

        own_system.nats.kill()
        during = await api.post("/v1/cases", json=ticket_body())
        assert during.status_code == 503
        assert during.headers["retry-after"]

        await own_system.nats.start()
        after = [await api.post("/v1/cases", json=ticket_body()) for _ in range(3)]

        assert [a.status_code for a in after] == [202] * 3
        for answer in before + after:
            await wait_for_status(api, answer.json()["case_id"], "assigned")
        # The case index survived the restart too: a resubmission is still a duplicate.
        again = await api.post("/v1/cases", json=bodies[0])
        assert (again.status_code, again.json()["case_id"]) == (200, before[0].json()["case_id"])
