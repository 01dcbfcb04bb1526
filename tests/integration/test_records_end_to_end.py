"""A ticket posted through the API becomes a case record in PostgreSQL, its events applied as they come."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from services.contracts.payload_keys import build_keyring
from services.engines.records_db.personal_columns import open_columns
from services.engines.records_db.tables import case_events, case_records
from tests.integration.test_end_to_end import wait_for_status
from tests.support.notifications import metric_total
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem
from tests.support.tickets import ticket_body

PHONE = "13812345678"


async def test_a_case_reaches_the_records_with_its_events_and_the_caller_s_data_sealed(
    system: RunningSystem, api: httpx.AsyncClient
) -> None:
    assert system.postgres is not None
    posted = await api.post("/v1/cases", json=ticket_body(caller={"name": "王女士", "phone": PHONE}))
    assert posted.status_code == 202, posted.text
    case_id = posted.json()["case_id"]
    await wait_for_status(api, case_id, "assigned")
    accepted = await api.post(f"/v1/cases/{case_id}/accept", json={"unit": "water"})
    assert accepted.status_code == 200, accepted.text
    database = create_async_engine(system.postgres.url)
    try:

        async def recorded() -> tuple[object, list[str]]:
            async with database.connect() as connection:
                record = (
                    await connection.execute(select(case_records).where(case_records.c.case_id == case_id))
                ).one_or_none()
                kinds = list(
                    (
                        await connection.execute(
                            select(case_events.c.kind)
                            .where(case_events.c.case_id == case_id)
                            .order_by(case_events.c.sequence)
                        )
                    ).scalars()
                )
            assert record is not None and record.status == "accepted", record
            return record, kinds

        record, kinds = await assert_eventually(recorded, timeout=20, what="the accepted case in the records")
    finally:
        await database.dispose()

    assert kinds[:3] == ["received", "routed", "assigned"] and kinds[-1] == "accepted"
    assert (record.handling_unit, record.channel) == ("water", "12345")  # type: ignore[attr-defined]
    # What the API shows is what the records keep, and the caller's data is there only sealed.
    view = (await api.get(f"/v1/cases/{case_id}")).json()
    assert record.view["status"] == view["status"] and record.view["deadlines"] == view["deadlines"]  # type: ignore[attr-defined]
    assert PHONE not in str(record.caller_phone_sealed)  # type: ignore[attr-defined]
    opened = open_columns(case_id, record, build_keyring("", "", development=True))
    assert opened is not None and opened.caller_phone == PHONE


async def test_the_records_health_names_the_database(system: RunningSystem) -> None:
    async with httpx.AsyncClient(timeout=5) as http:
        health = await http.get(f"{system.services['records'].base_url}/healthz")

    assert health.status_code == 200 and health.json()["checks"] == {"nats": True, "database": True}


async def test_the_records_count_open_and_overdue_cases_per_unit_for_the_dashboards(
    api: httpx.AsyncClient, system: RunningSystem
) -> None:
    """`hotline_cases_open{unit}` and `hotline_cases_overdue{unit}` on the records' /metrics (counted every second in
    tests, every minute by default), one more for water once its case is in the records."""
    records = system.services["records"].base_url

    async def open_for_water() -> float:
        return await metric_total(records, "hotline_cases_open", unit="water")

    before = await open_for_water()
    response = await api.post("/v1/cases", json=ticket_body())
    assert response.status_code == 202, response.text

    async def counted() -> None:
        assert await open_for_water() >= before + 1

    await assert_eventually(counted, timeout=20, what="water's new case counted open")
    overdue = await metric_total(records, "hotline_cases_overdue", unit="water")
    assert 0 <= overdue <= await open_for_water()
    assert await metric_total(records, "hotline_cases_counted_timestamp_seconds") > 0
