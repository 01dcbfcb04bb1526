"""The notifier's outbound HTTP against a real local receiver: any answer is returned, no answer is an error."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import pytest

from services.contracts.outbound_targets import OutboundTargets
from services.notifier.outbound_http import (
    HttpAnswer,
    OutboundHttp,
    OutboundHttpError,
    ReceiverHeld,
    TargetRefused,
)
from services.notifier.receiver_breakers import ReceiverBreakers
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


PRODUCTION = OutboundTargets.parse(allow_private=False)


async def test_outside_development_a_loopback_target_is_refused_before_any_connection(
    receiver: WebhookReceiver,
) -> None:
    async with OutboundHttp(timeout_seconds=2, targets=PRODUCTION) as http:
        with pytest.raises(TargetRefused, match=r"^Refused: 127.0.0.1 is a loopback address"):
            await http.post(receiver.url(), b"{}", {})
    assert receiver.requests == []


async def test_a_name_is_refused_by_the_address_it_resolves_to_at_delivery(receiver: WebhookReceiver) -> None:
    name = socket.gethostname()  # this machine's own name: /etc/hosts gives a loopback or private address
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, receiver.port, type=socket.SOCK_STREAM)}
    except OSError:
        pytest.skip(f"{name} does not resolve here")
    if all(PRODUCTION.refuse_address(ipaddress.ip_address(address)) is None for address in addresses):
        pytest.skip(f"{name} resolves to public addresses here: {addresses}")
    async with OutboundHttp(timeout_seconds=2, targets=PRODUCTION) as http:
        with pytest.raises(TargetRefused, match=rf"^Refused: {name} resolves to "):
            await http.post(f"http://{name}:{receiver.port}/hook", b"{}", {})
    assert receiver.requests == []


async def test_a_network_the_city_lists_is_reached(receiver: WebhookReceiver) -> None:
    city = OutboundTargets.parse(allow_private=False, networks="127.0.0.0/8")
    async with OutboundHttp(timeout_seconds=2, targets=city) as http:
        assert (await http.post(receiver.url(), b"{}", {})).is_success


async def test_a_receiver_failing_in_a_row_is_held_without_a_request_until_its_probe(
    receiver: WebhookReceiver,
) -> None:
    receiver.failures_to_answer, receiver.failure_status = 10**6, 503
    breakers = ReceiverBreakers(failures=3, probe_seconds=0.3, probe_timeout_seconds=2)
    async with OutboundHttp(timeout_seconds=2, breakers=breakers) as http:
        statuses = [(await http.post(receiver.url(), b"{}", {})).status_code for _ in range(3)]
        with pytest.raises(ReceiverHeld, match=r"keeps failing; next probe in") as held:
            await http.post(receiver.url("/other-path"), b"{}", {})
        assert 0 < held.value.retry_after <= 0.3
        assert (statuses, len(receiver.requests)) == ([503] * 3, 3)

        receiver.failures_to_answer = 0
        await asyncio.sleep(0.35)
        assert (await http.post(receiver.url(), b"{}", {})).is_success  # the probe, and it closes the breaker
        assert (await http.post(receiver.url(), b"{}", {})).is_success


async def test_a_client_error_answer_shows_the_receiver_is_alive(receiver: WebhookReceiver) -> None:
    receiver.failures_to_answer, receiver.failure_status = 10, 400
    breakers = ReceiverBreakers(failures=2, probe_seconds=30, probe_timeout_seconds=2)
    async with OutboundHttp(timeout_seconds=2, breakers=breakers) as http:
        statuses = [(await http.post(receiver.url(), b"{}", {})).status_code for _ in range(4)]
    assert statuses == [400] * 4
