"""The whole ticket as those on the case read it (`GET /v1/cases/{id}/ticket`): what the caller said, where, and
how to reach them (API contract v1: names are frozen, fields may be added)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.contracts.coordinate_systems import to_wgs84
from services.contracts.tickets import CoordinateSystem, TicketLocation

# A millionth of a degree (0.1 m): the precision the district's boundaries are kept at, finer than any phone's fix.
LOCATION_DECIMALS = 6


class TicketCaller(BaseModel):
    """How to reach the caller, whole or masked (`139****5678`, `王**`): `TicketView.caller_masked` says which."""

    name: str | None = None
    phone: str | None = None
    confidential: bool = Field(default=False, description="The caller asked for confidentiality (保密).")


class CaseLocation(BaseModel):
    """Where the matter is, as the case keeps it: the point in WGS-84 whatever datum it came in, and the grid code
    the ticket gave. Personal data like the address (a point may be a caller's home): kept sealed, never logged."""

    latitude: float | None = Field(default=None, description="Degrees north, WGS-84.")
    longitude: float | None = Field(default=None, description="Degrees east, WGS-84.")
    received_coordinate_system: CoordinateSystem = Field(
        default=CoordinateSystem.WGS84, description="The datum the ticket gave the point in (converted from)."
    )
    grid_code: str | None = Field(default=None, description="The grid code the ticket gave.")

    @classmethod
    def of(cls, location: TicketLocation | None) -> CaseLocation | None:
        """The ticket's location with its point converted to WGS-84."""
        if location is None:
            return None
        latitude, longitude = location.latitude, location.longitude
        if latitude is not None and longitude is not None:
            latitude, longitude = to_wgs84(latitude, longitude, location.coordinate_system)
            latitude, longitude = round(latitude, LOCATION_DECIMALS), round(longitude, LOCATION_DECIMALS)
        return cls(
            latitude=latitude,
            longitude=longitude,
            received_coordinate_system=location.coordinate_system,
            grid_code=location.grid_code,
        )


class TicketView(BaseModel):
    """The ticket's content from the case records; reading it with a caller's contact is written to the access
    log."""

    case_id: str
    channel: str
    external_id: str = Field(description="The platform's (or calling unit's) own ticket id.")
    title: str | None = None
    description: str = Field(description="What the caller said, as the platform sent it.")
    address: str | None = None
    location: CaseLocation | None = Field(
        default=None, description="The ticket's point in WGS-84 (converted) and grid code; null when it gave none."
    )
    reported_at: datetime | None = Field(default=None, description="When the caller reported it (the platform's).")
    received_at: datetime | None = Field(default=None, description="When intake received the ticket.")
    caller: TicketCaller | None = Field(default=None, description="Null when the ticket names no caller.")
    caller_masked: bool = Field(
        default=False,
        description="A confidential caller shown to a unit or a leader: name and phone masked. The coordination "
        "centre and the ticket's own platform see them whole.",
    )
