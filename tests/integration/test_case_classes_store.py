"""The hotspot scan over a real PostgreSQL: the records' cases grouped in SQL, classes stored, told of once, and
what the bulletin reads of them."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest_asyncio
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.testing import ActivityEnvironment

from services.assessment.classes.hotspot_activities import HotspotActivities, MarkNotified, ScanRequest, ScanResult
from services.assessment.classes.report_rows import classes_for_report
from services.contracts.assessment_periods import Period, PeriodKind, period_containing
from services.contracts.case_classes import shipped_thresholds
from services.contracts.catalog import ResponsibilityCatalog, load_catalog
from services.engines.records_db.tables import case_classes
from tests.support.case_events import RECEIVED
from tests.support.recorded_cases import Recorded, record, records_database

DAY = 24 * 60.0  # minutes


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def engine(tmp_path_factory: object) -> AsyncIterator[AsyncEngine]:
    async with records_database(Path(tmp_path_factory.mktemp("classes"))) as database:  # type: ignore[attr-defined]
        yield database


@pytest_asyncio.fixture(loop_scope="session")
async def scans(engine: AsyncEngine) -> HotspotActivities:
    async with engine.begin() as connection:
        await connection.execute(text("TRUNCATE case_records, case_events, case_search, case_classes, rectifications"))

    async def catalog() -> ResponsibilityCatalog:
        return load_catalog()

    return HotspotActivities(engine=engine, thresholds=shipped_thresholds, catalog=catalog)


async def scan(scans: HotspotActivities, days_after: float) -> ScanResult:
    result: ScanResult = await ActivityEnvironment().run(
        scans.scan_hotspots, ScanRequest(at=RECEIVED + timedelta(days=days_after))
    )
    return result


def noise(count: int, *, seed: int = 7) -> list[Recorded]:
    """Cases spread over 8 items, 5 townships and 30 days, each at an address of its own on a road."""
    chance = random.Random(seed)
    items = ["NR-01", "NR-02", "EE-01", "EE-02", "UC-01", "UC-02", "LS-01", "LS-02"]
    townships = ["chengguan-street", "donghu-street", "qingshan-town", "shiqiao-town", "taoyuan-township"]
    return [
        Recorded(
            minutes=chance.uniform(0, 30 * DAY),
            catalog_item=chance.choice(items),
            township=chance.choice(townships),
            address=f"沿河路{n}号",
        )
        for n in range(count)
    ]


def planted(days: list[float], **fields: object) -> list[Recorded]:
    defaults: dict[str, object] = {"catalog_item": "LS-06", "township": "hekou-town"}
    return [
        Recorded(minutes=day * DAY, address=f"河口镇集镇{n}号", **(defaults | fields))  # type: ignore[arg-type]
        for n, day in enumerate(days)
    ]


async def stored(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        rows = await connection.execute(select(case_classes).order_by(case_classes.c.detected_at))
        return [dict(row._mapping) for row in rows]


async def test_a_planted_class_is_found_among_noise_and_told_of_once(
    engine: AsyncEngine, scans: HotspotActivities
) -> None:
    background = noise(60)
    water = planted([20.0, 20.5, 21.0, 21.2, 22.0])
    await record(engine, *background, *water)

    first = await scan(scans, 22.5)

    assert (first.new_classes, first.grown_classes) == (1, 0)
    [found] = await stored(engine)
    assert (found["kind"], found["kind_name"]) == ("item_township", "同一事项同一镇街")
    assert sorted(found["case_ids"]) == sorted(case.case_id for case in water)
    assert (found["catalog_item"], found["township"], found["case_count"]) == ("LS-06", "hekou-town", 5)
    assert found["label"] == f"河口镇·{load_catalog().items['LS-06'].item_zh}（同一事项同一镇街）"
    assert found["first_received_at"] == water[0].received_at and found["last_received_at"] == water[-1].received_at
    assert found["active_until"] == water[-1].received_at + timedelta(days=7)
    assert [notice.class_id for notice in first.to_notify] == [found["class_id"]]
    assert first.to_notify[0].kind_name == "同一事项同一镇街"

    # Not told yet: the next scan offers it again, and finds nothing new.
    again = await scan(scans, 22.6)
    assert (again.new_classes, again.grown_classes, len(again.to_notify)) == (0, 0, 1)
    marked = MarkNotified(class_ids=[str(found["class_id"])], at=RECEIVED + timedelta(days=22.6))
    assert await ActivityEnvironment().run(scans.mark_classes_notified, marked) == 1
    assert await ActivityEnvironment().run(scans.mark_classes_notified, marked) == 0
    assert (await scan(scans, 22.7)).to_notify == []


async def test_a_class_that_goes_on_keeps_its_id_and_its_new_cases_join_it(
    engine: AsyncEngine, scans: HotspotActivities
) -> None:
    await record(engine, *planted([1.0, 1.1, 1.2, 1.3, 1.4]))
    await scan(scans, 1.5)
    [before] = await stored(engine)

    later = planted([5.0], township="hekou-town")  # four days after the last: within the week
    await record(engine, *later)
    result = await scan(scans, 5.5)

    [after] = await stored(engine)
    assert (result.new_classes, result.grown_classes) == (0, 1)
    assert after["class_id"] == before["class_id"] and after["case_count"] == 6
    assert later[0].case_id in after["case_ids"]
    assert after["detected_at"] == before["detected_at"] and after["label"] == before["label"]
    assert after["active_until"] == later[0].received_at + timedelta(days=7)


async def test_cases_from_one_address_make_a_class_whatever_their_items(
    engine: AsyncEngine, scans: HotspotActivities
) -> None:
    address = "石桥镇石门村3组8号"
    await record(
        engine,
        *(
            Recorded(minutes=day * DAY, catalog_item=item, township="shiqiao-town", address=address)
            for day, item in [(0, "EE-02"), (9, "UC-01"), (18, "EE-02")]
        ),
        # The same address in another township's records is another place.
        Recorded(minutes=3 * DAY, catalog_item="EE-02", township="qingshan-town", address=address),
    )

    result = await scan(scans, 19)

    [found] = await stored(engine)
    assert result.new_classes == 1 and found["kind"] == "address"
    assert (found["township"], found["catalog_item"], found["case_count"]) == ("shiqiao-town", "EE-02", 3)
    assert found["address_key"] is not None and found["key_id"] == "k1"
    assert found["label"] == f"石桥镇·{load_catalog().items['EE-02'].item_zh}（同一地址反复反映）"
    assert address not in str(found)


GRID = "sample-district.shiqiao-town.zhangzhuang.g01"


async def test_cases_of_one_item_in_one_grid_make_a_grid_s_class(engine: AsyncEngine, scans: HotspotActivities) -> None:
    """Three reports of straw burning in one grid within 14 days: the grid's class, though the township's five-case
    threshold is far off; the same item in the next grid is another place."""
    burning = [
        Recorded(minutes=day * DAY, catalog_item="EE-04", township="shiqiao-town", address=None, place=GRID)
        for day in (0, 6, 12)
    ]
    next_grid = Recorded(
        minutes=3 * DAY, catalog_item="EE-04", township="shiqiao-town", address=None, place=GRID[:-1] + "2"
    )
    await record(engine, *burning, next_grid)

    result = await scan(scans, 13)

    [found] = await stored(engine)
    assert result.new_classes == 1 and (found["kind"], found["place"]) == ("grid_item", GRID)
    assert sorted(found["case_ids"]) == sorted(case.case_id for case in burning)
    assert (found["township"], found["catalog_item"], found["key_id"]) == ("shiqiao-town", "EE-04", None)
    assert found["label"] == f"石桥镇·网格g01·{load_catalog().items['EE-04'].item_zh}（同一网格同一事项）"
    assert found["active_until"] == burning[-1].received_at + timedelta(days=14)


async def test_the_bulletin_lists_the_classes_detected_in_its_period_as_they_stood_at_its_end(
    engine: AsyncEngine, scans: HotspotActivities
) -> None:
    water = planted([0.1, 0.2, 0.3, 0.4, 0.5])
    await record(engine, *water)
    await scan(scans, 0.6)
    week = period_containing(PeriodKind.WEEK, RECEIVED + timedelta(days=0.6))
    week_ends = (week.end - RECEIVED) / timedelta(days=1)
    await record(engine, *planted([week_ends + 0.5]))  # joins the class in the next week
    await scan(scans, week_ends + 0.6)

    following = Period(kind=PeriodKind.WEEK, start=week.end, end=week.end + timedelta(days=7))
    async with engine.connect() as connection:
        [summary] = await classes_for_report(connection, week)
        assert await classes_for_report(connection, following) == []

    assert summary.case_count == 5 and summary.case_ids == [case.case_id for case in water]
    assert (summary.first_received_at, summary.last_received_at) == (water[0].received_at, water[-1].received_at)
    assert summary.rectification_id is None and summary.label.startswith("河口镇·")
