"""`hotline records …`: run the records' migrations (a deploy step), rebuild the records from the case event log."""

from __future__ import annotations

from sqlalchemy import text

from services.engines.jetstream import close_nats, open_jetstream
from services.engines.records_db.connection import open_records
from services.engines.temporal import connect_temporal
from services.records.migrate import migrate
from services.records.rebuild import rebuild
from services.records.settings import RecordsSettings


async def migrate_records(settings: RecordsSettings) -> str:
    """Upgrade the records' database to the newest revision (re-sealing with the payload keys where one asks)."""
    engine = open_records(settings.database(), pool_size=1)
    try:
        await migrate(engine, keyring=settings.payload_keyring())
        async with engine.connect() as connection:
            revision = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    finally:
        await engine.dispose()
    return f"records database at revision {revision}"


async def rebuild_records(settings: RecordsSettings, *, lanes: int) -> str:
    """Rebuild the records from `CASE_EVENTS` and Temporal (docs/case-records.md); the report as text."""
    engine = open_records(settings.database(), pool_size=lanes + 2)
    nc, js = await open_jetstream(settings, name="records-rebuild")
    try:
        # A command, not a service: it serves no SDK metrics (their port may be a running service's in this pod).
        temporal = await connect_temporal(settings.model_copy(update={"temporal_metrics_address": None}))
        # The rebuild writes the newest shape of the tables: a database behind the code is brought up to it first.
        await migrate(engine, keyring=settings.payload_keyring())
        report = await rebuild(engine=engine, keyring=settings.payload_keyring(), js=js, temporal=temporal, lanes=lanes)
    finally:
        await close_nats(nc)
        await engine.dispose()
    return report.summary()
