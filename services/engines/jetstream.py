"""Connect to NATS and declare the streams, KV buckets, object stores and durable consumers named in the
contracts."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import nats
import structlog
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    KeyValueConfig,
    ObjectStoreConfig,
    StorageType,
    StoreCompression,
    StreamConfig,
)
from nats.js.errors import BucketNotFoundError, KeyNotFoundError, NotFoundError
from nats.js.kv import KeyValue
from nats.js.object_store import ObjectStore
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from services.contracts.settings import ServiceSettings
from services.contracts.subjects import (
    BUCKETS,
    OBJECT_STORES,
    STREAMS,
    BucketSpec,
    ConsumerSpec,
    ObjectStoreSpec,
    StreamSpec,
)
from services.engines.connection_security import nats_options

log = structlog.get_logger(__name__)


async def connect_nats(settings: ServiceSettings, *, name: str) -> NATS:
    """Connect, retrying until `connect_timeout_seconds`; afterwards nats-py reconnects on its own, for ever."""

    async def on_disconnect() -> None:
        log.warning("nats.disconnected")

    async def on_reconnect() -> None:
        log.info("nats.reconnected")

    async def on_error(exc: Exception) -> None:
        log.warning("nats.error", error=str(exc))

    def connect() -> Coroutine[Any, Any, NATS]:
        return nats.connect(
            servers=settings.nats_servers(),
            name=name,
            max_reconnect_attempts=-1,
            reconnect_time_wait=1,
            connect_timeout=2,
            disconnected_cb=on_disconnect,
            reconnected_cb=on_reconnect,
            error_cb=on_error,
            **nats_options(settings),
        )

    async for attempt in AsyncRetrying(
        stop=stop_after_delay(settings.connect_timeout_seconds),
        wait=wait_exponential(multiplier=0.2, max=3),
        retry=retry_if_exception_type((OSError, nats.errors.NoServersError, TimeoutError)),
        reraise=True,
    ):
        with attempt:
            # Bounded: with credentials the server refuses, nats-py would try again for ever (each refusal is logged
            # by `on_error`); a service that cannot be let in should stop and say so.
            return await asyncio.wait_for(connect(), timeout=settings.connect_timeout_seconds)
    raise AssertionError("unreachable")


async def declare_streams(js: JetStreamContext, *, replicas: int = 1, streams: list[StreamSpec] = STREAMS) -> None:
    """Create or update every stream; safe to run from every service at every start.

    An existing stream keeps what an operator set on it (max_bytes, max_msgs, placement, discard, ...): only what the
    code owns is changed, and only when it differs (its subjects, description, retention, duplicate window,
    compression, and the replicas the deployment's settings ask for)."""
    for spec in streams:
        owned: dict[str, Any] = {
            "subjects": spec.subjects,
            "description": spec.description,
            "max_age": spec.max_age_seconds,
            "duplicate_window": spec.duplicate_window_seconds,
            "num_replicas": replicas,
            "compression": StoreCompression.S2 if spec.compressed else StoreCompression.NONE,
        }
        if spec.counters:
            owned |= {"allow_msg_counter": True, "max_msgs_per_subject": 1}
        try:
            current = (await js.stream_info(spec.name)).config
        except NotFoundError:
            storage = StorageType.MEMORY if spec.in_memory else StorageType.FILE
            await js.add_stream(StreamConfig(name=spec.name, storage=storage, **owned))
            continue
        if any(getattr(current, field) != value for field, value in owned.items()):
            await js.update_stream(dataclasses.replace(current, **owned))


# JetStream's duplicate window of a KV bucket's stream (as nats-py and the nats CLI create it): the server refuses one
# longer than the bucket's max_age.
KV_DUPLICATE_WINDOW_SECONDS = 120.0


async def key_value(js: JetStreamContext, spec: BucketSpec, *, replicas: int = 1) -> KeyValue:
    """The bucket, created on first use; a bucket whose keys expire (`spec.ttl_seconds`) is given that lifetime
    whether it is new or not, so the last service started with a changed setting is the one that holds."""
    try:
        bucket = await js.key_value(spec.name)
    except BucketNotFoundError:
        return await js.create_key_value(
            KeyValueConfig(
                bucket=spec.name,
                description=spec.description,
                history=spec.history,
                ttl=spec.ttl_seconds,
                storage=StorageType.FILE,
                replicas=replicas,
            )
        )
    if spec.ttl_seconds is not None:
        await set_bucket_ttl(js, spec.name, spec.ttl_seconds)
    return bucket


async def set_bucket_ttl(js: JetStreamContext, bucket: str, ttl_seconds: float) -> None:
    """Keys of an existing bucket live `ttl_seconds` from now on (its stream's max_age); nothing else changes.

    nats-py has no call to update a bucket, so its stream (`KV_<bucket>`) is updated with the config the server
    reports, only when the lifetime differs. Shortening it removes at once the keys older than the new lifetime.
    """
    stream = f"KV_{bucket}"
    config = (await js.stream_info(stream)).config
    window = min(KV_DUPLICATE_WINDOW_SECONDS, ttl_seconds)
    if _same_seconds(config.max_age, ttl_seconds) and _same_seconds(config.duplicate_window, window):
        return
    was = config.max_age or None  # 0: for ever
    config.max_age = ttl_seconds
    config.duplicate_window = window
    await js.update_stream(config)
    log.info("nats.bucket_ttl_set", bucket=bucket, ttl_seconds=ttl_seconds, was_seconds=was)


def _same_seconds(held: float | None, wanted: float) -> bool:
    # The server keeps nanoseconds; nats-py hands back float seconds.
    return held is not None and abs(held - wanted) < 1e-3


async def declare_buckets(js: JetStreamContext, *, replicas: int = 1, buckets: list[BucketSpec] = BUCKETS) -> None:
    """Create every bucket, or bring an existing one to the replicas the settings ask for."""
    for spec in buckets:
        await key_value(js, spec, replicas=replicas)
        await _keep_replicas(js, f"KV_{spec.name}", replicas)


async def _keep_replicas(js: JetStreamContext, stream: str, replicas: int) -> None:
    # A bucket first made at 1 replica (a development start, a command run before the services) would otherwise
    # stay on one server of the cluster: its keys lost to the service while that server is down.
    config = (await js.stream_info(stream)).config
    if config.num_replicas != replicas:
        await js.update_stream(dataclasses.replace(config, num_replicas=replicas))


async def object_store(js: JetStreamContext, spec: ObjectStoreSpec, *, replicas: int = 1) -> ObjectStore:
    """The object store, created on first use (file storage, `replicas` copies)."""
    try:
        return await js.object_store(spec.name)
    except BucketNotFoundError:
        return await js.create_object_store(
            spec.name,
            ObjectStoreConfig(
                description=spec.description, ttl=spec.ttl_seconds, storage=StorageType.FILE, replicas=replicas
            ),
        )


async def declare_object_stores(
    js: JetStreamContext, *, replicas: int = 1, stores: list[ObjectStoreSpec] = OBJECT_STORES
) -> None:
    for spec in stores:
        await object_store(js, spec, replicas=replicas)
        await _keep_replicas(js, f"OBJ_{spec.name}", replicas)


def consumer_config(spec: ConsumerSpec, *, max_deliver: int = -1) -> ConsumerConfig:
    """Durable pull consumer with explicit acks: a message stays until a service has done its work."""
    return ConsumerConfig(
        durable_name=spec.durable,
        filter_subject=spec.filter_subject,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        ack_wait=spec.ack_wait_seconds,
        max_deliver=max_deliver,
        max_ack_pending=spec.max_ack_pending,
    )


async def close_nats(nc: NATS) -> None:
    """Drain on shutdown (in-flight acks go out); if the server is already gone, just close."""
    try:
        await nc.drain()
    except (nats.errors.Error, TimeoutError) as exc:
        log.info("nats.closed_without_drain", reason=repr(exc))
        await nc.close()


async def open_jetstream(settings: ServiceSettings, *, name: str) -> tuple[NATS, JetStreamContext]:
    """Connect and make sure every stream, bucket and object store exists, with the configured replicas."""
    nc = await connect_nats(settings, name=name)
    js = nc.jetstream()
    await declare_streams(js, replicas=settings.nats_replicas)
    await declare_buckets(js, replicas=settings.nats_replicas, buckets=settings.buckets())
    await declare_object_stores(js, replicas=settings.nats_replicas)
    return nc, js


async def kv_entries(bucket: KeyValue, pattern: str = ">") -> list[KeyValue.Entry]:
    """The current entry of every key of the bucket that matches a subject pattern (`>`, `<case_id>.>`) and holds a
    value (deleted keys left out), in key order.

    Not `KeyValue.keys()` or a watch: nats-py ends their first pass on the consumer's pending count taken just after
    subscribing, and a value the server has sent but the client not yet handled counts as neither pending nor
    received, so a listing could miss a key written a moment before, or come back empty. Here the server names the
    subjects that hold a message (the stream's own state; at most 100 000 per answer, far above any bucket listed
    this way) and each is read; a delete marker reads as not found.
    """
    # nats-py keeps a bucket's stream and subject prefix private; both are fixed by the KV spec (KV_<b>, $KV.<b>.).
    prefix: str = bucket._pre
    info = await bucket._js.stream_info(bucket._stream, subjects_filter=f"{prefix}{pattern}")
    entries = []
    for subject in sorted(info.state.subjects or {}):
        try:
            entries.append(await bucket.get(subject[len(prefix) :]))
        except KeyNotFoundError:
            continue  # deleted (or purged since the state was read)
    return entries


async def kv_keys(bucket: KeyValue, pattern: str = ">") -> list[str]:
    """Keys of the bucket that match a subject pattern and hold a value, in order (see `kv_entries`)."""
    return [entry.key for entry in await kv_entries(bucket, pattern)]


async def kv_updates(
    bucket: KeyValue, *, stop: asyncio.Event, key: str | None = None
) -> AsyncIterator[KeyValue.Entry | None]:
    """Entries of a KV bucket (or one key) as they change, until `stop`.

    First the values already there, then `None` once (the end of those), then every later change.
    """
    watcher = await (bucket.watch(key) if key is not None else bucket.watchall())
    try:
        while not stop.is_set():
            try:
                entry = await watcher.updates(timeout=1.0)  # type: ignore[no-untyped-call]
            except TimeoutError:
                continue
            yield entry
    finally:
        with contextlib.suppress(Exception):
            await watcher.stop()  # type: ignore[no-untyped-call]
