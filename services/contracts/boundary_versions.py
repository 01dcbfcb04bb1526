"""Stored boundary versions: what the `boundaries` KV bucket (the record of each version, the `current` pointer) and
the `boundaries` object store (each version's GeoJSON) hold."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.contracts.version_pointer import version_key

__all__ = ["BoundaryVersion", "version_key", "version_object"]


def version_object(version: int) -> str:
    """A version's GeoJSON in the object store: `version.3.geojson`."""
    return f"version.{version}.geojson"


class BoundaryVersion(BaseModel):
    """One immutable version of the district's boundaries: where it came from, when, and what it holds."""

    version: int = Field(ge=1)
    created_at: datetime
    source: str = Field(description="'import' for a file imported by an operator or an admin.")
    note: str = ""
    district: str
    digest: str = Field(description="sha256 of the content: the same boundaries give the same digest.")
    counts: dict[str, int] = Field(description="How many boundaries of each level (district, township, ...).")
