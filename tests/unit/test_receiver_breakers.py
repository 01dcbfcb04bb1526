"""A receiver that keeps failing gets one probe per interval, not one attempt per event."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from services.notifier.receiver_breakers import BreakerState, ReceiverBreakers, receiver_of

RECEIVER = "https://water.example.gov.cn"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def breakers(clock: Clock) -> ReceiverBreakers:
    return ReceiverBreakers(failures=3, probe_seconds=30, probe_timeout_seconds=10, clock=clock)


def fail(subject: ReceiverBreakers, times: int) -> None:
    for _ in range(times):
        assert subject.admit(RECEIVER) is None
        subject.record(RECEIVER, alive=False)


def test_failures_below_the_threshold_keep_it_closed_and_a_success_forgets_them() -> None:
    subject = breakers(Clock())
    fail(subject, 2)
    subject.record(RECEIVER, alive=True)
    fail(subject, 2)
    assert subject.state(RECEIVER) is BreakerState.CLOSED
    assert subject.admit(RECEIVER) is None


def test_the_threshold_opens_it_and_requests_are_held_until_the_probe_is_due() -> None:
    clock = Clock()
    subject = breakers(clock)
    fail(subject, 3)
    assert subject.state(RECEIVER) is BreakerState.OPEN
    assert subject.admit(RECEIVER) == 30
    clock.now += 20
    assert subject.admit(RECEIVER) == 10
    assert subject.admit("https://other.example.gov.cn") is None  # breakers are per receiver


def test_one_probe_at_a_time_and_the_others_wait_for_its_answer() -> None:
    clock = Clock()
    subject = breakers(clock)
    fail(subject, 3)
    clock.now += 30
    assert subject.admit(RECEIVER) is None  # the probe
    assert subject.state(RECEIVER) is BreakerState.HALF_OPEN
    assert [subject.admit(RECEIVER) for _ in range(5)] == [11.0] * 5  # the probe's timeout and a second


@pytest.mark.parametrize(
    ("probe_alive", "state", "next_admit"),
    [(True, BreakerState.CLOSED, None), (False, BreakerState.OPEN, 30.0)],
)
def test_the_probes_answer_closes_or_reopens_it(probe_alive: bool, state: BreakerState, next_admit: float) -> None:
    clock = Clock()
    subject = breakers(clock)
    fail(subject, 3)
    clock.now += 31
    assert subject.admit(RECEIVER) is None
    subject.record(RECEIVER, alive=probe_alive)
    assert subject.state(RECEIVER) is state
    assert subject.admit(RECEIVER) == next_admit


def test_the_state_is_a_metric_per_receiver() -> None:
    clock = Clock()
    subject = breakers(clock)
    receiver = "https://metric.example.gov.cn"

    def value(state: str) -> float | None:
        return REGISTRY.get_sample_value(
            "hotline_notifier_receiver_breaker", {"receiver": receiver, "hotline_notifier_receiver_breaker": state}
        )

    for _ in range(3):
        subject.record(receiver, alive=False)
    assert (value("open"), value("closed")) == (1.0, 0.0)
    clock.now += 30
    subject.admit(receiver)
    assert value("half_open") == 1.0
    subject.record(receiver, alive=True)
    assert (value("closed"), value("open")) == (1.0, 0.0)


@pytest.mark.parametrize(
    ("url", "receiver"),
    [
        ("https://water.example.gov.cn/hook?token=secret", "https://water.example.gov.cn"),
        ("https://user:pw@water.example.gov.cn:8443/hook", "https://water.example.gov.cn:8443"),
        ("http://127.0.0.1:9000/a", "http://127.0.0.1:9000"),
        ("http://[::1]:9000/a", "http://::1:9000"),
        ("http://bad:port/", "invalid"),
    ],
)
def test_a_receiver_is_named_by_scheme_host_and_port_never_its_token(url: str, receiver: str) -> None:
    assert receiver_of(url) == receiver
