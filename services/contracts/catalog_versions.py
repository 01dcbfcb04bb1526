"""Stored catalog versions: what the `catalog` KV bucket holds."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.contracts.catalog import ResponsibilityCatalog
from services.contracts.version_pointer import CURRENT_KEY, CurrentPointer, version_key

__all__ = ["CURRENT_KEY", "CatalogVersion", "CatalogVersionSummary", "CurrentPointer", "version_key"]


class CatalogVersion(BaseModel):
    """One immutable version: the catalog, where it came from and when."""

    version: int = Field(ge=1)
    created_at: datetime
    source: str = Field(description="'import' for a table import, 'change:<id>' for an approved change.")
    note: str = ""
    catalog: ResponsibilityCatalog


class CatalogVersionSummary(BaseModel):
    version: int
    created_at: datetime
    source: str
    note: str
    digest: str
    units: int
    items: int

    @classmethod
    def of(cls, stored: CatalogVersion) -> CatalogVersionSummary:
        return cls(
            version=stored.version,
            created_at=stored.created_at,
            source=stored.source,
            note=stored.note,
            digest=stored.catalog.digest,
            units=len(stored.catalog.units),
            items=len(stored.catalog.items),
        )
