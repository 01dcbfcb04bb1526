"""Rebuilds the case records from the case event log, and from Temporal for cases the log no longer holds whole
(`hotline records rebuild`; docs/case-records.md, "Rebuilding the records").

1. Staging tables are made beside the records' (`staging`), which keep answering meanwhile.
2. `CASE_EVENTS` is replayed from its first message into them through `RecordStore.apply` (`stream_replay`).
3. Cases the stream holds only part of (their start aged out), and cases Temporal holds that the stream has
   nothing of, are read from their workflows and written whole with `RecordStore.restore` (`rebuilt_log`).
4. One transaction swaps the staged cases in; cases neither source holds any more are kept as they were.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field

import structlog
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from services.contracts.case_event_log import CaseEvent, EventSource, PersonalData
from services.contracts.payload_keys import PayloadKeyring
from services.records.rebuilt_log import rebuilt_log
from services.records.staging import create_staging, drop_staging, rebuild_lock, swap_in
from services.records.store import RecordStore
from services.records.stream_replay import replay_stream
from services.records.workflow_reader import WorkflowReader

log = structlog.get_logger(__name__)

# Case ids looked up in the staging tables at once while Temporal's cases are listed.
LISTING_CHUNK = 500


@dataclass
class RebuildReport:
    """What a rebuild did, in numbers (and, for a case it could not rebuild, why)."""

    events: int = 0
    from_stream: int = 0
    from_temporal: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    unreadable_events: int = 0
    replaced: int = 0
    kept: int = 0
    kept_newer: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"rebuilt {self.from_stream + self.from_temporal} cases in {self.seconds:.1f} s: "
            f"{self.from_stream} from the stream ({self.events} events read), {self.from_temporal} from Temporal, "
            f"{len(self.skipped)} skipped",
            f"swapped in {self.replaced}; kept {self.kept} records neither source holds any more"
            + (f", and {self.kept_newer} the records service moved on meanwhile" if self.kept_newer else ""),
        ]
        if self.unreadable_events:
            lines.append(f"{self.unreadable_events} events on the stream were unreadable (see the log)")
        lines += [f"skipped {case_id}: {reason}" for case_id, reason in sorted(self.skipped.items())]
        return "\n".join(lines)


async def rebuild(
    *,
    engine: AsyncEngine,
    keyring: PayloadKeyring,
    js: JetStreamContext,
    temporal: Client,
    lanes: int = 8,
) -> RebuildReport:
    """Rebuild the records (see the module's docstring); `lanes`: cases applied or read side by side."""
    started = time.monotonic()
    report = RebuildReport()
    async with rebuild_lock(engine):
        staged_tables = await create_staging(engine)
        try:
            staged = RecordStore(engine, keyring, staged_tables)
            tally = await replay_stream(js, staged, lanes=lanes)
            report.events, report.unreadable_events = tally.events, tally.unreadable
            log.info("records.rebuild.replayed", events=tally.events, partial=len(tally.partial))
            sources = _Sources(staged, RecordStore(engine, keyring), WorkflowReader(temporal))
            await _from_temporal(sources, tally.partial, report, lanes=lanes)
            report.from_stream = await staged.count() - report.from_temporal
            swapped = await swap_in(engine, staged_tables)
            report.replaced, report.kept, report.kept_newer = swapped.replaced, swapped.kept, swapped.kept_newer
        finally:
            await drop_staging(engine)
    report.seconds = time.monotonic() - started
    log.info(
        "records.rebuilt",
        from_stream=report.from_stream,
        from_temporal=report.from_temporal,
        skipped=len(report.skipped),
        seconds=round(report.seconds, 1),
    )
    return report


@dataclass(frozen=True)
class _Sources:
    """Where a case restored from Temporal comes from: the staging tables (what the stream held of it, and where
    it is written), the records (events nothing else holds any more) and its workflows."""

    staged: RecordStore
    records: RecordStore
    workflows: WorkflowReader


async def _from_temporal(sources: _Sources, partial: set[str], report: RebuildReport, *, lanes: int) -> None:
    """Restore from their workflows the cases the stream holds only part of, then those it holds nothing of."""
    seen: set[str] = set()
    limit = asyncio.Semaphore(lanes)

    async def restore(case_id: str) -> None:
        async with limit:
            reason = await _restore(sources, case_id)
        if reason is None:
            report.from_temporal += 1
        else:
            # What the stream gave of it is partial: the records keep the copy they have.
            await sources.staged.forget(case_id)
            report.skipped[case_id] = reason
            log.warning("records.rebuild.skipped", case_id=case_id, reason=reason)

    async def run(case_ids: Collection[str]) -> None:
        seen.update(case_ids)
        async with asyncio.TaskGroup() as group:
            for case_id in case_ids:
                group.create_task(restore(case_id))

    await run(sorted(partial))
    async for chunk in _chunks(sources.workflows.case_ids(), LISTING_CHUNK):
        unseen = set(chunk) - seen
        if unseen:
            await run(unseen - await sources.staged.recorded(unseen))


async def _restore(sources: _Sources, case_id: str) -> str | None:
    """Write the case from its workflows and what the stream kept of it; the reason when it cannot be done."""
    workflows = sources.workflows
    try:
        case = await workflows.read(case_id, EventSource.CASE)
        # A case that began in triage has its first events on the triage's timeline.
        wants_triage = case is None or case.log.events_before
        triage = await workflows.read(case_id, EventSource.TRIAGE) if wants_triage else None
        newest = case or triage
        events = rebuilt_log(
            case_id,
            case=case.log if case else None,
            triage=triage.log if triage else None,
            stream=_by_sequence(await sources.staged.events(case_id)),
            recorded=_by_sequence(await sources.records.events(case_id)),
        )
    except ValueError as exc:  # IncompleteLog, WorkflowUnreadable, a payload that does not decrypt
        return str(exc)
    assert newest is not None  # rebuilt_log refuses a case without a workflow
    await sources.staged.restore(newest.log.view, events, PersonalData.of(newest.ticket))
    return None


def _by_sequence(events: list[CaseEvent]) -> dict[int, CaseEvent]:
    return {event.sequence: event for event in events}


async def _chunks(items: AsyncIterator[str], size: int) -> AsyncIterator[list[str]]:
    chunk: list[str] = []
    async for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
