"""A triage decision checked against the catalog (422s) and the routing it gives the case."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.contracts.case_view import CaseView
from services.contracts.cases import CaseStatus, RoutingDecision, RoutingMethod
from services.contracts.catalog import ResponsibilityCatalog, load_catalog
from services.contracts.triage import TriageDecision
from services.intake.errors import UnprocessableInput
from services.intake.triage_checks import check_triage_decision, triage_routing


@pytest.fixture(scope="module")
def catalog() -> ResponsibilityCatalog:
    return load_catalog()


def decision(**fields: Any) -> TriageDecision:
    return TriageDecision.model_validate({"unit": "coordination-centre", "item": "EE-05", "note": "研判", **fields})


def waiting(township: str | None = None, source: str | None = None, calling_unit: str | None = None) -> CaseView:
    routing = RoutingDecision(
        method=RoutingMethod.TEXT, catalog_version="1", item="EE-04", township=township, township_source=source
    )
    return CaseView(
        case_id="c",
        status=CaseStatus.TRIAGE,
        channel="12345",
        external_id="e",
        township=township,
        calling_unit=calling_unit,
        received_at=datetime.now(UTC),
        routing=routing,
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"unit": "no-such-unit"}, "unit"),
        ({"item": "ZZ-99"}, "item"),
        ({"handling_unit": "no-such-unit"}, "handling_unit"),
        ({"handling_unit": "coordination-centre"}, "handling_unit"),
        ({"township": "water"}, "township"),
        ({"township": "atlantis-town"}, "township"),
    ],
)
def test_unknown_items_and_units_are_refused_naming_the_field(
    catalog: ResponsibilityCatalog, fields: dict[str, str], field: str
) -> None:
    with pytest.raises(UnprocessableInput, match=f"^{field}: "):
        check_triage_decision(catalog, decision(**fields))


def test_the_items_primary_unit_handles_the_case(catalog: ResponsibilityCatalog) -> None:
    chosen = decision()
    routing = triage_routing(catalog, check_triage_decision(catalog, chosen), chosen, waiting())

    assert (routing.method, routing.item, routing.unit) == (RoutingMethod.TRIAGE, "EE-05", "law-enforcement")
    assert routing.supporting_units == ["ecology-environment"]
    assert routing.reason == "triaged by coordination-centre: EE-05 → law-enforcement (primary unit)"


def test_a_township_item_goes_to_the_township_named_in_the_decision_or_known_to_the_case(
    catalog: ResponsibilityCatalog,
) -> None:
    named = decision(item="EE-04", township="shiqiao-town")
    item = check_triage_decision(catalog, named)
    by_decision = triage_routing(catalog, item, named, waiting("hekou-town", "address"))
    by_case = triage_routing(catalog, item, decision(item="EE-04"), waiting("hekou-town", "address"))

    assert (by_decision.unit, by_decision.township_source) == ("shiqiao-town", "triage")
    assert (by_case.unit, by_case.township_source) == ("hekou-town", "address")


def test_a_township_item_with_no_township_anywhere_is_refused(catalog: ResponsibilityCatalog) -> None:
    chosen = decision(item="EE-04")

    with pytest.raises(UnprocessableInput, match=r"^township: EE-04 is the township's matter"):
        triage_routing(catalog, check_triage_decision(catalog, chosen), chosen, waiting())


def test_a_named_handling_unit_overrides_the_catalog_and_leaves_the_supporting_list(
    catalog: ResponsibilityCatalog,
) -> None:
    chosen = decision(item="NR-02", handling_unit="water")
    routing = triage_routing(
        catalog, check_triage_decision(catalog, chosen), chosen, waiting("qingshan-town", "ticket")
    )

    assert routing.unit == "water"
    assert routing.supporting_units == ["public-security", "qingshan-town"]
    assert "named by the coordination centre" in routing.reason


@pytest.mark.parametrize(
    ("fields", "calling_unit", "field"),
    [
        pytest.param({"item": "EE-04"}, "hekou-town", "township", id="the-callers-township-known-to-the-case"),
        pytest.param({"item": "EE-04", "township": "hekou-town"}, "hekou-town", "township", id="named-township"),
        pytest.param({"item": "LS-06"}, "water", "item", id="the-items-primary-unit"),
        pytest.param({"item": "LS-06", "handling_unit": "health"}, "health", "handling_unit", id="named-unit"),
    ],
)
def test_a_call_is_never_handed_back_to_its_calling_unit(
    catalog: ResponsibilityCatalog, fields: dict[str, str], calling_unit: str, field: str
) -> None:
    chosen = decision(**fields)
    item = check_triage_decision(catalog, chosen)

    with pytest.raises(UnprocessableInput, match=f"^{field}: '{calling_unit}' is the calling unit"):
        triage_routing(catalog, item, chosen, waiting("hekou-town", "ticket", calling_unit=calling_unit))


def test_a_call_goes_to_any_other_unit(catalog: ResponsibilityCatalog) -> None:
    chosen = decision(item="EE-04", township="qingshan-town")
    routing = triage_routing(
        catalog, check_triage_decision(catalog, chosen), chosen, waiting("hekou-town", "ticket", "hekou-town")
    )

    assert routing.unit == "qingshan-town"


def test_a_major_item_chosen_in_triage_is_marked_major(catalog: ResponsibilityCatalog) -> None:
    chosen = decision(item="NR-05", township="hekou-town")
    routing = triage_routing(catalog, check_triage_decision(catalog, chosen), chosen, waiting())

    assert (routing.item, routing.major) == ("NR-05", True)
    plain = decision()
    assert triage_routing(catalog, check_triage_decision(catalog, plain), plain, waiting()).major is False


def test_the_place_a_location_found_is_kept_whoever_decides() -> None:
    case = waiting("hekou-town", "location")
    assert case.routing is not None
    place = {"place": "sample-district.hekou-town.wangjia.g01", "boundaries_version": "2"}
    case = case.model_copy(update={"routing": case.routing.model_copy(update=place)})

    routing = triage_routing(load_catalog(), load_catalog().items["EE-04"], decision(item="EE-04"), case)

    assert (routing.unit, routing.township_source) == ("hekou-town", "location")
    assert (routing.place, routing.boundaries_version) == (place["place"], "2")
