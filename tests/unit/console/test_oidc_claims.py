"""What an identity provider's claims make a person in the console: their role, their id, or a refusal."""

from __future__ import annotations

from typing import Any

import pytest

from services.console.oidc import ClaimNames, ClaimsRefused, person_id, role_of, staff_from_claims
from services.contracts.credentials import ClientKind

NAMES = ClaimNames()


@pytest.mark.parametrize(
    ("value", "role"),
    [
        ("unit:water", (ClientKind.UNIT, "water")),
        ("  unit:water ", (ClientKind.UNIT, "water")),
        ("coordination", (ClientKind.COORDINATION, "coordination-centre")),
        ("leader:city-leader", (ClientKind.LEADER, "city-leader")),
        ("leader:top-leadership", (ClientKind.LEADER, "top-leadership")),
        ("admin", (ClientKind.ADMIN, "")),
        ("unit:", None),
        ("unit", None),
        ("leader:", None),
        ("coordination:x", None),
        ("admin:root", None),
        ("operator", None),
        ("console", None),
        ("platform:12345", None),
        ("", None),
        ("UNIT:water", None),
    ],
)
def test_a_role_claim_names_a_staff_kind_and_its_code(value: str, role: tuple[ClientKind, str] | None) -> None:
    assert role_of(value) == role


@pytest.mark.parametrize(
    ("claims", "person"),
    [
        ({"preferred_username": "zhang.san", "email": "z@city.example", "sub": "1"}, "zhang.san"),
        ({"email": "li.si@city.example", "sub": "2"}, "li.si@city.example"),
        ({"sub": "0d1f-77"}, "0d1f-77"),
        ({"preferred_username": "wang wu", "sub": "3"}, "wang-wu"),
        # A name of Chinese characters only cleans to nothing: the next claim is the id.
        ({"preferred_username": "张三", "email": "zhangsan@city.example", "sub": "4"}, "zhangsan@city.example"),
        ({"preferred_username": "", "sub": "5"}, "5"),
        ({"preferred_username": ["x"], "sub": "6"}, "6"),
        ({"preferred_username": "-.lead._", "sub": "7"}, "lead"),
        ({"sub": "a" * 200}, "a" * 128),
    ],
)
def test_the_person_id_is_the_first_usable_claim_made_safe(claims: dict[str, Any], person: str) -> None:
    assert person_id(claims, NAMES) == person


@pytest.mark.parametrize("claims", [{}, {"preferred_username": "张三"}, {"sub": "..."}, {"sub": True}])
def test_no_usable_person_claim_is_refused(claims: dict[str, Any]) -> None:
    with pytest.raises(ClaimsRefused, match="用户标识"):
        person_id(claims, NAMES)


@pytest.mark.parametrize(
    ("roles", "kind", "subject"),
    [
        (["unit:water"], ClientKind.UNIT, "water"),
        ("unit:water coordination", ClientKind.UNIT, "water"),
        (["operator", "leader:city-leader", "admin"], ClientKind.LEADER, "city-leader"),
        (["nonsense", 7, None, "admin"], ClientKind.ADMIN, ""),
        (("coordination",), ClientKind.COORDINATION, "coordination-centre"),
    ],
)
def test_the_first_usable_role_is_the_persons(roles: Any, kind: ClientKind, subject: str) -> None:
    staff = staff_from_claims({"preferred_username": "li", "name": "李四", "hotline_roles": roles}, NAMES)
    assert (staff.person, staff.name, staff.kind, staff.subject) == ("li", "李四", kind, subject)


@pytest.mark.parametrize("roles", [None, [], "", ["operator", "console"], 5, {"unit:water": True}, "unit:"])
def test_claims_without_a_usable_role_are_refused_naming_the_claim(roles: Any) -> None:
    claims = {"preferred_username": "li", "sub": "1"} | ({} if roles is None else {"hotline_roles": roles})
    with pytest.raises(ClaimsRefused, match="hotline_roles"):
        staff_from_claims(claims, NAMES)


def test_the_claim_names_are_settings() -> None:
    names = ClaimNames(roles="groups", person="upn", name="display")
    staff = staff_from_claims({"groups": ["unit:water"], "upn": "w01", "display": "王五"}, names)
    assert (staff.person, staff.name) == ("w01", "王五")


def test_without_a_name_the_person_id_is_shown() -> None:
    staff = staff_from_claims({"hotline_roles": ["admin"], "sub": "s-1", "name": "  "}, NAMES)
    assert staff.name == "s-1"
