"""What a client of each kind may act as: checked when a key is issued (API or command) and when a console acts for
a person."""

from __future__ import annotations

from services.contracts.case_actions import CITY_LEADER, COORDINATION_CENTRE, TOP_LEADERSHIP
from services.contracts.catalog import ResponsibilityCatalog, UnitKind
from services.contracts.credentials import ClientKind
from services.contracts.tickets import Channel


def subject_fits(kind: ClientKind, subject: str, catalog: ResponsibilityCatalog) -> bool:
    """Whether `subject` names what a `kind` client acts as (a platform's channel, a catalog unit, ...)."""
    if kind is ClientKind.PLATFORM:
        return subject in {channel.value for channel in Channel}
    if kind is ClientKind.UNIT:
        unit = catalog.unit(subject)
        return unit is not None and unit.kind is not UnitKind.COORDINATION
    if kind is ClientKind.COORDINATION:
        return subject == COORDINATION_CENTRE
    if kind is ClientKind.LEADER:
        return subject in {CITY_LEADER, TOP_LEADERSHIP}
    return subject == ""
