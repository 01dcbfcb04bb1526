"""The suite's table (what an operator reads) and its JSON record (what a later run is compared with)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chaos.records_reconcile import RecordTally
from chaos.results import PhaseResult, SuiteResult

HEADERS = (
    "component",
    "kills",
    "tickets",
    "during outage",
    "refused+retried",
    "lost",
    "duplicated",
    "redelivered",
    "deadlines fired",
    "restart s",
    "recovery s",
)
# Where the system runs the case records: their verdict per phase (cases lost or behind their log, rows doubled,
# sequences missing inside a record) and their catch-up after the last restart.
RECORDS_HEADERS = ("records lost", "records doubled", "gaps", "catch-up s")


def _seconds(value: float | None, *, recovered: bool = True) -> str:
    if not recovered:
        return "timeout"
    return "-" if value is None else f"{value:.1f}"


def _row(phase: PhaseResult) -> tuple[str, ...]:
    tally = phase.tally
    records: tuple[str, ...] = ()
    if phase.records is not None:
        catch_up = _seconds(phase.catch_up_seconds, recovered=phase.caught_up)
        records = (str(phase.records.lost), str(phase.records.doubled), str(phase.records.gaps), catch_up)
    return (
        phase.component,
        str(phase.kills),
        str(tally.tickets),
        str(phase.tickets_in_outage) if phase.kills else "-",
        str(tally.refused),
        str(tally.lost),
        str(tally.duplicated),
        str(tally.redelivered),
        f"{phase.deadlines_fired}/{len(phase.probes)}" if phase.probes else "-",
        _seconds(phase.restart_seconds),
        _seconds(phase.recovery_seconds, recovered=phase.recovered),
        *records,
    )


def table(result: SuiteResult) -> str:
    """A plain-text table, one row per phase and a total."""
    headers = HEADERS if result.records is None else (*HEADERS, *RECORDS_HEADERS)
    rows = [headers, *(_row(phase) for phase in result.phases)]
    total = result.total
    fired = sum(p.deadlines_fired for p in result.phases)
    probes = sum(len(p.probes) for p in result.phases)
    kills = sum(p.kills for p in result.phases)
    outage = sum(p.tickets_in_outage for p in result.phases)
    rows.append(
        (
            "total",
            str(kills),
            str(total.tickets),
            str(outage),
            str(total.refused),
            str(total.lost),
            str(total.duplicated),
            str(total.redelivered),
            f"{fired}/{probes}",
            "",
            "",
            *(() if result.records is None else _records_total(result.records)),
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(headers))]

    def line(row: tuple[str, ...]) -> str:
        cells = zip(row, widths, strict=True)
        return "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(cells))

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(rows[0]), rule, *(line(r) for r in rows[1:-1]), rule, line(rows[-1])])


def _records_total(records: RecordTally) -> tuple[str, ...]:
    return (str(records.lost), str(records.doubled), str(records.gaps), "")


def as_json(result: SuiteResult, *, plan: dict[str, Any]) -> dict[str, Any]:
    """Everything the table shows and the detail behind it (duplicates by kind, probes, backlog)."""

    def phase(p: PhaseResult) -> dict[str, Any]:
        return {
            "component": p.component,
            "kills": p.kills,
            "tickets_in_outage": p.tickets_in_outage,
            "refused_yet_recorded": p.refused_yet_recorded,
            "down_seconds": p.down_seconds,
            **asdict(p.tally),
            "duplicated": p.tally.duplicated,
            "restart_seconds": p.restart_seconds,
            "accepted_seconds": p.accepted_seconds,
            "recovery_seconds": p.recovery_seconds,
            "recovered": p.recovered,
            "deadlines_probed": len(p.probes),
            "deadlines_fired_once": p.deadlines_fired,
            "probes": [
                {**asdict(v), "due": v.due.isoformat() if v.due else None, "fired_once": v.fired_once} for v in p.probes
            ],
            "records": asdict(p.records) if p.records is not None else None,
            "records_catch_up_seconds": p.catch_up_seconds,
            "records_caught_up": p.caught_up,
        }

    return {
        "recorded_at": datetime.now(UTC).isoformat(),
        "wall_seconds": round(result.wall_seconds, 1),
        "plan": plan,
        "targets_met": result.targets_met,
        "failures": result.failures(),
        "phases": [phase(p) for p in result.phases],
        "total": {**asdict(result.total), "duplicated": result.total.duplicated},
        "backlog_at_end": result.backlog,
        "orphan_cases": result.orphan_cases,
        "records": asdict(result.records) if result.records is not None else None,
    }


def write_json(result: SuiteResult, path: Path, *, plan: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(as_json(result, plan=plan), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
