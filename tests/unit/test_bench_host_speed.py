"""The host yardstick: a fixed piece of work, and the median of its rounds' times."""

from __future__ import annotations

import time

import pytest

from bench import host_speed


def test_a_round_does_the_whole_fixed_work() -> None:
    # Every record's third tag is str(i), encoded and decoded: the digits of 0 … ROUND_ITEMS - 1.
    assert host_speed.one_round() == sum(len(str(i)) for i in range(host_speed.ROUND_ITEMS))


def test_the_yardstick_is_the_median_round(monkeypatch: pytest.MonkeyPatch) -> None:
    """One slow round (a hiccup of the host) does not move it; the typical round does."""
    rounds = iter([0.01, 0.20, 0.03, 0.04, 0.02])
    monkeypatch.setattr(host_speed, "one_round", lambda: time.sleep(next(rounds)))

    seconds = host_speed.yardstick_seconds(rounds=5)

    assert 0.03 <= seconds < 0.04 + 0.015


def test_a_real_round_takes_measurable_time() -> None:
    assert host_speed.yardstick_seconds(rounds=1) > 0.01
