"""A city's years of case records, generated: N rows in `case_records` as the projector would have written them.

The spread is a city's: 200 units (30 of them townships), 300 catalog items, six channels, three years of received
times (newest most often still open: about 10 % open in all, 2 % overdue), transfers, joint tasks, escalations, and
for the text the labelled tickets of bench/data with an address each — sealed with a real payload key (AES-GCM per
column) and indexed by the real blind-index tokens, so that searches and the personal export cost what they will.
Each case's units' facts go to `unit_case_facts` (bench/records_facts.py), as the records service would have
derived them, so that the rates cost what they will.

Rows go in by binary COPY with the secondary indexes dropped, which are then built again from the tables' metadata
(`tables.py`, which mirrors the migrations): building a GIN index at once is far faster than growing it by a
million inserts.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.records_facts import FACT_COLUMNS, GeneratedCase, case_facts
from services.contracts.case_event_log import PersonalData
from services.contracts.case_view import CaseView, Deadlines
from services.contracts.cases import CaseStatus
from services.contracts.payload_keys import PayloadKeyring
from services.contracts.tickets import Caller
from services.engines.records_db.personal_columns import seal_columns
from services.engines.records_db.search_tokens import hashed, search_key, text_tokens
from services.engines.records_db.tables import case_records, case_search, unit_case_facts

TICKETS = Path(__file__).resolve().parent / "data" / "labelled_tickets.jsonl"
TOWNSHIPS = tuple(f"town-{n:02d}" for n in range(30))
# The first department (the one the most frequent catalog item goes to) wears a real catalog unit's code: intake
# checks what a console acts as against the catalog, so the console's benchmark signs in as this unit's clerk and
# reads its queue, the longest of the generated city's (bench/console_pages.py).
CATALOG_UNIT = "water"
DEPARTMENTS = (CATALOG_UNIT, *(f"dept-{n:03d}" for n in range(31, 200)))
UNITS = TOWNSHIPS + DEPARTMENTS
ITEMS = tuple(f"IT-{n:03d}" for n in range(300))
CHANNELS = (("12345", 62), ("89000", 15), ("grid", 15), ("township_call", 5), ("key_work_call", 2), ("assigned", 1))
OPEN_STATUSES = (
    (CaseStatus.ACCEPTED, 60),
    (CaseStatus.ASSIGNED, 25),
    (CaseStatus.REWORK, 6),
    (CaseStatus.RESOLVED, 4),
    (CaseStatus.ARBITRATION, 3),
    (CaseStatus.TRIAGE, 2),
)
_CHANNEL_NAMES = [name for name, _ in CHANNELS]
_CHANNEL_WEIGHTS = list(itertools.accumulate(weight for _, weight in CHANNELS))
_OPEN_NAMES = [status for status, _ in OPEN_STATUSES]
_OPEN_WEIGHTS = list(itertools.accumulate(weight for _, weight in OPEN_STATUSES))
_LEVEL_WEIGHTS = list(itertools.accumulate((95, 3.8, 1, 0.2)))
_RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
_RATING_WEIGHTS = list(itertools.accumulate((85, 10, 5)))
YEARS = 3
COPY_BATCH = 20_000
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Texts:
    """The tickets' words and the addresses, each with its search tokens hashed once."""

    tickets: list[tuple[str, str, set[int]]]  # title, description, hashed tokens
    addresses: list[tuple[str, set[int]]]

    @classmethod
    def load(cls, key: bytes, rng: random.Random) -> Texts:
        tickets = []
        for line in TICKETS.read_text(encoding="utf-8").splitlines():
            ticket = json.loads(line)
            words = text_tokens(f"{ticket['title']} {ticket['description']}")
            tickets.append((ticket["title"], ticket["description"], set(hashed(words, key))))
        places = ("幸福家园", "阳光小区", "王庄村", "李家村", "新华路", "人民路", "滨河花园", "东方广场", "石桥村")
        addresses = []
        for township in range(len(TOWNSHIPS)):
            for _ in range(100):
                address = f"第{township + 1}镇{rng.choice(places)}{rng.randrange(1, 40)}号楼{rng.randrange(1, 6)}单元"
                addresses.append((address, set(hashed(text_tokens(address), key))))
        return cls(tickets, addresses)


def _zipf(count: int, skew: float) -> list[float]:
    """Cumulative Zipf-like weights: the first of `count` the most frequent."""
    return list(itertools.accumulate(1 / (rank + 1) ** skew for rank in range(count)))


class CaseRows:
    """The rows, in received order, as COPY takes them (one tuple each, in `COLUMNS` order), made a chunk at a time
    (in worker processes: about 0.1 ms of CPU a row, mostly sealing)."""

    COLUMNS = (
        "case_id", "last_sequence", "status", "channel", "external_id", "title", "urgency", "catalog_item",
        "catalog_version", "policy_version", "first_contact_unit", "handling_unit", "township", "calling_unit",
        "units", "joint_units", "escalation_level", "overdue", "reworks", "sign_for_due", "feedback_due",
        "resolution_due", "rating_outcome", "received_at", "reported_at", "closed_at", "closed_reason",
        "personal_key_id", "description_sealed", "address_sealed", "caller_name_sealed", "caller_phone_sealed",
        "caller_confidential", "view", "updated_at",
    )  # fmt: skip
    # Each row's `case_search` row rides after it: (case_id, key_id, tokens, received_at); then its facts' rows.
    SEARCH_COLUMNS = ("case_id", "key_id", "tokens", "received_at")

    def __init__(self, total: int, keyring: PayloadKeyring, *, seed: int = 12345) -> None:
        self.total = total
        self.keyring = keyring
        self.seed = seed
        self.rng = random.Random(seed)
        self.texts = Texts.load(search_key(keyring, keyring.current_key_id), self.rng)
        self.unit_weights = _zipf(len(UNITS), 0.8)
        self.item_unit = {item: DEPARTMENTS[n % len(DEPARTMENTS)] for n, item in enumerate(ITEMS)}
        self.item_weights = _zipf(len(ITEMS), 0.9)
        self.view = _view_template()

    def chunk(self, start: int, count: int) -> list[tuple[Any, ...]]:
        """Rows `start` to `start + count` of the `total`, the same whichever process makes them."""
        self.rng.seed(f"{self.seed}-{start}")
        span = timedelta(days=365 * YEARS).total_seconds()
        step = span / self.total
        return [
            self._row(NOW - timedelta(seconds=span - n * step - self.rng.random() * step))
            for n in range(start, min(start + count, self.total))
        ]

    def _row(self, received: datetime) -> tuple[Any, ...]:
        rng = self.rng
        case_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        age_days = (NOW - received).total_seconds() / 86400
        is_open = rng.random() < (0.9 if age_days < 30 else 0.4 if age_days < 120 else 0.038)
        channel = rng.choices(_CHANNEL_NAMES, cum_weights=_CHANNEL_WEIGHTS)[0]
        township_number = rng.randrange(len(TOWNSHIPS))
        township = TOWNSHIPS[township_number]
        item = rng.choices(ITEMS, cum_weights=self.item_weights)[0]
        status = rng.choices(_OPEN_NAMES, cum_weights=_OPEN_WEIGHTS)[0] if is_open else None
        first = None if status is CaseStatus.TRIAGE else (township if rng.random() < 0.2 else self.item_unit[item])
        handling = first
        if first is not None and rng.random() < 0.08:  # transferred
            handling = rng.choices(UNITS, cum_weights=self.unit_weights)[0]
        calling = {"township_call": township, "key_work_call": rng.choice(DEPARTMENTS)}.get(channel)
        joint: list[str] = []
        if handling is not None and rng.random() < (0.03 if is_open else 0.02):
            joint = rng.sample(UNITS, rng.randint(1, 2))
        units = sorted({u for u in (first, handling, calling, *joint) if u})
        overdue = rng.random() < (0.15 if is_open else 0.006)
        level = rng.choices((0, 1, 2, 3), cum_weights=_LEVEL_WEIGHTS)[0]
        resolution_days = rng.choice((5, 10, 15, 30))
        closed_at = None if is_open else received + timedelta(days=rng.uniform(0.5, resolution_days * 1.2))
        title, description, words = rng.choice(self.texts.tickets)
        address, place_words = self.texts.addresses[township_number * 100 + rng.randrange(100)]
        personal = PersonalData(
            description=description,
            address=address,
            caller=Caller(name="王女士", phone=f"13{rng.randrange(10**9):09d}", confidential=rng.random() < 0.03),
            reported_at=received - timedelta(minutes=rng.randint(1, 30)),
        )
        sealed = seal_columns(case_id, personal, self.keyring)
        # Drawn in the order the row's tuple drew them before the facts came: the same records as then.
        urgency = "urgent" if rng.random() < 0.05 else "normal"
        reworks = int(rng.random() < 0.04)
        rating = None if is_open else rng.choices(_RATINGS, cum_weights=_RATING_WEIGHTS)[0]
        resolution_due = received + timedelta(days=resolution_days)
        generated = GeneratedCase(
            case_id=case_id,
            channel=channel,
            item=item,
            township=township,
            received=received,
            first=first,
            handling=handling,
            joint=joint,
            status=status,
            closed_at=closed_at,
            rating=rating,
            overdue=overdue,
            escalation_level=level,
            reworks=reworks,
            resolution_due=resolution_due,
        )
        # Their own generator: the records are the ones generated before the facts were.
        facts = case_facts(generated, random.Random(case_id), NOW)
        return (
            case_id, 6 if is_open else 12, (status or CaseStatus.CLOSED).value, channel, f"{channel}-{case_id[:13]}",
            title, urgency, item, "2026.3", "2026.1", first, handling,
            township, calling, units, joint if is_open else [], level, overdue, reworks,
            received + timedelta(hours=2), received + timedelta(days=3), resolution_due, rating,
            received, personal.reported_at, closed_at, None if is_open else "rated", sealed["personal_key_id"],
            sealed["description_sealed"], sealed["address_sealed"], sealed["caller_name_sealed"],
            sealed["caller_phone_sealed"], sealed["caller_confidential"],
            self.view.replace(TEMPLATE_CASE_ID, case_id), closed_at or received,
            (case_id, self.keyring.current_key_id, sorted(words | place_words), received),
            facts,
        )  # fmt: skip


TEMPLATE_CASE_ID = "00000000-0000-4000-8000-000000000000"


def _view_template() -> str:
    """A typical case's view (about 1.5 KB of JSON): the rows' `view` column, their case id put in."""
    at = NOW - timedelta(days=3)
    view = CaseView(
        case_id=TEMPLATE_CASE_ID,
        status=CaseStatus.ACCEPTED,
        channel="12345",
        external_id="12345-0000000000000",
        title="小区停水两天无人处理",
        catalog_item="IT-001",
        catalog_version="2026.3",
        policy_version="2026.1",
        first_contact_unit=CATALOG_UNIT,  # every row's view: the console's clerk may open any case
        handling_unit=CATALOG_UNIT,
        township="town-01",
        received_at=at,
        deadlines=Deadlines(sign_for=at, feedback=at, resolution=at),
    )
    return view.model_dump_json()


_WORKER_ROWS: CaseRows | None = None


def _start_worker(total: int, keyring: PayloadKeyring) -> None:
    global _WORKER_ROWS
    _WORKER_ROWS = CaseRows(total, keyring)


def _chunk(start: int) -> list[tuple[Any, ...]]:
    assert _WORKER_ROWS is not None
    return _WORKER_ROWS.chunk(start, COPY_BATCH)


async def seed(engine: AsyncEngine, total: int, keyring: PayloadKeyring) -> dict[str, float]:
    """COPY `total` rows with the secondary indexes dropped (made by a process a core, copied as they come), build
    the indexes again and analyze; the seconds each part took."""
    indexes = [*case_records.indexes, *case_search.indexes, *unit_case_facts.indexes]
    timings: dict[str, float] = {}
    began = time.monotonic()
    async with engine.begin() as connection:
        for index in indexes:
            await connection.execute(text(f"DROP INDEX IF EXISTS {index.name}"))
    loop = asyncio.get_running_loop()
    workers = os.cpu_count() or 1
    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(total, keyring)) as pool:
        async with engine.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None
            starts = iter(range(0, total, COPY_BATCH))
            # A few chunks ahead of the COPY: the workers never wait for it, memory stays a few chunks.
            pending = [loop.run_in_executor(pool, _chunk, start) for start in itertools.islice(starts, 2 * workers)]
            while pending:
                rows = await pending.pop(0)
                if (start := next(starts, None)) is not None:
                    pending.append(loop.run_in_executor(pool, _chunk, start))
                await raw.copy_records_to_table(
                    "case_records", records=[row[:-2] for row in rows], columns=CaseRows.COLUMNS
                )
                await raw.copy_records_to_table(
                    "case_search", records=[row[-2] for row in rows], columns=CaseRows.SEARCH_COLUMNS
                )
                await raw.copy_records_to_table(
                    "unit_case_facts", records=[fact for row in rows for fact in row[-1]], columns=FACT_COLUMNS
                )
    timings["copy_seconds"] = round(time.monotonic() - began, 1)
    began = time.monotonic()
    async with engine.connect() as connection:
        await connection.execute(text("SET maintenance_work_mem = '1GB'"))
        for index in indexes:
            await connection.run_sync(lambda sync, index=index: index.create(sync))
        await connection.commit()
    timings["index_seconds"] = round(time.monotonic() - began, 1)
    began = time.monotonic()
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM (ANALYZE) case_records"))
        await connection.execute(text("VACUUM (ANALYZE) case_search"))
        await connection.execute(text("VACUUM (ANALYZE) unit_case_facts"))
    timings["vacuum_analyze_seconds"] = round(time.monotonic() - began, 1)
    return timings
