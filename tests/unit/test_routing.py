"""`route_ticket` against the shipped sample district's catalog."""

from __future__ import annotations

import pytest

from services.contracts.cases import RoutingMethod
from services.contracts.catalog import ResponsibilityCatalog, load_catalog
from services.router.routing import route_ticket

from .builders import make_ticket


@pytest.fixture(scope="module")
def catalog() -> ResponsibilityCatalog:
    return load_catalog()


def test_explicit_category_goes_to_the_items_primary_unit(catalog: ResponsibilityCatalog) -> None:
    decision = route_ticket(make_ticket(category_code="LS-06", township="hekou-town"), catalog)

    assert decision.unit == "water"
    assert decision.method is RoutingMethod.CATEGORY_CODE
    assert decision.item == "LS-06"
    assert "primary unit" in decision.reason


def test_township_primary_item_goes_to_the_named_township(catalog: ResponsibilityCatalog) -> None:
    decision = route_ticket(make_ticket(category_code="EE-04", township="qingshan-town"), catalog)

    assert decision.unit == "qingshan-town"
    assert decision.item == "EE-04"
    assert decision.supporting_units == ["ecology-environment", "agriculture"]
    assert "township is primary" in decision.reason


@pytest.mark.parametrize(
    "township",
    [
        pytest.param(None, id="no-township"),
        pytest.param("atlantis-town", id="unknown-code"),
        pytest.param("water", id="a-department-is-not-a-township"),
    ],
)
def test_township_primary_item_without_a_known_township_needs_triage(
    catalog: ResponsibilityCatalog, township: str | None
) -> None:
    decision = route_ticket(make_ticket(category_code="EE-04", township=township), catalog)

    assert decision.unit is None
    assert decision.item == "EE-04"
    assert "names no known township" in decision.reason


def test_unknown_category_needs_triage(catalog: ResponsibilityCatalog) -> None:
    decision = route_ticket(make_ticket(category_code="ZZ-99", township="hekou-town"), catalog)

    assert decision.unit is None
    assert decision.method is RoutingMethod.NONE
    assert decision.item is None
    assert "unknown category_code 'ZZ-99'" in decision.reason


def test_missing_category_needs_triage(catalog: ResponsibilityCatalog) -> None:
    decision = route_ticket(make_ticket(township="hekou-town"), catalog)

    assert decision.unit is None
    assert decision.method is RoutingMethod.NONE
    assert "no category_code" in decision.reason


def test_township_joins_the_supporting_units_when_its_role_is_support(catalog: ResponsibilityCatalog) -> None:
    decision = route_ticket(make_ticket(category_code="NR-02", township="shiqiao-town"), catalog)

    assert decision.unit == "natural-resources"
    assert decision.supporting_units == ["water", "public-security", "shiqiao-town"]


def test_township_is_not_supporting_when_its_role_is_none(catalog: ResponsibilityCatalog) -> None:
    decision = route_ticket(make_ticket(category_code="HE-03", township="shiqiao-town"), catalog)

    assert decision.unit == "health"
    assert decision.supporting_units == ["public-security", "market-regulation"]


def test_supporting_units_without_a_township_are_the_items_own(catalog: ResponsibilityCatalog) -> None:
    decision = route_ticket(make_ticket(category_code="NR-02"), catalog)

    assert decision.supporting_units == ["water", "public-security"]


def test_routing_leaves_the_catalog_item_unchanged(catalog: ResponsibilityCatalog) -> None:
    route_ticket(make_ticket(category_code="NR-02", township="shiqiao-town"), catalog)

    item = catalog.item("NR-02")
    assert item is not None
    assert item.supporting_units == ("water", "public-security")


@pytest.mark.parametrize("category_code", ["LS-06", "EE-04", "ZZ-99", None])
def test_every_decision_records_the_catalog_version(catalog: ResponsibilityCatalog, category_code: str | None) -> None:
    decision = route_ticket(make_ticket(category_code=category_code), catalog)

    assert decision.catalog_version == catalog.version


@pytest.mark.parametrize(("category_code", "complexity"), [("NR-01", "complex"), ("LS-06", "normal")])
def test_item_complexity_is_carried_on_the_decision(
    catalog: ResponsibilityCatalog, category_code: str, complexity: str
) -> None:
    decision = route_ticket(make_ticket(category_code=category_code), catalog)

    assert decision.complexity == complexity


# --- a unit's call never goes back to the calling unit -----------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "calling_unit", "category_code", "township", "unit"),
    [
        pytest.param("township_call", "hekou-town", "EE-04", "hekou-town", None, id="township-matter-of-the-caller"),
        pytest.param("township_call", "hekou-town", "EE-04", "qingshan-town", "qingshan-town", id="another-township"),
        pytest.param("township_call", "hekou-town", "LS-06", "hekou-town", "water", id="a-departments-matter"),
        pytest.param("key_work_call", "water", "LS-06", "hekou-town", None, id="key-work-call-of-the-primary-unit"),
        pytest.param("key_work_call", "health", "LS-06", "hekou-town", "water", id="key-work-call-of-another-unit"),
        pytest.param("12345", None, "EE-04", "hekou-town", "hekou-town", id="a-platforms-ticket"),
    ],
)
def test_a_call_routed_to_its_calling_unit_goes_to_triage(
    catalog: ResponsibilityCatalog,
    channel: str,
    calling_unit: str | None,
    category_code: str,
    township: str,
    unit: str | None,
) -> None:
    ticket = make_ticket(channel=channel, category_code=category_code, township=township)
    decision = route_ticket(ticket, catalog, calling_unit=calling_unit)

    assert decision.unit == unit
    assert decision.item == category_code  # the item stays, as the best guess for the coordination centre
    if unit is None:
        assert decision.reason.endswith(
            f"{calling_unit} is the calling unit and cannot answer its own call: needs triage"
        )
    else:
        assert "calling unit" not in decision.reason


def test_a_major_item_is_marked_major_on_its_routing(catalog: ResponsibilityCatalog) -> None:
    major = route_ticket(make_ticket(category_code="EM-05", township="hekou-town"), catalog)
    routine = route_ticket(make_ticket(category_code="LS-06", township="hekou-town"), catalog)

    assert (major.unit, major.major) == ("emergency-management", True)
    assert routine.major is False
