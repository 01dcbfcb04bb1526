"""Activities of `HotspotScan`: find the classes of cases in the records, and note the ones the centre was told of."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import structlog
from prometheus_client import Counter
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity

from services.assessment.classes import class_store
from services.assessment.classes.class_labels import CatalogNames
from services.assessment.classes.detection import detect
from services.contracts.case_classes import ClassThresholds
from services.contracts.catalog import ResponsibilityCatalog

log = structlog.get_logger(__name__)

CLASSES_FOUND = Counter(
    "hotline_case_classes_found_total", "Classes of cases found by the hotspot scan, by kind.", ["kind"]
)
# The centre hears of at most this many new classes a scan; the rest wait for the next one (a first scan over old
# records must not flood it).
MAX_NOTICES_PER_SCAN = 50


class ScanRequest(BaseModel):
    """Look for classes among the cases received up to `at` (each kind over its own window before it)."""

    at: datetime


class ClassNotice(BaseModel):
    """A class the coordination centre is to be told of."""

    class_id: str
    kind: str
    kind_name: str
    label: str
    catalog_item: str | None
    township: str | None
    case_count: int


class ScanResult(BaseModel):
    thresholds_version: str
    new_classes: int = Field(description="Classes first found by this scan.")
    grown_classes: int = Field(description="Known classes that cases joined.")
    to_notify: list[ClassNotice] = Field(description="Classes not told of yet (this scan's and any left before).")


class MarkNotified(BaseModel):
    class_ids: list[str]
    at: datetime


class HotspotActivities:
    """Constructed with the records' engine, the thresholds in force and the catalog (for the classes' labels)."""

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        thresholds: Callable[[], ClassThresholds],
        catalog: Callable[[], Awaitable[ResponsibilityCatalog]],
    ) -> None:
        self._engine = engine
        self._thresholds = thresholds
        self._catalog = catalog

    @activity.defn(name="scan_hotspots")
    async def scan_hotspots(self, request: ScanRequest) -> ScanResult:
        """Find and store the classes of every enabled kind; a scan run twice finds nothing new the second time."""
        thresholds = self._thresholds()
        names = CatalogNames.of(await self._catalog())
        new = grown = 0
        async with self._engine.begin() as connection:
            await class_store.lock_scan(connection)
            for kind, rule in thresholds.enabled().items():
                since = request.at - timedelta(days=rule.window_days)
                known = await class_store.known_classes(connection, kind, rule, since)
                cases = await class_store.window_cases(
                    connection, rule, since=since, until=request.at, known=[c.group for c in known]
                )
                found = detect(kind, rule, cases, known)
                await class_store.save_classes(
                    connection, rule, found, names=names, thresholds_version=thresholds.version, at=request.at
                )
                made = sum(1 for one in found if one.new)
                new, grown = new + made, grown + len(found) - made
                if made:
                    CLASSES_FOUND.labels(kind).inc(made)
            pending = await class_store.unnotified(connection, limit=MAX_NOTICES_PER_SCAN)
        log.info(
            "hotspots.scanned",
            at=request.at.isoformat(),
            thresholds_version=thresholds.version,
            new=new,
            grown=grown,
            to_notify=len(pending),
        )
        return ScanResult(
            thresholds_version=thresholds.version,
            new_classes=new,
            grown_classes=grown,
            to_notify=[
                ClassNotice(
                    class_id=row.class_id,
                    kind=row.kind,
                    kind_name=row.kind_name,
                    label=row.label,
                    catalog_item=row.catalog_item,
                    township=row.township,
                    case_count=row.case_count,
                )
                for row in pending
            ],
        )

    @activity.defn(name="mark_classes_notified")
    async def mark_classes_notified(self, request: MarkNotified) -> int:
        """Note that the centre was told of these classes; how many had not been noted yet."""
        async with self._engine.begin() as connection:
            noted = await class_store.mark_notified(connection, request.class_ids, request.at)
        log.info("hotspots.notified", classes=len(request.class_ids), noted=noted)
        return noted
