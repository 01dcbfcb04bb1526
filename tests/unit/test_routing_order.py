"""The routing order (explicit item, platform code, free text), townships found in addresses, and triage.

A fake text classifier keeps these fast and exact; one test at the end uses the real one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from services.contracts.cases import RoutingMethod
from services.contracts.catalog import ResponsibilityCatalog, load_catalog
from services.router.classifier_data import load_classifier_data
from services.router.classifier_keeper import build_classifier
from services.router.gazetteer import load_gazetteer
from services.router.platform_categories import PlatformCategories, load_platform_categories
from services.router.routing import RoutingTables, route_ticket
from services.router.ticket_classifier import DEFAULT_CONFIDENCE_THRESHOLD, Classification, TicketClassifier

from .builders import make_ticket


@dataclass
class FakeClassifier:
    """Answers every ticket with one classification; remembers what it was asked."""

    answer: Classification
    confidence_threshold: float = DEFAULT_CONFIDENCE_THRESHOLD
    asked: list[tuple[str, str]] = field(default_factory=list)

    def classify(self, title: str, description: str) -> Classification:
        self.asked.append((title, description))
        return self.answer


def says(
    item: str | None, confidence: float, runner_up: str | None = None, runner_up_confidence: float = 0.0
) -> FakeClassifier:
    return FakeClassifier(
        Classification(
            item=item,
            confidence=confidence,
            runner_up=runner_up,
            runner_up_confidence=runner_up_confidence,
            confident=confidence >= DEFAULT_CONFIDENCE_THRESHOLD,
        )
    )


@pytest.fixture(scope="module")
def catalog() -> ResponsibilityCatalog:
    return load_catalog()


@pytest.fixture(scope="module")
def tables() -> RoutingTables:
    return RoutingTables(platform_categories=load_platform_categories(), gazetteer=load_gazetteer())


# --- the order ---------------------------------------------------------------------------------------------


def test_an_explicit_catalog_item_wins_over_the_text(catalog: ResponsibilityCatalog, tables: RoutingTables) -> None:
    text = says("EE-05", 0.99)
    decision = route_ticket(make_ticket(category_code="LS-06"), catalog, tables=tables, classifier=text)

    assert (decision.method, decision.item, decision.unit) == (RoutingMethod.CATEGORY_CODE, "LS-06", "water")
    assert decision.confidence is None
    assert text.asked == []


def test_a_platforms_own_code_is_mapped_to_its_item(catalog: ResponsibilityCatalog, tables: RoutingTables) -> None:
    decision = route_ticket(make_ticket(category_code="110102"), catalog, tables=tables, classifier=says(None, 0.0))

    assert decision.method is RoutingMethod.PLATFORM_MAPPING
    assert (decision.item, decision.unit) == ("EE-05", "law-enforcement")
    assert "12345 category '110102' → EE-05" in decision.reason
    assert decision.supporting_units == ["ecology-environment"]


def test_the_mapping_is_per_platform(catalog: ResponsibilityCatalog, tables: RoutingTables) -> None:
    livelihood = route_ticket(make_ticket(channel="89000", category_code="M0301"), catalog, tables=tables)
    wrong_platform = route_ticket(make_ticket(channel="89000", category_code="110102"), catalog, tables=tables)

    assert (livelihood.method, livelihood.unit) == (RoutingMethod.PLATFORM_MAPPING, "law-enforcement")
    assert (wrong_platform.method, wrong_platform.unit) == (RoutingMethod.NONE, None)
    assert "no mapping for the 89000 platform" in wrong_platform.reason


def test_an_unknown_code_with_no_mapping_goes_to_triage_without_guessing(
    catalog: ResponsibilityCatalog, tables: RoutingTables
) -> None:
    text = says("LS-06", 0.999)
    decision = route_ticket(make_ticket(category_code="ZZ-99"), catalog, tables=tables, classifier=text)

    assert (decision.method, decision.item, decision.unit) == (RoutingMethod.NONE, None, None)
    assert "unknown category_code 'ZZ-99'" in decision.reason and "needs triage" in decision.reason
    assert text.asked == []


def test_a_mapping_to_an_item_the_catalog_lacks_goes_to_triage(catalog: ResponsibilityCatalog) -> None:
    tables = RoutingTables(platform_categories=PlatformCategories({"12345": {"990001": "ZZ-01"}}))

    decision = route_ticket(make_ticket(category_code="990001"), catalog, tables=tables)

    assert (decision.method, decision.unit) == (RoutingMethod.PLATFORM_MAPPING, None)
    assert "maps to 'ZZ-01', not in catalog" in decision.reason


def test_without_a_code_a_confident_text_classification_routes(
    catalog: ResponsibilityCatalog, tables: RoutingTables
) -> None:
    text = says("EE-05", 0.99712, runner_up="EE-01", runner_up_confidence=0.0021)
    ticket = make_ticket(title="油烟", description="楼下饭店油烟")

    decision = route_ticket(ticket, catalog, tables=tables, classifier=text)

    assert (decision.method, decision.item, decision.unit) == (RoutingMethod.TEXT, "EE-05", "law-enforcement")
    assert (decision.confidence, decision.runner_up, decision.runner_up_confidence) == (0.9971, "EE-01", 0.0021)
    assert text.asked == [("油烟", "楼下饭店油烟")]
    assert decision.reason.startswith("text → EE-05 at confidence 1.00 (runner-up EE-01 at 0.00)")


# --- triage ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("confidence", [0.0001, 0.7, DEFAULT_CONFIDENCE_THRESHOLD - 0.0001])
def test_below_the_threshold_the_case_goes_to_triage_with_the_best_guess(
    catalog: ResponsibilityCatalog, tables: RoutingTables, confidence: float
) -> None:
    text = says("UC-03", confidence, runner_up="MS-04", runner_up_confidence=0.2)

    decision = route_ticket(make_ticket(), catalog, tables=tables, classifier=text)

    assert (decision.method, decision.item, decision.unit) == (RoutingMethod.TEXT, "UC-03", None)
    assert decision.runner_up == "MS-04" and decision.confidence == round(confidence, 4)
    assert "below the threshold 0.95: needs triage" in decision.reason


def test_at_the_threshold_the_text_is_trusted(catalog: ResponsibilityCatalog, tables: RoutingTables) -> None:
    decision = route_ticket(
        make_ticket(), catalog, tables=tables, classifier=says("UC-03", DEFAULT_CONFIDENCE_THRESHOLD)
    )

    assert decision.unit == "housing-construction"


def test_text_naming_no_matter_goes_to_triage(catalog: ResponsibilityCatalog, tables: RoutingTables) -> None:
    decision = route_ticket(make_ticket(), catalog, tables=tables, classifier=says(None, 0.0))

    assert (decision.method, decision.item, decision.unit) == (RoutingMethod.TEXT, None, None)
    assert decision.runner_up is None and decision.runner_up_confidence is None
    assert "names no matter of the catalog" in decision.reason


def test_an_item_from_a_classifier_of_an_older_catalog_goes_to_triage(
    catalog: ResponsibilityCatalog, tables: RoutingTables
) -> None:
    decision = route_ticket(make_ticket(), catalog, tables=tables, classifier=says("OLD-01", 0.99))

    assert decision.unit is None and "not in catalog" in decision.reason


def test_no_code_and_no_classifier_goes_to_triage(catalog: ResponsibilityCatalog) -> None:
    decision = route_ticket(make_ticket(), catalog)

    assert (decision.method, decision.unit) == (RoutingMethod.NONE, None)


# --- townships -----------------------------------------------------------------------------------------------


def test_a_township_item_goes_to_the_township_its_address_names(
    catalog: ResponsibilityCatalog, tables: RoutingTables
) -> None:
    ticket = make_ticket(address="松林村二组麦地边", title="有人烧秸秆", description="浓烟很大")

    decision = route_ticket(ticket, catalog, tables=tables, classifier=says("EE-04", 0.99))

    assert (decision.item, decision.unit) == ("EE-04", "qingshan-town")
    assert (decision.township, decision.township_source) == ("qingshan-town", "address")
    assert decision.reason.endswith("EE-04: township is primary (the address names 松林村)")
    assert decision.supporting_units == ["ecology-environment", "agriculture"]


def test_the_tickets_own_township_wins_over_its_address(catalog: ResponsibilityCatalog, tables: RoutingTables) -> None:
    ticket = make_ticket(category_code="EE-04", township="taoyuan-township", address="松林村二组")

    decision = route_ticket(ticket, catalog, tables=tables)

    assert (decision.unit, decision.township_source) == ("taoyuan-township", "ticket")


def test_an_unknown_township_code_falls_back_to_the_address(
    catalog: ResponsibilityCatalog, tables: RoutingTables
) -> None:
    ticket = make_ticket(category_code="EE-04", township="water", address="河口镇王家村")

    decision = route_ticket(ticket, catalog, tables=tables)

    assert decision.unit == "hekou-town"


@pytest.mark.parametrize("address", ["新华村村口", "幸福路18号", None])
def test_a_township_item_without_a_township_found_goes_to_triage(
    catalog: ResponsibilityCatalog, tables: RoutingTables, address: str | None
) -> None:
    decision = route_ticket(make_ticket(category_code="EE-04", address=address), catalog, tables=tables)

    assert (decision.item, decision.unit, decision.township) == ("EE-04", None, None)
    assert "names no known township: needs triage" in decision.reason


def test_a_township_found_in_the_address_supports_a_department(
    catalog: ResponsibilityCatalog, tables: RoutingTables
) -> None:
    decision = route_ticket(make_ticket(category_code="NR-02", address="沙河村河道"), catalog, tables=tables)

    assert decision.unit == "natural-resources"
    assert decision.supporting_units == ["water", "public-security", "hekou-town"]


def test_a_case_for_triage_still_carries_the_township_found(
    catalog: ResponsibilityCatalog, tables: RoutingTables
) -> None:
    decision = route_ticket(make_ticket(address="翠湖社区5栋"), catalog, tables=tables, classifier=says("UC-03", 0.5))

    assert decision.unit is None and decision.township == "donghu-street"


# --- the real classifier ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def classifier(catalog: ResponsibilityCatalog) -> TicketClassifier:
    return build_classifier(catalog, load_classifier_data(), threshold=DEFAULT_CONFIDENCE_THRESHOLD)


def test_a_free_text_ticket_about_barbecue_fumes_goes_to_law_enforcement(
    catalog: ResponsibilityCatalog, tables: RoutingTables, classifier: TicketClassifier
) -> None:
    ticket = make_ticket(title="楼下烧烤店油烟太大熏得没法开窗", description="楼下烧烤店油烟太大熏得没法开窗")

    decision = route_ticket(ticket, catalog, tables=tables, classifier=classifier)

    assert (decision.method, decision.item, decision.unit) == (RoutingMethod.TEXT, "EE-05", "law-enforcement")
    assert decision.confidence is not None and decision.confidence >= DEFAULT_CONFIDENCE_THRESHOLD


def test_synonyms_of_an_item_a_new_catalog_version_dropped_do_not_stop_the_build(
    catalog: ResponsibilityCatalog,
) -> None:
    without_fumes = catalog.model_copy(
        update={"version": "8", "items": {code: item for code, item in catalog.items.items() if code != "EE-05"}}
    )

    rebuilt = build_classifier(without_fumes, load_classifier_data(), threshold=DEFAULT_CONFIDENCE_THRESHOLD)

    assert rebuilt.catalog_version == "8"
    assert rebuilt.classify("楼下烧烤店油烟太大", "油烟熏得没法开窗").item != "EE-05"
