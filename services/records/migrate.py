"""Runs the records' migrations (Alembic) to the newest revision: at the service's start, or as a deploy step."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from services.contracts.payload_keys import PayloadKeyring

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(connection: Connection, keyring: PayloadKeyring | None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    # Migrations that re-seal personal data (0002) open it with the payload keys.
    config.attributes["keyring"] = keyring
    return config


async def migrate(engine: AsyncEngine, revision: str = "head", *, keyring: PayloadKeyring | None = None) -> None:
    """Upgrade the database to `revision`, in one transaction (PostgreSQL's DDL is transactional)."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(_config(sync, keyring), revision))


async def downgrade(engine: AsyncEngine, revision: str, *, keyring: PayloadKeyring | None = None) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(_config(sync, keyring), revision))
