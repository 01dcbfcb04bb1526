"""The notifier's outbound HTTP against a real local receiver: any answer is returned, no answer is an error."""

from __future__ import annotations

import pytest

from services.notifier.outbound_http import HttpAnswer, OutboundHttp, OutboundHttpError
from tests.support.receiver import WebhookReceiver


async def test_the_body_and_headers_are_sent_and_the_answer_returned(receiver: WebhookReceiver) -> None:
    receiver.answer = {"errcode": 0, "errmsg": "ok"}
    async with OutboundHttp(timeout_seconds=2) as http:
        answer = await http.post(receiver.url("/in"), b'{"a": 1}', {"Content-Type": "application/json", "X-Id": "e1"})

    assert (answer.status_code, answer.is_success, answer.json()) == (200, True, {"errcode": 0, "errmsg": "ok"})
    [request] = receiver.received
    assert (request.path, request.body, request.headers["x-id"]) == ("/in", b'{"a": 1}', "e1")


async def test_an_error_status_is_an_answer_not_an_error(receiver: WebhookReceiver) -> None:
    receiver.failures_to_answer, receiver.failure_status = 1, 503
    async with OutboundHttp(timeout_seconds=2) as http:
        answer = await http.post(receiver.url(), b"{}", {})

    assert (answer.status_code, answer.is_success) == (503, False)


def test_an_answer_that_is_not_json_raises_value_error_when_read_as_json() -> None:
    with pytest.raises(ValueError):
        HttpAnswer(200, b"<html>").json()


async def test_a_refused_connection_is_a_connect_error() -> None:
    down = WebhookReceiver()  # never started: the port refuses connections
    async with OutboundHttp(timeout_seconds=2) as http:
        with pytest.raises(OutboundHttpError, match=r"^ConnectError: "):
            await http.post(down.url(), b"{}", {})


async def test_no_answer_within_the_timeout_is_a_timeout(receiver: WebhookReceiver) -> None:
    receiver.answer_delay_seconds = 1.0
    async with OutboundHttp(timeout_seconds=0.2) as http:
        with pytest.raises(OutboundHttpError, match=r"^Timeout: no answer within 0.2 s$"):
            await http.post(receiver.url(), b"{}", {})


async def test_a_url_that_is_not_http_is_an_error_not_a_crash() -> None:
    async with OutboundHttp(timeout_seconds=2) as http:
        with pytest.raises(OutboundHttpError):
            await http.post("ftp://127.0.0.1/hook", b"{}", {})
