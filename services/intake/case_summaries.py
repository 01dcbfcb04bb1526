"""What a search's page shows of each case (`CaseSummary`): the record's plain columns, and what a desk lists of its
view, read for the page's rows only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import cast, func, literal
from sqlalchemy.dialects.postgresql import JSONPATH

from services.contracts.case_lists import CaseSummary
from services.engines.records_db.tables import case_records

_record = case_records.c

SUMMARY_COLUMNS = (
    _record.case_id,
    _record.status,
    _record.channel,
    _record.external_id,
    _record.title,
    _record.urgency,
    _record.catalog_item,
    _record.first_contact_unit,
    _record.handling_unit,
    _record.township,
    _record.place,
    _record.calling_unit,
    _record.escalation_level,
    _record.overdue,
    _record.reworks,
    _record.sign_for_due,
    _record.feedback_due,
    _record.resolution_due,
    _record.rating_outcome,
    _record.received_at,
    _record.reported_at,
    _record.closed_at,
    _record.closed_reason,
    # What a desk lists of the case's view (read for the page's rows only, so they cost nothing to the search).
    _record.view["deadlines"]["triage"].astext.label("triage_deadline"),
    _record.view["deadlines"]["arbitration"].astext.label("arbitration_deadline"),
    _record.view["routing"]["confidence"].astext.label("routing_confidence"),
    _record.view["routing"]["runner_up"].astext.label("runner_up"),
    _record.view["routing"]["runner_up_confidence"].astext.label("runner_up_confidence"),
    func.coalesce(func.jsonb_array_length(_record.view["transfers"]), 0).label("transfers"),
    func.jsonb_path_query_first(
        _record.view, cast(literal('$.extensions[*] ? (@.status == "pending")'), JSONPATH)
    ).label("pending_extension"),
)


def summary(row: Any) -> CaseSummary:
    """A search result from a row of `SUMMARY_COLUMNS`."""
    fields = row._asdict()
    for deadline in ("sign_for", "feedback", "resolution"):
        fields[f"{deadline}_deadline"] = fields.pop(f"{deadline}_due")
    return CaseSummary.model_validate(fields)
