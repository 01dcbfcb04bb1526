"""`apply_change`: what a catalog change may be, checked against a catalog version, and the version it makes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.contracts.catalog import DRAFT, TownshipRole, load_catalog
from services.contracts.catalog_change_rules import ChangeDoesNotFit, apply_change
from services.contracts.catalog_changes import CatalogChangeRequest

CATALOG = load_catalog()


def item_fields(code: str = "KW-05", **overrides: Any) -> dict[str, Any]:
    """A catalog item as a unit would send it (JSON-like), from the shipped `code`, with overrides."""
    fields: dict[str, Any] = CATALOG.items[code].model_dump(mode="json") if code in CATALOG.items else {}
    return fields | overrides


def change(
    kind: str = "change", code: str = "KW-05", *, unit: str = "commerce", like: str | None = None, **item: Any
) -> CatalogChangeRequest:
    """A request about item `code`; its item is the shipped `like` (default: `code` itself) with `item` applied."""
    body: dict[str, Any] = {"unit": unit, "kind": kind, "item_code": code, "reason": "职能调整"}
    if kind != "remove":
        body["item"] = item_fields(like or code, **item) | {"item_code": code}
    return CatalogChangeRequest.model_validate(body)


def refusal(request: CatalogChangeRequest) -> str:
    with pytest.raises(ChangeDoesNotFit) as refused:
        apply_change(CATALOG, request)
    return str(refused.value)


def test_a_change_makes_a_draft_with_a_new_digest_and_leaves_the_other_items() -> None:
    changed = apply_change(CATALOG, change(primary_unit="development-reform"))
    assert changed.version == DRAFT and changed.digest != CATALOG.digest
    assert changed.items["KW-05"].primary_unit == "development-reform"
    assert {code: item for code, item in changed.items.items() if code != "KW-05"} == {
        code: item for code, item in CATALOG.items.items() if code != "KW-05"
    }
    assert changed.units == CATALOG.units


def test_add_and_remove() -> None:
    new = {"item_zh": "医疗废物处置", "supporting_units": ["ecology-environment"]}
    added = apply_change(CATALOG, change("add", "HE-05", unit="health", like="HE-04", **new))
    assert set(added.items) == set(CATALOG.items) | {"HE-05"}
    removed = apply_change(CATALOG, change("remove", "HE-04", unit="health"))
    assert set(removed.items) == set(CATALOG.items) - {"HE-04"}


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (lambda: change(unit="nobody"), "unit: unknown unit code 'nobody'"),
        (lambda: change("add", "KW-05"), "item_code: KW-05 is already in the catalog"),
        (lambda: change("remove", "ZZ-01"), "item_code: unknown catalog item 'ZZ-01'"),
        (lambda: change("change", "ZZ-01", like="KW-05"), "item_code: unknown catalog item 'ZZ-01'"),
        (lambda: change(primary_unit=None), "item.primary_unit: no primary unit and township_role is not 'primary'"),
        (lambda: change(primary_unit="no-such-bureau"), "item.primary_unit: unknown unit code 'no-such-bureau'"),
        (lambda: change(supporting_units=["water", "ghost"]), "item.supporting_units: unknown unit code 'ghost'"),
        (lambda: change(), "item: KW-05 already reads like this"),
    ],
)
def test_changes_that_do_not_fit_name_the_field(request_: Any, expected: str) -> None:
    assert refusal(request_()).startswith(expected)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"township_role": "primary"}, "item.township_role"),
        ({"township_role": "primary", "primary_unit": None}, "item.township_role"),
        ({"primary_unit": "hekou-town"}, "item.primary_unit"),
    ],
)
def test_a_unit_may_not_push_its_own_listed_duty_down_to_the_townships(fields: dict[str, Any], field: str) -> None:
    message = refusal(change(**fields))
    assert message.startswith(f"{field}: KW-05 is a listed duty of 'commerce'")
    assert "may not push its own listed duties down to the townships" in message


def test_townships_may_support_and_other_units_changes_are_not_the_rule_s_business() -> None:
    supported = apply_change(CATALOG, change(township_role="support"))
    assert supported.items["KW-05"].township_role is TownshipRole.SUPPORT
    # The rule is about a unit's own duties: the centre's proposal for KW-05 is for the centre to weigh.
    by_centre = apply_change(CATALOG, change(unit="coordination-centre", township_role="primary", primary_unit=None))
    assert by_centre.items["KW-05"].township_role is TownshipRole.PRIMARY


@pytest.mark.parametrize(
    ("body", "location", "message"),
    [
        ({"kind": "add"}, "item", "required for add"),
        ({"kind": "remove", "item": item_fields()}, "item", "leave item out"),
        ({"item": item_fields(item_code="KW-04")}, "item", "differs from item_code 'KW-05'"),
        ({"kind": "rename", "item": item_fields()}, "kind", "Input should be"),
        ({"item": item_fields(), "reason": " "}, "reason", "at least 1 character"),
    ],
)
def test_the_request_itself_is_checked_field_by_field(body: dict[str, Any], location: str, message: str) -> None:
    with pytest.raises(ValidationError) as invalid:
        CatalogChangeRequest.model_validate(
            {"unit": "commerce", "kind": "change", "item_code": "KW-05", "reason": "x"} | body
        )
    [error] = invalid.value.errors()
    assert error["loc"] == (location,) and message in error["msg"]
