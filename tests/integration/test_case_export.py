"""The centre's export from the records on a real PostgreSQL: the filtered cases as CSV and XLSX, streamed a batch at a
time; the caller's data only when asked for, and then every exported case in the access log."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.contracts.case_ticket import CaseLocation
from services.contracts.cases import CaseStatus
from services.contracts.credentials import ClientKind, Principal
from services.engines.records_db.tables import access_log
from services.intake import case_export
from services.intake.case_export import CaseExport, OpenExport, csv_body, open_export, xlsx_body
from services.intake.case_records import CaseRecords
from tests.support.case_events import KEYRING, PHONE
from tests.support.recorded_cases import Recorded, forget_all_cases, record, records_database
from tests.support.xlsx_sheets import read_sheets

CENTRE = Principal(client_id="centre-desk", kind=ClientKind.COORDINATION, subject="coordination-centre", key_id="k")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def engine(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    async with records_database(tmp_path_factory.mktemp("case-export")) as database:
        yield database


@pytest_asyncio.fixture(loop_scope="session")
async def records(engine: AsyncEngine) -> CaseRecords:
    await forget_all_cases(engine)
    return CaseRecords(engine)


async def opened(records: CaseRecords, **query: Any) -> OpenExport:
    return await open_export(records, CaseExport(**query), caller=CENTRE, keyring=KEYRING, statement_timeout_ms=60_000)


async def downloaded(export: OpenExport, body: AsyncIterator[bytes]) -> list[bytes]:
    try:
        return [chunk async for chunk in body]
    finally:
        await export.aclose()


def csv_rows(chunks: list[bytes]) -> list[dict[str, str]]:
    data = b"".join(chunks)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


async def logged(records: CaseRecords) -> list[Any]:
    async with records.reading() as connection:
        return list((await connection.execute(select(access_log).order_by(access_log.c.id))).all())


async def test_a_csv_export_holds_the_filtered_cases_without_personal_data(
    records: CaseRecords, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(case_export, "EXPORT_BATCH", 4)  # several batches from the cursor
    water = [Recorded(n, title=f"停水{n}") for n in range(10)]
    await record(records.engine, *water, Recorded(20, handling_unit="health"), Recorded(21, closed=True))

    export = await opened(records, handling_unit="water", status=["assigned"])
    chunks = await downloaded(export, csv_body(export))

    rows = csv_rows(chunks)
    assert len(chunks) == 1 + 3  # the header, then one chunk a batch
    assert [row["案件编号"] for row in rows] == [case.case_id for case in reversed(water)]  # newest first
    assert rows[0]["标题"] == "停水9" and rows[0]["承办单位"] == "water" and rows[0]["是否超期"] == "否"
    assert "联系电话" not in rows[0] and PHONE not in b"".join(chunks).decode("utf-8-sig")
    assert await logged(records) == []  # nothing personal left, nothing to log
    assert records.engine.pool.checkedout() == 0


async def test_a_personal_export_logs_every_case_it_holds_before_it_streams(records: CaseRecords) -> None:
    point = CaseLocation(latitude=36.334291, longitude=117.518717, grid_code="sample-district.hekou-town.lijiawan.g01")
    cases = [
        Recorded(n, township="hekou-town", confidential=n == 0, location=point if n == 2 else None) for n in range(5)
    ]
    await record(records.engine, *cases, Recorded(9, township="shiqiao-town"))

    export = await opened(records, township="hekou-town", personal=True, sort="received_at")
    # Logged before a byte is read; a case recorded meanwhile is neither exported nor logged (one snapshot).
    log = await logged(records)
    await record(records.engine, Recorded(10, township="hekou-town"))
    rows = csv_rows(await downloaded(export, csv_body(export)))

    exported = [row["案件编号"] for row in rows]
    assert exported == [case.case_id for case in cases] and export.logged == len(cases)
    assert sorted(entry.case_id for entry in log) == sorted(exported)
    assert {(e.client_id, e.client_kind, e.subject, e.purpose, e.masked) for e in log} == {
        ("centre-desk", "coordination", "coordination-centre", "export", False)
    }
    # The centre sees the caller as the caller gave it, confidential or not (units are shown it masked).
    assert (rows[0]["联系电话"], rows[0]["来电人"], rows[0]["要求保密"]) == (PHONE, "王女士", "是")
    assert (rows[1]["诉求内容"], rows[1]["地址"]) == ("停水两天", "幸福家园3号楼")
    # A grid worker's point, as the case keeps it (WGS-84), and none where the ticket gave none.
    assert (rows[2]["纬度(WGS-84)"], rows[2]["经度(WGS-84)"], rows[2]["网格编码"]) == (
        "36.334291",
        "117.518717",
        "sample-district.hekou-town.lijiawan.g01",
    )
    assert (rows[1]["纬度(WGS-84)"], rows[1]["网格编码"]) == ("", "")


async def test_an_xlsx_export_is_a_workbook_of_the_cases(records: CaseRecords) -> None:
    cases = [Recorded(n, status=CaseStatus.ACCEPTED, escalation_level=n % 3) for n in range(7)]
    await record(records.engine, *cases, Recorded(8))

    export = await opened(records, status=["accepted"], format="xlsx", personal=True)
    data = b"".join(await downloaded(export, xlsx_body(export)))

    [(sheet, rows)] = read_sheets(data).items()
    header, body = rows[0], rows[1:]
    assert sheet == "案件" and header[0] == "案件编号" and "联系电话" in header
    assert [row[0] for row in body] == [case.case_id for case in reversed(cases)]
    first = dict(zip(header, body[0], strict=False))
    assert first["督办层级"] == 0.0 and first["联系电话"] == PHONE and first["状态"] == "accepted"
    assert len(await logged(records)) == len(cases)
    assert records.engine.pool.checkedout() == 0


async def test_an_export_names_each_cases_attachments_and_where_to_list_them(records: CaseRecords) -> None:
    photos = [uuid.uuid4().hex, uuid.uuid4().hex]
    grid = "sample-district.hekou-town.xingfu.g02"
    with_photos, without = Recorded(1, attachment_ids=photos, place=grid), Recorded(2)
    await record(records.engine, with_photos, without)

    export = await opened(records, sort="received_at")
    rows = csv_rows(await downloaded(export, csv_body(export)))

    # Ids and the API path that lists them with fresh links: never a link (it would expire in minutes) nor a file.
    assert [(row["附件数"], row["附件编号"], row["附件列表接口"]) for row in rows] == [
        ("2", " ".join(photos), f"/v1/cases/{with_photos.case_id}/attachments"),
        ("0", "", f"/v1/cases/{without.case_id}/attachments"),
    ]
    # After every column that was there before them, and the grid the case lies in after them.
    assert list(rows[0])[-4:] == ["附件数", "附件编号", "附件列表接口", "所在网格"]
    assert [row["所在网格"] for row in rows] == [grid, ""]

    export = await opened(records, sort="received_at", format="xlsx", personal=True)
    [(_, sheet)] = read_sheets(b"".join(await downloaded(export, xlsx_body(export)))).items()
    first = dict(zip(sheet[0], sheet[1], strict=True))
    assert (first["联系电话"], first["附件数"], first["附件编号"]) == (PHONE, 2.0, " ".join(photos))


async def test_an_export_cut_short_gives_its_connection_back(records: CaseRecords) -> None:
    await record(records.engine, *(Recorded(n) for n in range(3)))

    export = await opened(records)
    body = csv_body(export)
    assert (await anext(body)).startswith(b"\xef\xbb\xbf")
    await body.aclose()  # the client went away after the header
    await export.aclose()

    assert records.engine.pool.checkedout() == 0
