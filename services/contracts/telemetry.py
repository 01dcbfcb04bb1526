"""Structured JSON logging for every service (structlog), with stdlib loggers routed through it."""

from __future__ import annotations

import logging
import sys

import structlog

from services.contracts.log_masking import mask_personal_data
from services.contracts.tracing import add_trace_ids


def configure_logging(*, service: str, level: str = "INFO", json: bool = True) -> None:
    """Make every log line (ours, uvicorn's, temporalio's, nats') one structured line on stdout."""
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        # The trace a line belongs to (when tracing is on and a span is current): from a log line to its ticket's trace.
        add_trace_ids,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        # Last, so that it also sees the rendered exception and stack: no phone, name, address or secret is written.
        mask_personal_data,
    ]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False) if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                _bind_service(service),
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's access log is replaced by the metrics histogram; keep its errors.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


def _bind_service(service: str) -> structlog.typing.Processor:
    def processor(_logger: object, _name: str, event_dict: structlog.typing.EventDict) -> structlog.typing.EventDict:
        event_dict.setdefault("service", service)
        return event_dict

    return processor
