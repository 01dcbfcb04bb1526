"""`configure_logging`: one JSON line per log call, carrying service, event, level and bound context."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import structlog

from services.contracts.telemetry import configure_logging


@contextmanager
def json_logging(*, service: str, level: str = "INFO") -> Iterator[None]:
    """Configure logging for the body of a test, then put the root logger and structlog back as they were."""
    root = logging.getLogger()
    access = logging.getLogger("uvicorn.access")
    handlers, root_level, access_level = root.handlers[:], root.level, access.level
    configure_logging(service=service, level=level)
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(root_level)
        access.setLevel(access_level)
        structlog.reset_defaults()
        structlog.contextvars.clear_contextvars()


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def test_structlog_call_is_one_json_line_with_service_event_level_and_case_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with json_logging(service="router"):
        structlog.get_logger("services.router").bind(case_id="c-1", unit="water").info("case.routed", item="LS-06")

    [line] = json_lines(capsys.readouterr().out)
    assert line["service"] == "router"
    assert line["event"] == "case.routed"
    assert line["level"] == "info"
    assert line["case_id"] == "c-1"
    assert line["unit"] == "water"
    assert line["item"] == "LS-06"
    assert line["logger"] == "services.router"
    assert line["timestamp"].endswith("Z")


def test_context_bound_for_a_request_reaches_every_line(capsys: pytest.CaptureFixture[str]) -> None:
    with json_logging(service="intake"):
        structlog.contextvars.bind_contextvars(case_id="c-2")
        structlog.get_logger("a").warning("first")
        structlog.get_logger("b").error("second")

    lines = json_lines(capsys.readouterr().out)
    assert [(line["event"], line["level"], line["case_id"], line["service"]) for line in lines] == [
        ("first", "warning", "c-2", "intake"),
        ("second", "error", "c-2", "intake"),
    ]


def test_stdlib_logger_lines_are_json_too(capsys: pytest.CaptureFixture[str]) -> None:
    with json_logging(service="workflows"):
        logging.getLogger("temporalio.worker").warning("worker %s started", "w-1")

    [line] = json_lines(capsys.readouterr().out)
    assert line["service"] == "workflows"
    assert line["event"] == "worker w-1 started"
    assert line["level"] == "warning"
    assert line["logger"] == "temporalio.worker"


def test_chinese_text_is_written_as_is(capsys: pytest.CaptureFixture[str]) -> None:
    with json_logging(service="intake"):
        structlog.get_logger("x").info("ticket.received", title="小区停水")

    out = capsys.readouterr().out
    assert "小区停水" in out
    assert json_lines(out)[0]["title"] == "小区停水"


def test_lines_below_the_level_are_dropped(capsys: pytest.CaptureFixture[str]) -> None:
    with json_logging(service="notifier", level="warning"):
        structlog.get_logger("x").info("quiet")
        structlog.get_logger("x").warning("loud")
        logging.getLogger("temporalio.worker").info("also quiet")

    assert [line["event"] for line in json_lines(capsys.readouterr().out)] == ["loud"]


def test_uvicorn_access_log_is_silenced_but_its_errors_are_kept(capsys: pytest.CaptureFixture[str]) -> None:
    with json_logging(service="intake"):
        logging.getLogger("uvicorn.access").info("GET /v1/cases 202")
        logging.getLogger("uvicorn.access").warning("invalid HTTP request")
        logging.getLogger("uvicorn.error").info("Application startup complete.")

    events = [line["event"] for line in json_lines(capsys.readouterr().out)]
    assert events == ["invalid HTTP request", "Application startup complete."]
