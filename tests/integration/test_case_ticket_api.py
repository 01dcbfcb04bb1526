"""The whole ticket for those on the case (`GET /v1/cases/{id}/ticket`), the access log every reveal of a caller's
contact writes first (`GET /v1/admin/access-log`), and the description on the unit's `case_assigned`.

Every request names its key (`bearer(system.keys[...])`), so the role under test is the one meant.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import nats
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.contracts.events import NotificationEvent
from services.contracts.subjects import NOTIFY_STREAM, notify_subject
from services.engines.records_db.tables import case_records
from tests.integration.test_end_to_end import wait_for_status
from tests.support.credentials import bearer
from tests.support.polling import assert_eventually
from tests.support.receiver import WebhookReceiver
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body

NAME = "王秀英"
PHONE = "13912345678"
SAID = "幸福家园小区从前天早上开始停水，至今没有恢复供水，老人孩子用水困难。"


def as_(system: RunningSystem, name: str) -> dict[str, str]:
    return bearer(system.keys[name])


async def water_case(api: httpx.AsyncClient, system: RunningSystem, **ticket: Any) -> str:
    """A 12345 ticket about water (handled by `water`), assigned; returns the case id."""
    body = ticket_body(description=SAID, **ticket)
    posted = await api.post("/v1/cases", json=body, headers=as_(system, "platform-12345"))
    assert posted.status_code == 202, posted.text
    case_id: str = posted.json()["case_id"]
    await wait_for_status(api, case_id, "assigned")
    return case_id


async def ticket(api: httpx.AsyncClient, system: RunningSystem, who: str, case_id: str) -> httpx.Response:
    """`who` reads the ticket, once the records hold it (until then: 503 with `Retry-After: 1`)."""

    async def recorded() -> httpx.Response:
        answer = await api.get(f"/v1/cases/{case_id}/ticket", headers=as_(system, who))
        if answer.status_code == 503:
            assert answer.headers["retry-after"] == "1", answer.text
        assert answer.status_code != 503, "the records do not hold the ticket yet"
        return answer

    return await assert_eventually(recorded, timeout=20, what=f"case {case_id}'s ticket in the records")


async def access_log(api: httpx.AsyncClient, system: RunningSystem, **query: Any) -> httpx.Response:
    return await api.get("/v1/admin/access-log", params=query, headers=as_(system, "admin"))


async def reads_of(api: httpx.AsyncClient, system: RunningSystem, case_id: str) -> list[tuple[str, str, str, bool]]:
    """(client, kind, subject, masked) of each logged read of the case, newest first."""
    answer = await access_log(api, system, case_id=case_id)
    assert answer.status_code == 200, answer.text
    return [
        (item["client_id"], item["client_kind"], item["subject"], item["masked"])
        for item in answer.json()["items"]
        if item["purpose"] == "ticket"
    ]


async def test_the_handling_unit_reads_the_whole_ticket_and_the_read_is_logged_first(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    case_id = await water_case(api, system, caller={"name": NAME, "phone": PHONE})

    answer = await ticket(api, system, "water", case_id)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["case_id"], body["channel"], body["title"]) == (case_id, "12345", "小区停水两天无人处理")
    assert (body["description"], body["address"]) == (SAID, "河口镇幸福家园小区3号楼2单元")
    assert body["caller"] == {"name": NAME, "phone": PHONE, "confidential": False}
    assert body["caller_masked"] is False
    assert body["reported_at"] and body["received_at"]
    assert await reads_of(api, system, case_id) == [("dev-water", "unit", "water", False)]


async def test_those_not_on_the_case_are_refused_and_nothing_is_logged(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    case_id = await water_case(api, system, caller={"name": NAME, "phone": PHONE})
    await ticket(api, system, "coordination-centre", case_id)  # the records hold it: refusals are not lag

    refusals = {
        who: await api.get(f"/v1/cases/{case_id}/ticket", headers=as_(system, who))
        for who in ("health", "platform-89000", "operator", "admin", "city-leader")
    }

    assert {who: answer.status_code for who, answer in refusals.items()} == {
        "health": 403,
        "platform-89000": 404,
        "operator": 403,
        "admin": 403,
        "city-leader": 403,
    }
    assert "not yours to read" in refusals["health"].json()["detail"]
    assert "do not read citizens' tickets" in refusals["operator"].json()["detail"]
    for answer in refusals.values():
        assert PHONE not in answer.text and NAME not in answer.text
    assert await reads_of(api, system, case_id) == [
        ("dev-coordination-centre", "coordination", "coordination-centre", False)
    ]


async def test_a_confidential_caller_is_masked_for_the_unit_and_whole_for_the_centre_and_the_platform(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    case_id = await water_case(api, system, caller={"name": NAME, "phone": PHONE, "confidential": True})

    unit = (await ticket(api, system, "water", case_id)).json()
    centre = (await ticket(api, system, "coordination-centre", case_id)).json()
    platform = (await ticket(api, system, "platform-12345", case_id)).json()

    assert (unit["caller"], unit["caller_masked"]) == (
        {"name": "王**", "phone": "139****5678", "confidential": True},
        True,
    )
    assert unit["description"] == SAID  # the ticket itself is the unit's to read
    for whole in (centre, platform):
        assert (whole["caller"], whole["caller_masked"]) == (
            {"name": NAME, "phone": PHONE, "confidential": True},
            False,
        )
    assert await reads_of(api, system, case_id) == [
        ("dev-platform-12345", "platform", "12345", False),
        ("dev-coordination-centre", "coordination", "coordination-centre", False),
        ("dev-water", "unit", "water", True),
    ]


async def test_a_ticket_without_a_callers_contact_writes_no_line(api: httpx.AsyncClient, system: RunningSystem) -> None:
    case_id = await water_case(api, system, caller=None)

    body = (await ticket(api, system, "water", case_id)).json()

    assert (body["caller"], body["description"]) == (None, SAID)
    assert await reads_of(api, system, case_id) == []


async def test_the_admin_pages_through_the_access_log_newest_first(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    case_id = await water_case(api, system, caller={"name": NAME, "phone": PHONE})
    for who in ("water", "coordination-centre", "water"):
        assert (await ticket(api, system, who, case_id)).status_code == 200

    pages: list[list[dict[str, Any]]] = []
    cursor: str | None = None
    while True:
        query: dict[str, Any] = {"case_id": case_id, "limit": 2} | ({"cursor": cursor} if cursor else {})
        answer = await access_log(api, system, **query)
        assert answer.status_code == 200, answer.text
        pages.append(answer.json()["items"])
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            break

    assert [len(page) for page in pages] == [2, 1]
    entries = [entry for page in pages for entry in page]
    assert [entry["client_id"] for entry in entries] == ["dev-water", "dev-coordination-centre", "dev-water"]
    assert [entry["id"] for entry in entries] == sorted((entry["id"] for entry in entries), reverse=True)
    first = entries[-1]
    by_client = await access_log(api, system, client_id="dev-coordination-centre", **{"from": first["at"]})
    assert case_id in {entry["case_id"] for entry in by_client.json()["items"]}
    before = await access_log(api, system, case_id=case_id, to=first["at"])
    assert before.json() == {"items": [], "next_cursor": None}


async def test_the_access_log_is_the_admins_and_bad_filters_are_named(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    for who in ("coordination-centre", "operator", "water"):
        refused = await api.get("/v1/admin/access-log", headers=as_(system, who))
        assert refused.status_code == 403, refused.text

    bad = {
        "case_id": {"case_id": "not-a-case"},
        "client_id": {"client_id": "Not A Client!"},
        "from": {"from": "2026-03-02T10:00:00"},  # no time zone
        "limit": {"limit": 1001},
        "cursor": {"cursor": "bm9wZQ"},
        "to": {"from": "2026-03-02T10:00:00+08:00", "to": "2026-03-01T10:00:00+08:00"},
    }
    for field, query in bad.items():
        answer = await access_log(api, system, **query)
        assert answer.status_code == 422, (field, answer.text)
        assert field in json.dumps(answer.json()["detail"]), (field, answer.text)


async def test_a_ticket_the_records_do_not_hold_yet_is_a_503_to_retry_in_a_second(
    api: httpx.AsyncClient, system: RunningSystem, database: AsyncEngine
) -> None:
    case_id = await water_case(api, system, caller={"name": NAME, "phone": PHONE})
    await ticket(api, system, "coordination-centre", case_id)
    # As it is between the case's first step and the projection of its `received` event.
    async with database.begin() as connection:
        await connection.execute(
            update(case_records).where(case_records.c.case_id == case_id).values(personal_key_id=None)
        )

    answer = await api.get(f"/v1/cases/{case_id}/ticket", headers=as_(system, "water"))

    assert (answer.status_code, answer.headers["retry-after"]) == (503, "1")
    assert "not in the case records yet" in answer.json()["detail"]
    assert ("dev-water", "unit", "water", False) not in await reads_of(api, system, case_id)


async def test_no_reveal_without_its_line_when_the_access_log_refuses_the_write(
    api: httpx.AsyncClient, system: RunningSystem, database: AsyncEngine
) -> None:
    case_id = await water_case(api, system, caller={"name": NAME, "phone": PHONE})
    await ticket(api, system, "coordination-centre", case_id)
    refuse = "CREATE TRIGGER refuse_access_log BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION refuse_row()"
    async with database.begin() as connection:
        await connection.execute(
            text("CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE 'refused'; END $$")
        )
        await connection.execute(text(refuse))
    try:
        answer = await api.get(f"/v1/cases/{case_id}/ticket", headers=as_(system, "water"))
    finally:
        async with database.begin() as connection:
            await connection.execute(text("DROP TRIGGER refuse_access_log ON access_log"))
            await connection.execute(text("DROP FUNCTION refuse_row()"))

    assert answer.status_code == 503, answer.text
    assert "access log" in answer.json()["detail"]
    assert PHONE not in answer.text and NAME not in answer.text and SAID not in answer.text
    assert (await ticket(api, system, "water", case_id)).json()["caller"]["phone"] == PHONE


async def test_the_units_case_assigned_carries_the_description_sealed_on_the_bus_and_opened_in_its_webhook(
    api: httpx.AsyncClient, system: RunningSystem, receiver: WebhookReceiver
) -> None:
    unit = "natural-resources"
    answer = await api.put(f"/v1/units/{unit}/webhook", json={"url": receiver.url()}, headers=as_(system, "admin"))
    assert answer.status_code == 200, answer.text
    body = ticket_body(
        category_code="NR-01",
        township="qingshan-town",
        external_id=f"12345-{uuid.uuid4().hex[:12]}",
        description=f"青山镇有人非法占用耕地建房，请{NAME}女士的邻居核实，电话{PHONE}。",
        caller={"name": NAME, "phone": PHONE},
    )
    try:
        posted = await api.post("/v1/cases", json=body, headers=as_(system, "platform-12345"))
        case_id = posted.json()["case_id"]

        async def delivered() -> dict[str, Any]:
            assigned = [r.json() for r in receiver.for_case(case_id) if r.json()["kind"] == "case_assigned"]
            assert len(assigned) == 1, assigned
            return assigned[0]

        webhook = await assert_eventually(delivered, what="case_assigned at the unit's webhook")
    finally:
        await api.delete(f"/v1/units/{unit}/webhook", headers=as_(system, "admin"))

    assert webhook["description"] == body["description"]
    assert "sealed_ticket" not in webhook
    # On the bus the description is only sealed, and the caller's contact is not there at all.
    nc = await nats.connect(system.nats.url)
    try:
        raw = await nc.jetstream().get_last_msg(NOTIFY_STREAM.name, notify_subject(unit, "case_assigned"))
    finally:
        await nc.close()
    assert NotificationEvent.model_validate_json(raw.data).case_id == case_id
    for needle in (body["description"], NAME, PHONE):
        assert needle.encode() not in raw.data and json.dumps(needle)[1:-1].encode() not in raw.data
    assert NotificationEvent.model_validate_json(raw.data).sealed_ticket is not None
