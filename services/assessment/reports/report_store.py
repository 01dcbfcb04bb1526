"""Stored reports (`assessment_reports`): written once, never changed; a re-run is the next version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.contracts.assessment_reports import Report, ReportKind
from services.engines.records_db.tables import assessment_reports

_report = assessment_reports.c


async def latest_version(connection: AsyncConnection, kind: ReportKind, period_key: str) -> int:
    """The newest version stored for this kind and period; 0 for none."""
    query = select(func.max(_report.version)).where(_report.kind == kind.value, _report.period_key == period_key)
    return (await connection.scalar(query)) or 0


async def store_report(
    connection: AsyncConnection, report: Report, *, html: str, xlsx: bytes, made_by: str = ""
) -> bool:
    """Keep the report; False if this version was stored already by another run (`made_by` names this one: an
    attempt retried after it stored the report, its answer lost, finds it as its own)."""
    row: dict[str, Any] = {
        "report_id": report.report_id,
        "kind": report.kind.value,
        "period_key": report.period.key,
        "version": report.version,
        "period_start": report.period.start,
        "period_end": report.period.end,
        "cutoff": report.cutoff,
        "generated_at": report.generated_at,
        "definitions_version": report.definitions_version,
        "body": report.model_dump(mode="json"),
        "html": html,
        "xlsx": xlsx,
        "made_by": made_by or None,
    }
    inserted = await connection.execute(insert(assessment_reports).values(**row).on_conflict_do_nothing())
    if inserted.rowcount == 1:
        return True
    stored_by = await connection.scalar(select(_report.made_by).where(_report.report_id == report.report_id))
    return bool(made_by) and stored_by == made_by


async def report_artifacts(connection: AsyncConnection, report_id: str) -> tuple[Report, str, bytes] | None:
    row = (
        await connection.execute(select(_report.body, _report.html, _report.xlsx).where(_report.report_id == report_id))
    ).first()
    if row is None:
        return None
    return Report.model_validate(row.body), row.html, row.xlsx
