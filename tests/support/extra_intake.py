"""Another intake process on a running system's engines, configured like its first with some settings changed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.support.engines import free_port
from tests.support.services import ServiceProcess


@asynccontextmanager
async def extra_intake(
    base_env: dict[str, str], log_dir: Path, overrides: dict[str, str]
) -> AsyncIterator[ServiceProcess]:
    """An intake on a port of its own with `base_env` and `overrides`; it serves no SDK metrics (the first intake
    holds that port). Stopped afterwards."""
    port = free_port()
    env = {**base_env, "HOTLINE_INTAKE_PORT": str(port), "HOTLINE_TEMPORAL_METRICS_ADDRESS": "", **overrides}
    intake = ServiceProcess("intake", port, env, log_dir / f"intake-{port}.log")
    await intake.start()
    try:
        yield intake
    finally:
        intake.stop()
