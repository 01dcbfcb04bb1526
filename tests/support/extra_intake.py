"""Another intake process on a running system's engines, configured like its first with some settings changed."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.support.engines import free_port
from tests.support.services import ServiceProcess


def staging_overrides() -> dict[str, str]:
    """An intake in `staging` on the test's engines: keys of its own; the records' database and the object store
    (opened on first use) unreachable, for requests it refuses before reaching them; the city's own network and
    host the outbound rules allow."""
    return {
        "HOTLINE_ENVIRONMENT": "staging",
        "HOTLINE_PAYLOAD_KEYS": f"s1:{base64.b64encode(os.urandom(32)).decode()}",
        "HOTLINE_PAYLOAD_KEY_ID": "s1",
        "HOTLINE_RECORDS_DATABASE_URL": "postgresql+asyncpg://hotline@127.0.0.1:1/records",
        "HOTLINE_OBJECT_STORE_ENDPOINT": "https://127.0.0.1:1",
        "HOTLINE_OUTBOUND_ALLOWED_NETWORKS": "10.20.0.0/16",
        "HOTLINE_OUTBOUND_ALLOWED_HOSTS": "receiver.egov.internal",
    }


@asynccontextmanager
async def extra_intake(
    base_env: dict[str, str], log_dir: Path, overrides: dict[str, str]
) -> AsyncIterator[ServiceProcess]:
    """An intake on a port of its own with `base_env` and `overrides`; it serves no SDK metrics (the first intake
    holds that port). Stopped afterwards."""
    port = free_port()
    # The first intake fetches the tickets' attachment URLs: one configured otherwise (other keys, another object
    # store) must not take those fetches from it.
    env = {
        **base_env,
        "HOTLINE_INTAKE_PORT": str(port),
        "HOTLINE_TEMPORAL_METRICS_ADDRESS": "",
        "HOTLINE_INTAKE_ATTACHMENT_FETCH_WORKER": "false",
        **overrides,
    }
    intake = ServiceProcess("intake", port, env, log_dir / f"intake-{port}.log")
    await intake.start()
    try:
        yield intake
    finally:
        intake.stop()
