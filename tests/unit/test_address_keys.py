"""Place keys of a case's address: the same building (or estate) gives the same key; nothing readable is kept."""

from __future__ import annotations

import os

import pytest

from services.contracts.payload_keys import PayloadKeyring
from services.engines.records_db.address_keys import community_of, normalised_address, place_key, place_keys

KEYRING = PayloadKeyring("k1", {"k1": os.urandom(32), "k2": os.urandom(32)})


@pytest.mark.parametrize(
    ("address", "normalised"),
    [
        ("河口镇幸福家园小区3号楼2单元", "河口镇幸福家园3号楼"),
        ("河口镇幸福家园3号楼 501室", "河口镇幸福家园3号楼"),  # neighbours in one building share it
        ("河口镇幸福家园３号楼（东门）", "河口镇幸福家园3号楼东门"),  # full-width digits, punctuation dropped
        ("Donghu Road 12", "donghuroad12"),
        ("青山镇松林村5组12号", "青山镇松林村5组12号"),
        ("3单元", None),  # nothing of a place is left
        ("", None),
        (None, None),
    ],
)
def test_an_address_is_compared_down_to_its_building(address: str | None, normalised: str | None) -> None:
    assert normalised_address(address) == normalised


@pytest.mark.parametrize(
    ("address", "community"),
    [
        ("河口镇幸福家园小区3号楼2单元", "河口镇幸福家园"),
        ("河口镇幸福家园5号楼", "河口镇幸福家园"),
        ("城关街道南关社区解放路12号", "城关街道南关社区"),
        ("东湖街道滨湖新村8栋", "东湖街道滨湖新村"),
        ("青山镇松林村5组12号", "青山镇松林村"),
        ("河口镇沿河路5号", None),  # a road names no estate
    ],
)
def test_the_community_is_the_address_up_to_the_estate(address: str, community: str | None) -> None:
    assert community_of(address) == community


def test_equal_places_give_equal_keys_under_one_key_and_others_not() -> None:
    k1, k2 = place_key(KEYRING, "k1"), place_key(KEYRING, "k2")

    one = place_keys("河口镇幸福家园小区3号楼2单元", k1)
    neighbour = place_keys("河口镇幸福家园3号楼501室", k1)
    next_building = place_keys("河口镇幸福家园5号楼", k1)

    assert one.address == neighbour.address and one.address is not None
    assert next_building.address != one.address
    assert next_building.community == one.community and one.community is not None
    assert one.address != one.community  # the two keys are kept apart
    assert place_keys("河口镇幸福家园3号楼", k2).address != one.address  # another payload key, another number
    assert -(2**63) <= one.address < 2**63
    assert place_keys(None, k1).address is None and place_keys("河口镇沿河路5号", k1).community is None
