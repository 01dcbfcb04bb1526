"""The shared rate window's arithmetic: a sliding-window estimate, and an honest `Retry-After`."""

from __future__ import annotations

import itertools

import pytest

from services.intake.shared_rate_window import estimate, seconds_until_room


@pytest.mark.parametrize(
    ("elapsed", "previous", "current", "expected"),
    [
        (0.0, 10, 0, 10.0),  # the whole previous window is still inside
        (0.5, 10, 3, 8.0),
        (0.9, 10, 3, 4.0),
        (0.25, 0, 7, 7.0),
    ],
)
def test_the_estimate_weighs_the_previous_window_by_its_share_still_inside(
    elapsed: float, previous: int, current: int, expected: float
) -> None:
    assert estimate(window=1.0, elapsed=elapsed, previous=previous, current=current) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("elapsed", "previous", "current", "wait"),
    [
        (0.3, 0, 2, 0.0),  # room now
        (0.3, 0, 5, 0.9),  # full: 0.7 s to the next window, then 0.2 s until its weight leaves room for one
        (0.2, 5, 0, 0.0),  # 5 × 0.8 + 1 = 5 fits
        (0.1, 5, 0, 0.1),  # 5 × 0.9 + 1 = 5.5: at 0.2 it fits
        (0.5, 10, 4, 0.5),  # no room in this window: the next, where 4 leaves room at once
    ],
)
def test_retry_after_is_when_one_more_request_fits(elapsed: float, previous: int, current: int, wait: float) -> None:
    assert seconds_until_room(
        amount=5, window=1.0, elapsed=elapsed, previous=previous, current=current
    ) == pytest.approx(wait)


@pytest.mark.parametrize(
    ("elapsed", "previous", "current"),
    list(itertools.product([0.0, 0.1, 0.45, 0.8, 0.99], [0, 1, 4, 5, 9, 20], [0, 1, 4, 5])),
)
def test_after_the_wait_one_more_request_fits_and_not_much_sooner(elapsed: float, previous: int, current: int) -> None:
    amount, window = 5, 1.0
    wait = seconds_until_room(amount=amount, window=window, elapsed=elapsed, previous=previous, current=current)

    def fits_at(t: float) -> bool:
        later = elapsed + t
        if later < window:
            return estimate(window=window, elapsed=later, previous=previous, current=current + 1) <= amount + 1e-9
        # The next window: this one's count is the previous, none counted yet in it.
        return estimate(window=window, elapsed=later - window, previous=current, current=1) <= amount + 1e-9

    assert fits_at(wait)
    if wait >= 0.02:
        assert not fits_at(wait - 0.02)
