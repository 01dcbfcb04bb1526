"""The fault suite's records part in small (`make chaos` runs it after the other six components): the records service
and PostgreSQL each killed with `kill -9` under load and started again.

Reconciled from the outside with the same code as `make chaos`: every case the load created has one record, with
every event of its log on NATS applied once and in order (no gap, `last_sequence` at the log's end). The first test
shows that the reconciliation counts lost, doubled and missing events, so the last can fail.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from chaos.records_reconcile import CaseLog, RecordRows, RecordTally, judge_record
from chaos.suite import SuitePlan
from services.contracts.subjects import RECORDS_CONSUMER
from tests.support.fault_runs import run_fault_suite
from tests.support.system import RunningSystem

pytestmark = pytest.mark.integration


def test_the_records_reconciliation_counts_lost_doubled_and_missing_events() -> None:
    log = CaseLog(
        {
            "ok": {1: 1, 2: 5, 3: 9},
            "no-record": {1: 2},
            "behind": {1: 3, 2: 6, 3: 10},
            "gap": {1: 4, 2: 7, 3: 11},
            "doubled": {1: 8},
            "late": {1: 12, 2: 40},  # its second event came after the records were read: not missing
            "broken-log": {1: 13, 3: 14},  # the log itself misses 2: 3 can never be applied
        }
    )
    rows = RecordRows(
        records=Counter({"ok": 1, "behind": 1, "gap": 1, "doubled": 2, "late": 1, "broken-log": 1}),
        last_sequence={"ok": 3, "behind": 2, "gap": 3, "doubled": 1, "late": 1, "broken-log": 1},
        events={
            "ok": Counter({1: 1, 2: 1, 3: 1}),
            "behind": Counter({1: 1, 2: 1}),
            "gap": Counter({1: 1, 3: 1, 4: 1}),  # 2 never applied; 4 is on no log
            "doubled": Counter({1: 2}),
            "late": Counter({1: 1}),
            "broken-log": Counter({1: 1}),
        },
    )

    verdicts = {case_id: judge_record(case_id, log, rows, through=20) for case_id in log.positions}

    assert [case_id for case_id, v in verdicts.items() if v.lost] == ["no-record", "behind", "gap", "broken-log"]
    assert (verdicts["gap"].gaps, verdicts["gap"].unlogged_events, verdicts["gap"].missing_events) == (1, 1, 1)
    assert verdicts["doubled"].doubled_rows == 2  # an event row twice and a record row twice
    assert verdicts["broken-log"].log_gaps == 1
    tally = RecordTally.of(verdicts.values())
    assert (tally.lost, tally.doubled, tally.gaps, tally.missing_events) == (4, 2, 1, 4)
    assert len(tally.failures("records")) == 5
    assert RecordTally.of([verdicts["ok"], verdicts["late"]]).failures("records") == []


@pytest_asyncio.fixture(scope="module")
async def records_system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningSystem]:
    """A system of its own with PostgreSQL and the records, whose parts the test kills."""
    workdir: Path = tmp_path_factory.mktemp("records-faults")
    running = await RunningSystem.start(workdir, with_records=True)
    try:
        yield running
    finally:
        running.stop()


async def test_a_killed_records_service_and_a_killed_postgres_lose_and_double_no_record(
    records_system: RunningSystem,
) -> None:
    plan = SuitePlan(
        components=("records", "postgres"),
        warmup_seconds=3.0,
        outage_seconds=4.0,
        probes_per_outage=0,  # deadlines do not depend on the records (the other fault suite test probes them)
        second_kills=0,
        recovery_timeout_seconds=60.0,
        drain_timeout_seconds=60.0,
    )
    _suite, result = await run_fault_suite(records_system, plan)

    assert result.failures() == []
    _steady, records, postgres = result.phases
    for phase in (records, postgres):
        assert phase.kills == 1 and phase.tickets_in_outage > 0 and phase.recovered and phase.caught_up
        assert phase.records is not None and phase.records.cases == phase.tally.tickets
        assert (phase.records.lost, phase.records.doubled, phase.records.gaps) == (0, 0, 0)
        assert phase.catch_up_seconds is not None
    assert result.records is not None and result.records.cases == result.total.tickets
    assert result.records.events >= 3 * result.records.cases  # received, routed and assigned at least
    assert result.backlog[RECORDS_CONSUMER.durable] == 0
