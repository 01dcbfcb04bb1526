"""A NATS KV bucket of a test's own on the session's nats-server, so the system's buckets stay untouched."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import nats
from nats.aio.client import Client as NATS
from nats.js.kv import KeyValue

from services.contracts.subjects import BucketSpec
from services.engines.jetstream import key_value
from tests.support.engines import nats_servers


@contextlib.asynccontextmanager
async def scratch_bucket(nats_url: str, prefix: str) -> AsyncIterator[tuple[NATS, KeyValue]]:
    """A new bucket named `<prefix>_<random>` and the connection it was made on; both gone afterwards."""
    nc = await nats.connect(nats_servers(nats_url))
    js = nc.jetstream()
    spec = BucketSpec(name=f"{prefix}_{uuid.uuid4().hex[:12]}")
    try:
        yield nc, await key_value(js, spec)
    finally:
        await js.delete_key_value(spec.name)
        await nc.close()
