"""Pure routing rules: which catalog item a ticket is about, and so which unit handles it, under a catalog version.

The item comes from the first of: the ticket's `category_code` when it is a catalog item; the platform's own
category code mapped by the platform table; the free-text classifier on title and description. The unit is the
item's primary unit, or the ticket's township for items the township handles: the ticket's `township`, else the
one its location lies in (its point, by the district's boundaries) or names (its grid code), else the one its
address names (the gazetteer). Whatever cannot be decided with
confidence goes to the coordination centre for triage (`unit=None`), with the reason; so does a unit's call that
would go back to the calling unit itself (a call asks others to respond).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from services.contracts.cases import RoutingDecision, RoutingMethod
from services.contracts.catalog import CatalogItem, ResponsibilityCatalog, TownshipRole, UnitKind
from services.contracts.coordinate_systems import to_wgs84
from services.contracts.tickets import Ticket, TicketLocation
from services.router.gazetteer import Gazetteer
from services.router.place_index import PlaceFound, PlaceIndex
from services.router.platform_categories import PlatformCategories
from services.router.ticket_classifier import Classification

# Confidences are shown on the case; four places say all that matters to a person reading it.
CONFIDENCE_PLACES = 4


class TextClassifier(Protocol):
    """What routing needs of the free-text classifier (`TicketClassifier`)."""

    confidence_threshold: float

    def classify(self, title: str, description: str) -> Classification: ...


@dataclass(frozen=True)
class RoutingTables:
    """The data routing reads besides the catalog."""

    platform_categories: PlatformCategories = field(default_factory=PlatformCategories)
    gazetteer: Gazetteer = field(default_factory=Gazetteer)
    places: PlaceIndex = field(default_factory=PlaceIndex)


NO_TABLES = RoutingTables()


def route_ticket(
    ticket: Ticket,
    catalog: ResponsibilityCatalog,
    *,
    tables: RoutingTables = NO_TABLES,
    classifier: TextClassifier | None = None,
    calling_unit: str | None = None,
) -> RoutingDecision:
    """Decide the item and the handling unit; `unit=None` means the case needs triage (the reason says why)."""
    decision, item = identify_item(ticket, catalog, tables, classifier)
    located = place_of(ticket.location, tables.places)
    if located is not None:
        place = located.place
        decision = decision.model_copy(update={"place": place.code, "boundaries_version": place.boundaries_version})
    found = _township(ticket, catalog, tables, located)
    if found is not None:
        decision = decision.model_copy(update={"township": found.code, "township_source": found.source})
    if item is None:
        return decision
    return not_back_to_the_caller(_assign(decision, item, found), calling_unit)


@dataclass(frozen=True)
class TownshipFound:
    """The ticket's township, how it was found ('ticket', 'location', 'grid_code', 'address') and, for the reason,
    what said so."""

    code: str
    source: str
    said: str = ""


@dataclass(frozen=True)
class LocatedPlace:
    """The place of a ticket's location and what gave it: 'location' (the point) or 'grid_code'."""

    place: PlaceFound
    source: str


def place_of(location: TicketLocation | None, places: PlaceIndex) -> LocatedPlace | None:
    """Where the ticket's location is: its point's place (converted to WGS-84) first, else the place its grid code
    names; None when neither is in the district's boundaries."""
    if location is None:
        return None
    if location.latitude is not None and location.longitude is not None:
        found = places.locate(*to_wgs84(location.latitude, location.longitude, location.coordinate_system))
        if found is not None:
            return LocatedPlace(found, "location")
    named = places.named(location.grid_code) if location.grid_code is not None else None
    return LocatedPlace(named, "grid_code") if named is not None else None


def not_back_to_the_caller(decision: RoutingDecision, calling_unit: str | None) -> RoutingDecision:
    """A unit's call that routing would hand to the calling unit itself goes to triage instead, saying why."""
    if calling_unit is None or decision.unit != calling_unit:
        return decision
    reason = f"{decision.reason}; but {calling_unit} is the calling unit and cannot answer its own call: needs triage"
    return decision.model_copy(update={"unit": None, "reason": reason})


def identify_item(
    ticket: Ticket, catalog: ResponsibilityCatalog, tables: RoutingTables, classifier: TextClassifier | None
) -> tuple[RoutingDecision, CatalogItem | None]:
    """The routing order: explicit catalog code, then the platform's mapped code, then the text classifier."""
    base = RoutingDecision(method=RoutingMethod.NONE, catalog_version=catalog.version)
    code = ticket.category_code
    if code is not None:
        item = catalog.item(code)
        if item is not None:
            return base.model_copy(update={"method": RoutingMethod.CATEGORY_CODE, "item": code}), item
        channel = ticket.channel.value
        mapped = tables.platform_categories.item_for(channel, code)
        if mapped is None:
            reason = f"unknown category_code {code!r}, with no mapping for the {channel} platform: needs triage"
            return base.model_copy(update={"reason": reason}), None
        via = base.model_copy(update={"method": RoutingMethod.PLATFORM_MAPPING})
        item = catalog.item(mapped)
        if item is None:
            reason = f"{channel} category {code!r} maps to {mapped!r}, not in catalog {catalog.version}: needs triage"
            return via.model_copy(update={"reason": reason}), None
        return via.model_copy(update={"item": mapped, "reason": f"{channel} category {code!r} → {mapped}; "}), item
    if classifier is None:
        return base.model_copy(update={"reason": "no category_code and no text classifier: needs triage"}), None
    return _classify(ticket, catalog, classifier, base)


def _classify(
    ticket: Ticket, catalog: ResponsibilityCatalog, classifier: TextClassifier, base: RoutingDecision
) -> tuple[RoutingDecision, CatalogItem | None]:
    result = classifier.classify(ticket.title, ticket.description)
    decision = base.model_copy(
        update={
            "method": RoutingMethod.TEXT,
            "item": result.item,
            "confidence": round(result.confidence, CONFIDENCE_PLACES),
            "runner_up": result.runner_up,
            "runner_up_confidence": None
            if result.runner_up is None
            else round(result.runner_up_confidence, CONFIDENCE_PLACES),
        }
    )
    if result.item is None:
        return decision.model_copy(update={"reason": "the text names no matter of the catalog: needs triage"}), None
    said = f"text → {result.item} at confidence {result.confidence:.2f}"
    if result.runner_up is not None:
        said += f" (runner-up {result.runner_up} at {result.runner_up_confidence:.2f})"
    item = catalog.item(result.item)
    if item is None:  # a classifier built on an older catalog version, still in use while the new one builds
        return decision.model_copy(update={"reason": f"{said}, not in catalog {catalog.version}: needs triage"}), None
    if not result.confident:
        threshold = classifier.confidence_threshold
        reason = f"{said}, below the threshold {threshold:.2f}: needs triage"
        return decision.model_copy(update={"reason": reason}), None
    return decision.model_copy(update={"reason": f"{said}; "}), item


def _assign(decision: RoutingDecision, item: CatalogItem, township: TownshipFound | None) -> RoutingDecision:
    """The handling unit and supporting units of an identified item."""
    supporting = list(item.supporting_units)
    if item.township_role is TownshipRole.SUPPORT and township is not None:
        supporting.append(township.code)
    decision = decision.model_copy(
        update={
            "complexity": item.complexity.value,
            "urgent_allowed": item.urgent_allowed,
            "major": item.major,
            "supporting_units": supporting,
        }
    )
    code, said = item.item_code, decision.reason
    if item.township_role is not TownshipRole.PRIMARY:
        return decision.model_copy(update={"unit": item.primary_unit, "reason": f"{said}{code}: primary unit"})
    if township is None:
        reason = f"{said}{code} is the township's matter but the ticket names no known township: needs triage"
        return decision.model_copy(update={"reason": reason})
    where = f" ({township.said})" if township.said else ""
    return decision.model_copy(update={"unit": township.code, "reason": f"{said}{code}: township is primary{where}"})


def _township(
    ticket: Ticket, catalog: ResponsibilityCatalog, tables: RoutingTables, located: LocatedPlace | None
) -> TownshipFound | None:
    """The ticket's township (a township unit of the catalog): as named, else where its location is, else as its
    address names it."""
    named = _known_township(ticket.township, catalog)
    if named is not None:
        return TownshipFound(named, "ticket")
    if located is not None and _known_township(located.place.township, catalog) is not None:
        said = "the location lies in" if located.source == "location" else "the grid code names"
        return TownshipFound(located.place.township, located.source, f"{said} {located.place.code}")
    by_code = _township_of_grid_code(ticket.location, catalog, tables.places)
    if by_code is not None:
        return by_code
    match = tables.gazetteer.township_of(ticket.address)
    if match is None or _known_township(match.township, catalog) is None:
        return None
    return TownshipFound(match.township, "address", f"the address names {match.name}")


def _township_of_grid_code(
    location: TicketLocation | None, catalog: ResponsibilityCatalog, places: PlaceIndex
) -> TownshipFound | None:
    """A grid code of the district with no boundary on file still names its township: the code's second part."""
    if location is None or location.grid_code is None:
        return None
    parts = location.grid_code.split(".")
    if places.district is not None and parts[0] != places.district:
        return None
    township = _known_township(parts[1], catalog) if len(parts) > 1 else None
    if township is None:
        return None
    return TownshipFound(township, "grid_code", f"the grid code {location.grid_code} names {township}")


def _known_township(code: str | None, catalog: ResponsibilityCatalog) -> str | None:
    unit = catalog.unit(code) if code else None
    return unit.code if unit is not None and unit.kind is UnitKind.TOWNSHIP else None
