"""Finding classes of cases: a planted class is found and noise is not; classes continue, end, and keep their ids."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from services.assessment.classes.detection import (
    FoundClass,
    GroupedCase,
    KnownClass,
    class_id_for,
    detect,
)
from services.contracts.case_classes import GroupKey, KindRule

START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in the city
RULE = KindRule(
    name="同一事项同一镇街", group_by=[GroupKey.CATALOG_ITEM, GroupKey.TOWNSHIP], window_days=7, min_cases=5
)
WATER = ("LS-06", "hekou-town")
ROADS = ("UC-03", "hekou-town")


def case(index: int, day: float, group: tuple[str, ...] = WATER) -> GroupedCase:
    """Case `c<index>`, received `day` days after START."""
    return GroupedCase(
        case_id=f"c{index:03d}",
        received_at=START + timedelta(days=day),
        group=group,
        catalog_item=group[0],
        township=group[1],
    )


def cases(days: list[float], group: tuple[str, ...] = WATER, first: int = 0) -> list[GroupedCase]:
    return [case(first + n, day, group) for n, day in enumerate(days)]


def ids(found: FoundClass) -> list[str]:
    return sorted(found.case_ids)


def known(found: FoundClass) -> KnownClass:
    """A class as the store hands it back to the next scan."""
    return KnownClass(
        class_id=found.class_id,
        group=found.group,
        case_ids=frozenset(found.case_ids),
        first_received_at=found.first_received_at,
        last_received_at=found.last_received_at,
    )


@dataclass(frozen=True)
class Example:
    days: list[float]
    classes: list[list[int]]  # the cases (by index) of each class found, oldest class first


@pytest.mark.parametrize(
    "example",
    [
        Example([0, 1, 2, 3, 4], [[0, 1, 2, 3, 4]]),  # five in a week
        Example([0, 1, 2, 3], []),  # four are not a class
        Example([0, 2, 4, 6, 8], []),  # five, but never five within seven days
        Example([0, 1.5, 3, 5, 7], [[0, 1, 2, 3, 4]]),  # the window's ends are in it
        Example([0, 10, 11, 12, 13, 14], [[1, 2, 3, 4, 5]]),  # the one long before is not of the class
        Example([0, 1, 2, 3, 4, 9, 20], [[0, 1, 2, 3, 4, 5]]),  # day 9 is within a week of day 4: it joins
        # Day 20 is two weeks after the class's last case: the class had ended; alone it waits.
        Example([0, 1, 2, 3, 4, 20, 21, 22, 23, 24], [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]),
    ],
)
def test_a_class_is_min_cases_within_the_window_and_those_that_follow_it(example: Example) -> None:
    found = detect("item_township", RULE, cases(example.days))

    assert sorted(ids(f) for f in found) == sorted([f"c{i:03d}" for i in members] for members in example.classes)
    assert all(f.new for f in found)


def test_a_planted_class_is_found_among_noise_and_the_noise_alone_is_not() -> None:
    chance = random.Random(20261202)
    items = [f"LS-{n:02d}" for n in range(1, 31)]
    townships = [f"town-{n}" for n in range(1, 11)]
    noise = [
        case(n, chance.uniform(0, 30), (chance.choice(items), chance.choice(townships))) for n in range(300)
    ]  # 300 cases over 30 items, 10 townships and 30 days: about one a group a month
    planted = cases([12.1, 12.9, 13.4, 14.0, 14.8, 15.2], ("LS-99", "town-3"), first=500)

    assert detect("item_township", RULE, noise) == []
    [found] = detect("item_township", RULE, noise + planted)

    assert ids(found) == [c.case_id for c in planted]
    assert (found.group, found.common_item(), found.common_township()) == (("LS-99", "town-3"), "LS-99", "town-3")
    assert (found.first_received_at, found.last_received_at) == (planted[0].received_at, planted[-1].received_at)
    assert found.active_until == planted[-1].received_at + timedelta(days=7)


def test_groups_do_not_mix() -> None:
    mixed = cases([0, 1, 2], WATER) + cases([1, 2], ROADS, first=10)

    assert detect("item_township", RULE, mixed) == []


def test_a_class_that_continues_keeps_its_id_and_new_cases_join_it_without_a_threshold() -> None:
    [first] = detect("item_township", RULE, cases([0, 1, 2, 3, 4]))
    # The next scan, three days on: its window holds the class's later cases and one new case.
    window = [*cases([1, 2, 3, 4], first=1), case(5, 7)]

    [continued] = detect("item_township", RULE, window, [known(first)])

    assert (continued.class_id, continued.new, continued.joined) == (first.class_id, False, ["c005"])
    assert ids(continued) == ["c000", "c001", "c002", "c003", "c004", "c005"]
    assert continued.active_until == START + timedelta(days=14)


def test_a_case_recorded_late_joins_the_class_it_belongs_to() -> None:
    [first] = detect("item_township", RULE, cases([1, 2, 3, 4, 5], first=1))

    [continued] = detect("item_township", RULE, [case(0, 0.5)], [known(first)])

    assert (continued.class_id, continued.joined) == (first.class_id, ["c000"])
    assert continued.first_received_at == START + timedelta(days=0.5)


def test_scanning_again_finds_nothing_new() -> None:
    window = cases([0, 1, 2, 3, 4, 5])
    found = detect("item_township", RULE, window)

    assert detect("item_township", RULE, window, [known(f) for f in found]) == []


def test_after_a_class_has_ended_its_group_needs_the_threshold_again_for_a_new_class() -> None:
    [old] = detect("item_township", RULE, cases([0, 1, 2, 3, 4]))
    later = cases([20, 21, 22], first=5)

    assert detect("item_township", RULE, later, [known(old)]) == []
    [new] = detect("item_township", RULE, later + cases([23, 24], first=8), [known(old)])
    assert new.new and new.class_id != old.class_id
    assert ids(new) == ["c005", "c006", "c007", "c008", "c009"]


def test_a_class_s_id_is_its_kind_group_and_the_day_it_started() -> None:
    started = START + timedelta(hours=3)
    same_day = START + timedelta(hours=14)  # 23:00 in the city, still Monday
    next_day = START + timedelta(hours=16)  # 01:00 on Tuesday

    assert class_id_for("item_township", WATER, started) == class_id_for("item_township", WATER, same_day)
    assert class_id_for("item_township", WATER, started) != class_id_for("item_township", WATER, next_day)
    assert class_id_for("item_township", WATER, started) != class_id_for("address", WATER, started)
    assert class_id_for("item_township", WATER, started) != class_id_for("item_township", ROADS, started)
    [found] = detect("item_township", RULE, cases([0, 1, 2, 3, 4]))
    assert found.class_id == class_id_for("item_township", WATER, START)


def test_a_place_kind_groups_by_key_id_and_hash_whatever_the_items() -> None:
    rule = KindRule(
        name="同一地址反复反映", group_by=[GroupKey.TOWNSHIP, GroupKey.ADDRESS], window_days=30, min_cases=3
    )
    at_one_place = [
        GroupedCase(f"a{n}", START + timedelta(days=n * 9), ("k1", "hekou-town", 42), item, "hekou-town")
        for n, item in enumerate(["LS-06", "LS-06", "UC-03"])
    ]
    same_hash_other_key = GroupedCase("b0", START, ("k2", "hekou-town", 42), "LS-06", "hekou-town")

    [found] = detect("address", rule, [*at_one_place, same_hash_other_key])

    assert ids(found) == ["a0", "a1", "a2"]
    assert found.common_item() == "LS-06"
