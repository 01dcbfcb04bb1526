"""In-memory stand-ins for the assessment activities that touch the records (registered by their names)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from temporalio import activity

from services.assessment.classes.hotspot_activities import ClassNotice, MarkNotified, ScanRequest, ScanResult
from services.assessment.rectification.rectification_activities import (
    CheckCases,
    ClassCases,
    Opened,
    OpenRectification,
)
from services.assessment.rectification.rectification_state import opening_state, project
from services.contracts.case_classes import RectificationCadence
from services.contracts.rectifications import RectificationStatus, RectificationView


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


@dataclass
class MemoryRectifications:
    """Stands in for the rectification activities: each class's cases (case id → closed) and every recorded view."""

    classes: dict[str, dict[str, bool]] = field(default_factory=dict)
    cadence: RectificationCadence = field(default_factory=RectificationCadence)
    recorded: list[RectificationView] = field(default_factory=list)

    @activity.defn(name="open_rectification")
    async def open_rectification(self, request: OpenRectification) -> Opened:
        start = request.start
        cases = self.classes.get(start.request.class_id)
        if cases is None:
            return Opened(refused=f"no class of cases {start.request.class_id}")
        for other in self.latest().values():
            taken = other.class_id == start.request.class_id and other.status is RectificationStatus.OPEN
            if taken and other.rectification_id != start.rectification_id:
                return Opened(refused=f"already under special rectification {other.rectification_id}")
        state = opening_state(
            start,
            opened_at=request.opened_at,
            class_cases=cases,
            cadence=self.cadence,
            catalog_item="LS-06",
            township="hekou-town",
        )
        state.revision = 1
        self.recorded.append(project(state, request.opened_at))
        return Opened(state=state)

    @activity.defn(name="check_class_cases")
    async def check_class_cases(self, request: CheckCases) -> ClassCases:
        return ClassCases(cases=dict(self.classes.get(request.class_id, {})))

    @activity.defn(name="record_rectification")
    async def record_rectification(self, view: RectificationView) -> bool:
        self.recorded.append(view)
        return True

    def latest(self) -> dict[str, RectificationView]:
        """Each rectification as last recorded."""
        views: dict[str, RectificationView] = {}
        for view in self.recorded:
            if view.rectification_id not in views or view.revision > views[view.rectification_id].revision:
                views[view.rectification_id] = view
        return views
