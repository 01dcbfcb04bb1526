"""(5) What intake's idempotency index costs a NATS server: memory and store after 1 M tickets, keys that expire
against keys kept for ever (as before issue 24).

    .venv/bin/python -m bench.case_index_memory [--keys N] [--ttl-seconds S]

Each variant runs on a nats-server of its own (nothing else in it): a `case_index` bucket, then `keys` create-only
records written as intake writes them (the key a case id, the value its `CaseIndexRecord`: same sizes), many at a
time. Sampled every few seconds: keys alive, store bytes, the server's RSS. After the last write, the same; then the
server is restarted, which leaves only what the keys themselves hold (the index rebuilt from the store, no garbage of
the write burst). With a TTL shorter than the writing, keys alive level off at (write rate × TTL) however many are
written: the bound a city's 30 days set. The TTL variant is then waited on until every key has expired.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import uvloop
from nats.js import JetStreamContext
from nats.js.kv import KeyValue

from bench.cpu_time import rss_mib
from services.contracts.case_ids import case_id_for
from services.contracts.case_index import CaseIndexRecord
from services.contracts.subjects import CASE_INDEX_BUCKET, DAY
from services.contracts.tickets import Ticket
from services.engines.jetstream import key_value
from tests.support.engines import NatsServer
from tests.support.tickets import ticket_body

IN_FLIGHT = 256
SAMPLE_SECONDS = 5.0
MIB = 2**20
# A city: 20 M tickets a year, keys kept for the platforms' retry horizon.
CITY_TICKETS_PER_YEAR = 20_000_000
CITY_TTL_DAYS = 30


@dataclass(frozen=True)
class Sample:
    seconds: float
    written: int
    keys: int
    store_mib: float
    rss_mib: float


@dataclass
class Variant:
    ttl_seconds: float | None
    keys_written: int = 0
    write_seconds: float = 0.0
    baseline_rss_mib: float = 0.0
    after_writes: Sample | None = None
    after_restart: Sample | None = None
    peak_keys: int = 0
    expired_after_seconds: float | None = None
    after_expiry: Sample | None = None
    samples: list[Sample] = field(default_factory=list)

    @property
    def writes_per_second(self) -> float:
        return self.keys_written / self.write_seconds if self.write_seconds else 0.0

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "writes_per_second": round(self.writes_per_second, 1)}


def index_value(n: int) -> tuple[str, bytes]:
    """The `n`-th ticket's case id and the record intake keeps under it."""
    ticket = Ticket.model_validate(ticket_body(external_id=f"12345-bench-{n:09d}"))
    case_id = case_id_for(ticket.channel, ticket.external_id)
    record = CaseIndexRecord.from_received(case_id, ticket, datetime.now(UTC))
    return case_id, record.model_dump_json().encode()


async def write_keys(bucket: KeyValue, count: int, on_progress: list[int]) -> None:
    """`count` create-only records, `IN_FLIGHT` at a time; `on_progress[0]` counts those written."""
    # One record made for real, the others the same bytes under their own key: pydantic would cost the load
    # generator more than the server spends on a write. The case id inside the value is the same length.
    _case_id, value = index_value(0)
    next_key = iter(range(count))

    async def writer() -> None:
        for n in next_key:
            await bucket.create(case_id_for("12345", f"12345-bench-{n:09d}"), value)
            on_progress[0] += 1

    await asyncio.gather(*(writer() for _ in range(IN_FLIGHT)))


async def sample(server: NatsServer, js: JetStreamContext, began: float, written: int) -> Sample:
    state = (await js.stream_info(f"KV_{CASE_INDEX_BUCKET.name}")).state
    assert server.process is not None
    return Sample(
        seconds=round(time.monotonic() - began, 1),
        written=written,
        keys=int(state.messages),
        store_mib=round(state.bytes / MIB, 1),
        rss_mib=round(rss_mib(server.process.pid), 1),
    )


async def run_variant(
    workdir: Path, *, keys: int, ttl_seconds: float | None, settle_seconds: float, show: bool = True
) -> Variant:
    """One server, one bucket (keys living `ttl_seconds`, or for ever), `keys` records written and measured."""
    server = NatsServer.at(workdir)
    await server.start()
    variant = Variant(ttl_seconds=ttl_seconds)
    try:
        nc = await server.connect()
        js = nc.jetstream()
        bucket = await key_value(js, replace(CASE_INDEX_BUCKET, ttl_seconds=ttl_seconds))
        began = time.monotonic()
        variant.baseline_rss_mib = (await sample(server, js, began, 0)).rss_mib
        progress = [0]
        writing = asyncio.create_task(write_keys(bucket, keys, progress))
        while not writing.done():
            await asyncio.wait([writing], timeout=SAMPLE_SECONDS)
            point = await sample(server, js, began, progress[0])
            variant.samples.append(point)
            variant.peak_keys = max(variant.peak_keys, point.keys)
            if show:
                print(
                    f"    {point.seconds:>6}s  written {point.written:>8}  keys {point.keys:>8}"
                    f"  store {point.store_mib:>6} MiB  RSS {point.rss_mib:>6} MiB",
                    flush=True,
                )
        await writing
        variant.keys_written, variant.write_seconds = keys, round(time.monotonic() - began, 1)
        variant.after_writes = await sample(server, js, began, keys)
        await nc.close()
        server.stop()
        await server.start()  # what the keys hold once the write burst's garbage is gone
        nc = await server.connect()
        js = nc.jetstream()
        variant.after_restart = await sample(server, js, began, keys)
        if ttl_seconds is not None:
            await wait_for_expiry(server, js, began, variant, ttl_seconds, settle_seconds)
        await nc.close()
    finally:
        server.stop()
    return variant


async def wait_for_expiry(
    server: NatsServer, js: JetStreamContext, began: float, variant: Variant, ttl_seconds: float, settle: float
) -> None:
    """Until no key is left (at most twice the TTL after the last write), then `settle` seconds more."""
    deadline = time.monotonic() + 2 * ttl_seconds + 30
    while True:
        point = await sample(server, js, began, variant.keys_written)
        if not point.keys or time.monotonic() > deadline:
            break
        await asyncio.sleep(1.0)
    variant.expired_after_seconds = round(point.seconds - variant.write_seconds, 1) if not point.keys else None
    if settle:
        await asyncio.sleep(settle)
    variant.after_expiry = await sample(server, js, began, variant.keys_written)


async def measure_index(
    *, keys: int = 1_000_000, ttl_seconds: float = 60.0, settle_seconds: float = 30.0, show: bool = True
) -> dict[str, Any]:
    """Both variants, with `keys` records each (JSON-able), and the arithmetic for a city."""
    with TemporaryDirectory(prefix="hotline-index-bench-") as workdir:
        if show:
            print(f"  keys expiring after {ttl_seconds:g} s:", flush=True)
        expiring = await run_variant(
            Path(workdir) / "ttl", keys=keys, ttl_seconds=ttl_seconds, settle_seconds=settle_seconds, show=show
        )
        if show:
            print("  keys kept for ever (before issue 24):", flush=True)
        for_ever = await run_variant(
            Path(workdir) / "forever", keys=keys, ttl_seconds=None, settle_seconds=0, show=show
        )
    return {
        "benchmark": "case_index_memory",
        "keys": keys,
        "value_bytes": len(index_value(0)[1]),
        "ttl": expiring.as_json(),
        "for_ever": for_ever.as_json(),
        "city": city_figures(for_ever),
    }


def city_figures(for_ever: Variant) -> dict[str, Any]:
    """Bytes a key costs the server (RSS after restart, less an empty server's), and a city's keys alive."""
    assert for_ever.after_restart is not None
    per_key = (for_ever.after_restart.rss_mib - for_ever.baseline_rss_mib) * MIB / max(for_ever.keys_written, 1)
    store_per_key = for_ever.after_restart.store_mib * MIB / max(for_ever.keys_written, 1)
    alive = CITY_TICKETS_PER_YEAR * CITY_TTL_DAYS * DAY / (365 * DAY)
    return {
        "rss_bytes_per_key": round(per_key),
        "store_bytes_per_key": round(store_per_key),
        "tickets_per_year": CITY_TICKETS_PER_YEAR,
        "ttl_days": CITY_TTL_DAYS,
        "keys_alive": round(alive),
        "rss_mib_with_ttl": round(alive * per_key / MIB),
        "rss_mib_per_year_for_ever": round(CITY_TICKETS_PER_YEAR * per_key / MIB),
        "store_mib_with_ttl": round(alive * store_per_key / MIB),
    }


def table(result: dict[str, Any]) -> str:
    """The two variants, one after the other, and the city's figures."""
    lines = [f"  {result['keys']} records of {result['value_bytes']} B each:"]
    for name in ("ttl", "for_ever"):
        variant = result[name]
        ttl = "for ever" if variant["ttl_seconds"] is None else f"{variant['ttl_seconds']:g} s"
        writes, restart, expiry = variant["after_writes"], variant["after_restart"], variant["after_expiry"]
        lines.append(
            f"    keys living {ttl}: written at {variant['writes_per_second']:.0f}/s,"
            f" peak {variant['peak_keys']} alive; after the last write {writes['keys']} alive,"
            f" store {writes['store_mib']} MiB, RSS {writes['rss_mib']} MiB;"
        )
        lines.append(
            f"      after a restart {restart['keys']} alive, RSS {restart['rss_mib']} MiB"
            f" (empty server {variant['baseline_rss_mib']} MiB)"
        )
        if expiry:
            lines.append(
                f"      all expired {variant['expired_after_seconds']} s after the last write;"
                f" then store {expiry['store_mib']} MiB, RSS {expiry['rss_mib']} MiB"
            )
    city = result["city"]
    lines.append(
        f"  a key costs ~{city['rss_bytes_per_key']} B of RSS and ~{city['store_bytes_per_key']} B of store;"
        f" {city['tickets_per_year'] / 1e6:g} M tickets a year kept {city['ttl_days']} days:"
    )
    lines.append(
        f"    ~{city['keys_alive'] / 1e6:.2f} M keys alive, ~{city['rss_mib_with_ttl']} MiB RSS and"
        f" ~{city['store_mib_with_ttl']} MiB store per server (kept for ever: +{city['rss_mib_per_year_for_ever']}"
        " MiB RSS every year)"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=1_000_000, help="records written in each variant")
    parser.add_argument("--ttl-seconds", type=float, default=60.0, help="the expiring variant's key lifetime")
    parser.add_argument("--settle-seconds", type=float, default=30.0, help="wait after the last key expired")
    args = parser.parse_args()
    result = uvloop.run(measure_index(keys=args.keys, ttl_seconds=args.ttl_seconds, settle_seconds=args.settle_seconds))
    print(table(result))


if __name__ == "__main__":
    main()
