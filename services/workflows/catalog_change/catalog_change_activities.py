"""Activities of `CatalogChange`: apply an approved change to the catalog in force, and keep the change's record."""

from __future__ import annotations

from typing import Protocol

import structlog
from prometheus_client import Counter
from temporalio import activity
from temporalio.exceptions import ApplicationError

from services.contracts.catalog import ResponsibilityCatalog
from services.contracts.catalog_change_rules import ChangeDoesNotFit, apply_change
from services.contracts.catalog_changes import (
    AppliedCatalogChange,
    ApplyCatalogChange,
    CatalogChangeView,
    change_source,
)
from services.contracts.catalog_versions import CatalogVersion
from services.engines.catalog_store import CatalogMoved

log = structlog.get_logger(__name__)

CATALOG_CHANGES_APPLIED = Counter(
    "hotline_catalog_changes_applied_total",
    "Approved catalog changes applied, by result (published, already_published, does_not_fit).",
    ["result"],
)
# Publishing loses a race only when another version becomes current in between; try again on the new one.
MAX_APPLY_ATTEMPTS = 10


class CatalogVersions(Protocol):
    """What applying a change needs of the catalog store (`CatalogStore`)."""

    async def load_current(self) -> CatalogVersion: ...

    async def find_source(self, source: str, *, after: int = 0) -> CatalogVersion | None: ...

    async def publish(
        self, catalog: ResponsibilityCatalog, *, source: str, note: str = "", based_on: int | None = None
    ) -> CatalogVersion: ...


class ChangeRecords(Protocol):
    """Where change records are kept (`CatalogChangeRecords`)."""

    async def save(self, view: CatalogChangeView) -> bool: ...


class CatalogChangeActivities:
    """Constructed with the catalog store and the records bucket (in tests: in-memory stand-ins)."""

    def __init__(self, *, catalogs: CatalogVersions, records: ChangeRecords) -> None:
        self._catalogs = catalogs
        self._records = records

    @activity.defn(name="apply_catalog_change")
    async def apply_catalog_change(self, request: ApplyCatalogChange) -> AppliedCatalogChange:
        """Make the change to the version in force now and publish the result; a retry finds what it published."""
        source = change_source(request.change_id)
        bound = log.bind(change_id=request.change_id, unit=request.request.unit, item=request.request.item_code)
        for _attempt in range(MAX_APPLY_ATTEMPTS):
            current = await self._catalogs.load_current()
            published = await self._catalogs.find_source(source, after=request.submitted_against)
            if published is not None and published.version <= current.version:
                bound.info("catalog_change.already_published", version=published.version)
                CATALOG_CHANGES_APPLIED.labels("already_published").inc()
                return AppliedCatalogChange(applied=True, version=published.version)
            try:
                catalog = apply_change(current.catalog, request.request)
            except ChangeDoesNotFit as exc:
                reason = f"no longer fits catalog version {current.version}: {exc}"
                bound.warning("catalog_change.does_not_fit", version=current.version, reason=reason)
                CATALOG_CHANGES_APPLIED.labels("does_not_fit").inc()
                return AppliedCatalogChange(applied=False, reason=reason)
            try:
                stored = await self._catalogs.publish(
                    catalog, source=source, note=request.request.reason, based_on=current.version
                )
            except CatalogMoved as exc:
                bound.info("catalog_change.catalog_moved", based_on=exc.based_on, current=exc.current)
                continue
            bound.info("catalog_change.published", version=stored.version)
            CATALOG_CHANGES_APPLIED.labels("published").inc()
            return AppliedCatalogChange(applied=True, version=stored.version)
        raise ApplicationError("the catalog kept changing while the approved change was applied; retrying")

    @activity.defn(name="record_catalog_change")
    async def record_catalog_change(self, view: CatalogChangeView) -> None:
        """Save the change's state in the `catalog_changes` bucket (an older revision never overwrites a newer)."""
        saved = await self._records.save(view)
        log.info(
            "catalog_change.recorded",
            change_id=view.change_id,
            unit=view.unit,
            status=view.status.value,
            revision=view.revision,
            stale=not saved,
        )
