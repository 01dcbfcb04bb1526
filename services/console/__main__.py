"""Run the staff console: `python -m services.console`."""

from __future__ import annotations

import uvicorn

from services.console.app import create_app
from services.console.settings import ConsoleSettings
from services.contracts.telemetry import configure_logging


def main() -> None:
    settings = ConsoleSettings()
    configure_logging(service="console", level=settings.log_level, json=settings.log_json)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        loop="uvloop",
        http="httptools",
        timeout_graceful_shutdown=10,
        proxy_headers=True,
    )


if __name__ == "__main__":
    main()
