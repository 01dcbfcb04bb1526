"""Run the intake API: `python -m services.intake`."""

from __future__ import annotations

import uvicorn

from services.contracts.gc_pauses import observe_gc_pauses
from services.contracts.telemetry import configure_logging
from services.contracts.tracing import configure_tracing
from services.intake.app import create_app
from services.intake.settings import IntakeSettings


def main() -> None:
    settings = IntakeSettings()
    configure_logging(service="intake", level=settings.log_level, json=settings.log_json)
    configure_tracing(service="intake", otlp_endpoint=settings.otlp_endpoint, sample_ratio=settings.trace_sample_ratio)
    observe_gc_pauses()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        loop="uvloop",
        http="httptools",
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
