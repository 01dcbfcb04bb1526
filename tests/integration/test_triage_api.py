"""Triage through the real system: a vague ticket waits for the coordination centre, which places it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest
from temporalio.client import Client

from scripts.export_triage_decisions import decisions
from services.contracts.case_ids import triage_workflow_id, workflow_id_for
from services.contracts.settings import ServiceSettings
from tests.support.case_lifecycle import Case, act, open_case, refusal, tracked, wait_for_case, waiting_for_triage
from tests.support.credentials import bearer
from tests.support.polling import assert_eventually
from tests.support.receiver import WebhookReceiver
from tests.support.system import RunningSystem

pytestmark = pytest.mark.usefixtures("no_server_errors")

CENTRE = "coordination-centre"


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


LIFT = {"unit": CENTRE, "item": "MS-04", "note": "电梯故障为主，派市场监管局"}


async def vague(api: httpx.AsyncClient) -> Case:
    return await waiting_for_triage(api)


async def test_a_vague_ticket_is_placed_by_the_coordination_centre_and_becomes_a_first_contact_case(
    api: httpx.AsyncClient, system: RunningSystem, temporal_client: Client, receiver: WebhookReceiver
) -> None:
    await api.put(f"/v1/units/{CENTRE}/webhook", json={"url": receiver.url()})
    try:
        case = await vague(api)
        case_id = case["case_id"]
        routing = case["routing"]
        assert (routing["method"], routing["item"], routing["runner_up"]) == ("text", "UC-03", "MS-04")
        assert routing["confidence"] < 0.95 and "needs triage" in routing["reason"]
        assert case["handling_unit"] is None
        assert [entry["action"] for entry in case["timeline"]] == ["received", "sent_to_triage"]

        async def centre_told() -> dict[str, Any]:
            events = [r.json() for r in receiver.for_case(case_id)]
            assert len(events) == 1, events
            return events[0]  # type: ignore[no-any-return]

        told = await assert_eventually(centre_told, what="triage_needed delivered to the coordination centre")
        assert (told["kind"], told["unit"], told["audience"]) == ("triage_needed", CENTRE, "coordination")

        decided = await act(api, case_id, "triage", LIFT)
        assert decided["handling_unit"] == "market-regulation" and decided["routing"]["method"] == "triage"

        assigned = await wait_for_case(
            api,
            case_id,
            lambda c: c["status"] == "assigned" and c["deadlines"]["resolution"] is not None,
            what="assigned to the chosen unit by its FirstContactCase",
        )
    finally:
        await api.delete(f"/v1/units/{CENTRE}/webhook")

    assert assigned["first_contact_unit"] == assigned["handling_unit"] == "market-regulation"
    assert assigned["catalog_item"] == "MS-04"
    routing = assigned["routing"]
    assert (routing["method"], routing["decided_by"], routing["note"]) == ("triage", CENTRE, LIFT["note"])
    assert (routing["original"]["method"], routing["original"]["item"]) == ("text", "UC-03")
    assert routing["supporting_units"] == ["housing-construction"]
    assert ("routed", CENTRE) in [(e["action"], e["actor"]) for e in assigned["timeline"]]
    # The unit's windows start at the dispatch, not at the call: triage time is the centre's, not the unit's.
    assert at(tracked(assigned, "sign_for")["started_at"]) == at(routing["decided_at"])
    assert at(assigned["received_at"]) < at(routing["decided_at"])
    first_contact = await temporal_client.get_workflow_handle(workflow_id_for(case_id)).describe()
    assert first_contact.workflow_type == "FirstContactCase"
    triage = await temporal_client.get_workflow_handle(triage_workflow_id(case_id)).describe()
    assert triage.status is not None and triage.status.name == "COMPLETED"

    # Kept for curating the synonym data, as `scripts/export_triage_decisions.py` reads it.
    [record] = [r for r in await decisions(ServiceSettings(nats_url=system.nats.url)) if r.case_id == case_id]
    assert (record.title, record.chosen_item, record.original_item) == ("物业和电梯", "MS-04", "UC-03")
    assert (record.decided_by, record.handling_unit, record.original_method) == (CENTRE, "market-regulation", "text")


async def test_triage_decisions_are_refused_with_the_reason(api: httpx.AsyncClient, system: RunningSystem) -> None:
    waiting, township_matter, assigned = await asyncio.gather(
        vague(api),
        waiting_for_triage(
            api, title="有个事情想反映", description="麻烦你们帮忙看看，谢谢。", township=None, address=None
        ),
        open_case(api, category="LS-06"),
    )
    case_id = waiting["case_id"]

    for body, field in (
        ({**LIFT, "item": "ZZ-99"}, "item"),
        ({**LIFT, "handling_unit": CENTRE}, "handling_unit"),
        ({**LIFT, "township": "water"}, "township"),
        ({key: value for key, value in LIFT.items() if key != "note"}, "note"),
    ):
        assert field in await refusal(api, case_id, "triage", body, status=422)
    no_township = await refusal(api, township_matter["case_id"], "triage", {**LIFT, "item": "EE-04"}, status=422)
    assert "township" in no_township
    # The centre decides in its own name only; a unit may not triage at all (403, before the case is asked).
    as_nobody = await api.post(
        f"/v1/cases/{case_id}/triage", json={**LIFT, "unit": "no-such-unit"}, headers=bearer(system.keys[CENTRE])
    )
    assert as_nobody.status_code == 403, as_nobody.text
    assert as_nobody.json()["detail"] == "you act as 'coordination-centre', not 'no-such-unit'"
    by_a_unit = await refusal(api, case_id, "triage", {**LIFT, "unit": "water"}, status=403)
    assert "only the coordination centre" in by_a_unit
    assert (await api.get(f"/v1/cases/{case_id}")).json()["status"] == "triage"
    not_waiting = await refusal(api, assigned["case_id"], "triage", LIFT)
    assert "not awaiting triage" in not_waiting
    for unknown in (str(uuid.uuid4()), "not-a-case-id"):
        assert unknown in await refusal(api, unknown, "triage", LIFT, status=404)

    await act(api, case_id, "triage", LIFT)
    twice = await refusal(api, case_id, "triage", {**LIFT, "item": "UC-03"})
    assert "not awaiting triage" in twice


async def test_the_documented_triage_examples_are_bodies_the_api_accepts(api: httpx.AsyncClient) -> None:
    schema = (await api.get("/openapi.json")).json()
    operation = schema["paths"]["/v1/cases/{case_id}/triage"]["post"]
    assert {"200", "404", "409", "422"} <= set(operation["responses"])
    reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    examples = schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]["examples"]

    for example in examples:
        response = await api.post(f"/v1/cases/{uuid.uuid4()}/triage", json=example)
        assert response.status_code == 404, f"{example}: {response.status_code} {response.text}"
