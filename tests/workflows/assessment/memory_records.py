"""In-memory stand-ins for the assessment activities that touch the records (registered by their names)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from temporalio import activity

from services.assessment.classes.hotspot_activities import ClassNotice, MarkNotified, ScanRequest, ScanResult


@dataclass
class MemoryClasses:
    """Stands in for `scan_hotspots` and `mark_classes_notified`: the classes found, and which were told of."""

    found: list[ClassNotice] = field(default_factory=list)
    notified: dict[str, datetime] = field(default_factory=dict)
    scans: list[datetime] = field(default_factory=list)
    # Fails `mark_classes_notified` while set (a worker lost between telling and noting).
    marking_fails: bool = False

    @activity.defn(name="scan_hotspots")
    async def scan_hotspots(self, request: ScanRequest) -> ScanResult:
        self.scans.append(request.at)
        pending = [notice for notice in self.found if notice.class_id not in self.notified]
        return ScanResult(thresholds_version="test", new_classes=len(pending), grown_classes=0, to_notify=pending)

    @activity.defn(name="mark_classes_notified")
    async def mark_classes_notified(self, request: MarkNotified) -> int:
        if self.marking_fails:
            raise RuntimeError("the records' database went away")
        fresh = [class_id for class_id in request.class_ids if class_id not in self.notified]
        self.notified.update(dict.fromkeys(fresh, request.at))
        return len(fresh)
