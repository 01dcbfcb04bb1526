"""The records' projection applying cases, measured alone: CPU an event, of the applying process and of PostgreSQL.

    .venv/bin/python -m bench.records_apply [--cases 2000] [--lanes 8]

Each case is a whole plain life of 9 events (received, routed, assigned | accepted | feedback | progress | resolved |
rated, closed) applied in the 6 batches of its workflow's steps (a step's events come together), `lanes`
cases side by side, through `RecordStore.apply_events` on an embedded PostgreSQL of its own. The events are built
before the clock starts. For an A-B of a change to the store: run it on both commits, on a quiet host.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import create_async_engine

from bench.cpu_time import process_tree_cpu_seconds
from services.contracts.case_event_log import CaseEvent
from services.contracts.case_view import RatingLevel
from services.engines.sealed_data import seal
from services.records.migrate import migrate
from services.records.store import RecordStore
from tests.support.case_events import KEYRING, personal_data
from tests.support.case_histories import CaseHistory
from tests.support.engines import PostgresServer


def case_batches(cases: int) -> list[list[list[CaseEvent]]]:
    """Each case's events in the batches its workflow's steps publish them in."""
    result = []
    for n in range(cases):
        at = n / 60  # a case a minute
        history = CaseHistory(at=at).accept(at + 1).feedback(at + 2).progress(at + 3).resolve(at + 20)
        history.rate(RatingLevel.SATISFIED, at + 30)
        events = history.events
        events[0] = events[0].model_copy(update={"personal": seal(personal_data(), KEYRING)})
        steps: dict[object, list[CaseEvent]] = {}
        for event in events:
            steps.setdefault(event.at, []).append(event)
        result.append(list(steps.values()))
    return result


async def measure(cases: int, lanes: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="hotline-bench-apply-"))
    server = PostgresServer.at(workdir)
    await server.start()
    engine = create_async_engine(server.url, pool_size=lanes, max_overflow=0)
    try:
        await migrate(engine, keyring=KEYRING)
        store = RecordStore(engine, KEYRING)
        warm, timed = case_batches(200), case_batches(cases)
        postmaster = int((server.data_dir / "postmaster.pid").read_text().split()[0])

        async def apply(all_batches: list[list[list[CaseEvent]]]) -> None:
            queue = iter(all_batches)

            async def lane() -> None:
                for batches in queue:
                    for batch in batches:
                        await store.apply_events(batch)

            await asyncio.gather(*(lane() for _ in range(lanes)))

        await apply(warm)
        events = sum(len(batch) for batches in timed for batch in batches)
        began, own, database = time.perf_counter(), time.process_time(), process_tree_cpu_seconds(postmaster) or 0.0
        await apply(timed)
        seconds = time.perf_counter() - began
        own = time.process_time() - own
        database = (process_tree_cpu_seconds(postmaster) or 0.0) - database
        return {
            "cases": cases,
            "events": events,
            "seconds": round(seconds, 2),
            "events_per_second": round(events / seconds),
            "store_cpu_ms_per_event": round(own * 1000 / events, 3),
            "postgres_cpu_ms_per_event": round(database * 1000 / events, 3),
        }
    finally:
        await engine.dispose()
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--lanes", type=int, default=8)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    for _ in range(args.runs):
        print(asyncio.run(measure(args.cases, args.lanes)), flush=True)


if __name__ == "__main__":
    main()
