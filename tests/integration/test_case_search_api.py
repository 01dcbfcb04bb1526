"""Finding, exporting and queueing cases through the real API: a ticket posted by a platform is found by its words by
whoever may read it, exported by the centre only, and in its unit's queue."""

from __future__ import annotations

import csv
import io
import random
import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from services.contracts.case_actions import COORDINATION_CENTRE
from services.engines.records_db.tables import access_log
from tests.support.credentials import bearer
from tests.support.polling import assert_eventually
from tests.support.queue_pages import whole_queue
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body

PHONE = "13987654321"


async def test_a_posted_case_is_found_exported_and_queued_by_those_who_may(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    marker = str(random.randrange(10**8, 10**9))  # a word no other case has
    body = ticket_body(
        external_id=f"12345-{uuid.uuid4().hex[:12]}",
        title=f"路口井盖丢失 编号{marker}",
        description="青山镇王庄村路口的井盖不见了，晚上骑车很危险。",
        caller={"name": "李先生", "phone": PHONE},
    )
    posted = await api.post("/v1/cases", json=body)
    assert posted.status_code == 202, posted.text
    case_id = posted.json()["case_id"]

    def as_(name: str) -> dict[str, str]:
        return bearer(system.keys[name])

    async def search(who: str, **query: str) -> httpx.Response:
        return await api.get("/v1/cases", params=query, headers=as_(who))

    async def assigned_and_found() -> dict[str, object]:
        response = await search(COORDINATION_CENTRE, q=f"井盖 {marker}")
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert len(items) == 1, items  # not in the records yet
        [case] = items
        assert case["status"] == "assigned", case["status"]
        return dict(case)

    found = await assert_eventually(assigned_and_found, what="the posted case found by its words, assigned")
    assert (found["case_id"], found["handling_unit"], found["channel"]) == (case_id, "water", "12345")
    assert PHONE not in str(found) and "王庄村" not in str(found)  # the description stays out of a list

    async def ids(who: str) -> list[str]:
        response = await search(who, q=marker)
        assert response.status_code == 200, response.text
        return [case["case_id"] for case in response.json()["items"]]

    assert await ids("water") == [case_id] and await ids("platform-12345") == [case_id]
    assert await ids("health") == [] and await ids("platform-89000") == []
    assert (await search("admin", q=marker)).status_code == 403
    refused = await search(COORDINATION_CENTRE, status="lost")
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][:2] == ["query", "status"]

    # The queue: the case is the water's to handle now.
    [entry] = [entry for entry in await whole_queue(api, as_("water")) if entry["case_id"] == case_id]
    assert (entry["role"], entry["title"], entry["catalog_item"]) == ("handling", body["title"], "LS-06")

    # The export: the centre's alone; the caller's data only when asked for, and then logged.
    assert (await api.get("/v1/cases/export", params={"q": marker}, headers=as_("water"))).status_code == 403
    export = await api.get(
        "/v1/cases/export", params={"q": marker, "personal": "true"}, headers=as_(COORDINATION_CENTRE)
    )
    assert export.status_code == 200, export.text
    assert export.headers["content-type"].startswith("text/csv")
    assert export.headers["content-disposition"].startswith('attachment; filename="cases-')
    [row] = csv.DictReader(io.StringIO(export.content.decode("utf-8-sig")))
    assert (row["案件编号"], row["联系电话"], row["来电人"]) == (case_id, PHONE, "李先生")
    assert system.postgres is not None
    database = create_async_engine(system.postgres.url)
    try:
        async with database.connect() as connection:
            log = (await connection.execute(select(access_log).where(access_log.c.case_id == case_id))).all()
    finally:
        await database.dispose()
    assert [(e.client_kind, e.purpose, e.masked) for e in log] == [("coordination", "export", False)]

    workbook = await api.get(
        "/v1/cases/export", params={"q": marker, "format": "xlsx"}, headers=as_(COORDINATION_CENTRE)
    )
    assert workbook.status_code == 200, workbook.text
    assert workbook.content.startswith(b"PK") and workbook.headers["content-disposition"].endswith('.xlsx"')
