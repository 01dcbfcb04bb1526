"""The case records reconciled against the case event log (pure): each case's record once, each event once, in order.

The facts come from `chaos/records.py`: the log as JetStream holds it (per case, each sequence and where in the
stream it was first stored) and the rows PostgreSQL holds, counted without relying on its keys (so a missing key
would show as doubled rows here, not be assumed away). The records had caught up with the log up to stream
position `through` when they were read; events stored after that may or may not be applied yet and are not
counted missing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CaseLog:
    """The case event log: per case id, each sequence and the stream position it was first stored at."""

    positions: Mapping[str, Mapping[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordRows:
    """What the records hold: `case_records` rows and last sequence per case, `case_events` rows per sequence."""

    records: Counter[str] = field(default_factory=Counter)
    last_sequence: Mapping[str, int] = field(default_factory=dict)
    events: Mapping[str, Counter[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordVerdict:
    case_id: str
    logged: int  # sequences on the log (up to `through`)
    record_rows: int
    last_sequence: int | None
    missing_events: int  # logged, yet no row
    doubled_rows: int  # event rows beyond one per sequence, record rows beyond one per case
    gaps: int  # sequences missing in 1..last_sequence
    unlogged_events: int  # rows for sequences the log does not hold at all
    log_gaps: int  # sequences missing from the log itself, in 1..its highest
    behind: bool  # last_sequence short of the highest sequence logged

    @property
    def lost(self) -> bool:
        """No record, an event of the log not applied, or a record behind its log."""
        return self.record_rows == 0 or self.missing_events > 0 or self.behind


def judge_record(case_id: str, log: CaseLog, rows: RecordRows, *, through: int) -> RecordVerdict:
    """One case's verdict; `through`: the stream position up to which the records had caught up when read."""
    on_log = log.positions.get(case_id, {})
    logged = {sequence for sequence, position in on_log.items() if position <= through}
    applied = rows.events.get(case_id, Counter())
    last = rows.last_sequence.get(case_id)
    highest_logged = max(on_log, default=0)
    return RecordVerdict(
        case_id=case_id,
        logged=len(logged),
        record_rows=rows.records.get(case_id, 0),
        last_sequence=last,
        missing_events=len(logged - set(applied)),
        doubled_rows=sum(count - 1 for count in applied.values()) + max(0, rows.records.get(case_id, 0) - 1),
        gaps=len(set(range(1, (last or 0) + 1)) - set(applied)),
        unlogged_events=len(set(applied) - set(on_log)),
        log_gaps=len(set(range(1, highest_logged + 1)) - set(on_log)),
        behind=(last or 0) < max(logged, default=0),
    )


@dataclass(frozen=True)
class RecordTally:
    """Counts over the records of a set of cases (one phase's tickets, or all of them)."""

    cases: int = 0
    events: int = 0
    lost: int = 0  # cases
    missing_events: int = 0
    doubled: int = 0  # rows
    gaps: int = 0
    unlogged_events: int = 0
    log_gaps: int = 0

    @classmethod
    def of_cases(cls, verdicts: Mapping[str, RecordVerdict], case_ids: Iterable[str]) -> RecordTally:
        return cls.of(verdicts[case_id] for case_id in case_ids)

    @classmethod
    def of(cls, verdicts: Iterable[RecordVerdict]) -> RecordTally:
        listed = list(verdicts)
        return cls(
            cases=len(listed),
            events=sum(v.logged for v in listed),
            lost=sum(1 for v in listed if v.lost),
            missing_events=sum(v.missing_events for v in listed),
            doubled=sum(v.doubled_rows for v in listed),
            gaps=sum(v.gaps for v in listed),
            unlogged_events=sum(v.unlogged_events for v in listed),
            log_gaps=sum(v.log_gaps for v in listed),
        )

    def failures(self, name: str) -> list[str]:
        """What these records missed, each as a sentence (empty: every case recorded once, every event once)."""
        missed = []
        if self.lost:
            missed.append(f"{name}: {self.lost} case records lost or behind their log ({self.missing_events} events)")
        if self.doubled:
            missed.append(f"{name}: {self.doubled} record or event rows doubled")
        if self.gaps:
            missed.append(f"{name}: {self.gaps} sequences missing inside case records")
        if self.unlogged_events:
            missed.append(f"{name}: {self.unlogged_events} recorded events the case event log does not hold")
        if self.log_gaps:
            missed.append(f"{name}: {self.log_gaps} sequences missing from the case event log itself")
        return missed
