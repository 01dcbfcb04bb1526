"""Stored reports on a real PostgreSQL: one row a version; the run that stored it, and only that run, owns it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assessment.reports.report_store import latest_version, report_artifacts, store_report
from tests.support.recorded_cases import records_database
from tests.unit.report_builders import realistic_report


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def engine(tmp_path_factory: object) -> AsyncIterator[AsyncEngine]:
    async with records_database(Path(tmp_path_factory.mktemp("reports"))) as database:  # type: ignore[attr-defined]
        yield database


async def test_a_version_is_stored_once_and_owned_by_the_run_that_stored_it(engine: AsyncEngine) -> None:
    report = realistic_report()
    async with engine.begin() as connection:
        assert await store_report(connection, report, html="<p>1</p>", xlsx=b"x1", made_by="report-a/run-1")
    async with engine.begin() as connection:
        # The same run's attempt, retried after its answer was lost: the report is its own (it will send it).
        assert await store_report(connection, report, html="<p>2</p>", xlsx=b"x2", made_by="report-a/run-1")
        # Another run that planned the same version: stored already, not by it (it sends nothing).
        assert not await store_report(connection, report, html="<p>3</p>", xlsx=b"x3", made_by="report-b/run-1")
        assert not await store_report(connection, report, html="<p>4</p>", xlsx=b"x4")

    async with engine.connect() as connection:
        stored = await report_artifacts(connection, report.report_id)
        version = await latest_version(connection, report.kind, report.period.key)
    assert stored is not None and stored[1:] == ("<p>1</p>", b"x1")  # the first write stands
    assert stored[0] == report and version == report.version
