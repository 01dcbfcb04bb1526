"""The case records seen from outside the records service: the case event log on NATS, how far the records'
consumer has acknowledged it, and the rows in PostgreSQL (judged in `chaos/records_reconcile.py`)."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterable

import nats
import nats.errors
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from chaos.records_reconcile import CaseLog, RecordRows, RecordVerdict, judge_record
from services.contracts.subjects import CASE_EVENTS_STREAM, RECORDS_CONSUMER
from services.engines.records_db.tables import case_events, case_records
from tests.support.engines import nats_servers

POLL_SECONDS = 0.2
READ_BATCH = 500


class RecordsWatch:
    """Reads the case event log and the records of one running system (a connection per call: NATS may be the
    component that was just killed)."""

    def __init__(self, *, nats_url: str, database_url: str) -> None:
        self._nats_url = nats_url
        self._database_url = database_url

    async def log_end(self, *, timeout: float = 30.0) -> int:
        """The stream position of the newest event on the case event log (asked again while NATS comes back)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                nc = await nats.connect(nats_servers(self._nats_url))
                try:
                    info = await nc.jetstream().stream_info(CASE_EVENTS_STREAM.name)
                    return int(info.state.last_seq)
                finally:
                    await nc.close()
            except (nats.errors.Error, OSError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(POLL_SECONDS)

    async def applied_through(self) -> int:
        """The stream position up to which the records' consumer has acknowledged every event."""
        nc = await nats.connect(nats_servers(self._nats_url))
        try:
            info = await nc.jetstream().consumer_info(CASE_EVENTS_STREAM.name, RECORDS_CONSUMER.durable)
            return int(info.ack_floor.stream_seq) if info.ack_floor else 0
        finally:
            await nc.close()

    async def wait_caught_up(self, end: int, *, timeout: float) -> float | None:
        """When the records had acknowledged every event up to `end` (monotonic; None: not within `timeout` s)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if await self.applied_through() >= end:
                    return time.monotonic()
            except (nats.errors.Error, OSError):
                pass  # NATS is coming back
            if time.monotonic() > deadline:
                return None
            await asyncio.sleep(POLL_SECONDS)

    async def verdicts(self, case_ids: Iterable[str], *, timeout: float) -> dict[str, RecordVerdict]:
        """Each case's records against its log, once the records have caught up with the log as it is now."""
        through = await self.log_end()
        if await self.wait_caught_up(through, timeout=timeout) is None:
            through = await self.applied_through()  # judge what was applied; the rest shows as missing
        rows = await self.read_rows()  # before the log, so every row's event is on the log read after
        log = await self.read_log()
        return {case_id: judge_record(case_id, log, rows, through=through) for case_id in case_ids}

    async def read_log(self) -> CaseLog:
        """Every event on the case event log: per case, each sequence and the position it was first stored at."""
        positions: dict[str, dict[int, int]] = defaultdict(dict)
        nc = await nats.connect(nats_servers(self._nats_url))
        try:
            js = nc.jetstream()
            if not (await js.stream_info(CASE_EVENTS_STREAM.name)).state.messages:
                return CaseLog({})
            config = ConsumerConfig(
                deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, inactive_threshold=30.0
            )
            sub = await js.pull_subscribe(CASE_EVENTS_STREAM.subjects[0], stream=CASE_EVENTS_STREAM.name, config=config)
            left = 1
            while left:
                for msg in await sub.fetch(READ_BATCH, timeout=5.0):
                    event = json.loads(msg.data)
                    case = positions[str(event["case_id"])]
                    case.setdefault(int(event["sequence"]), msg.metadata.sequence.stream)
                    left = msg.metadata.num_pending
            await sub.unsubscribe()
        finally:
            await nc.close()
        return CaseLog(dict(positions))

    async def read_rows(self) -> RecordRows:
        """Every case's record rows and last sequence, and its event rows per sequence (counted, not assumed)."""
        database = create_async_engine(self._database_url)
        try:
            async with database.connect() as connection:
                records = (
                    await connection.execute(
                        select(case_records.c.case_id, func.count(), func.max(case_records.c.last_sequence)).group_by(
                            case_records.c.case_id
                        )
                    )
                ).all()
                events = (
                    await connection.execute(
                        select(case_events.c.case_id, case_events.c.sequence, func.count()).group_by(
                            case_events.c.case_id, case_events.c.sequence
                        )
                    )
                ).all()
        finally:
            await database.dispose()
        per_case: dict[str, Counter[int]] = defaultdict(Counter)
        for case_id, sequence, count in events:
            per_case[case_id][int(sequence)] += int(count)
        return RecordRows(
            records=Counter({case_id: int(count) for case_id, count, _last in records}),
            last_sequence={case_id: int(last) for case_id, _count, last in records},
            events=dict(per_case),
        )
