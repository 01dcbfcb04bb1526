"""Activities of `SpecialRectification`: open it on its class, follow the class's cases, record its state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity

from services.assessment.rectification import rectification_store as store
from services.assessment.rectification.rectification_state import RectificationState, opening_state, project
from services.contracts.case_classes import ClassThresholds
from services.contracts.rectifications import RectificationStart, RectificationView

log = structlog.get_logger(__name__)


class OpenRectification(BaseModel):
    start: RectificationStart
    opened_at: datetime


class Opened(BaseModel):
    """The rectification as opened (its first state, recorded), or why it could not be."""

    state: RectificationState | None = None
    refused: str = ""


class CheckCases(BaseModel):
    class_id: str


class ClassCases(BaseModel):
    """The class's cases now: case id → closed."""

    cases: dict[str, bool]


class RectificationActivities:
    """Constructed with the records' engine and the thresholds in force (their rectification cadence)."""

    def __init__(self, *, engine: AsyncEngine, thresholds: Callable[[], ClassThresholds]) -> None:
        self._engine = engine
        self._thresholds = thresholds

    @activity.defn(name="open_rectification")
    async def open_rectification(self, request: OpenRectification) -> Opened:
        """Claim the class (one open rectification a class), link its open cases and record the first state.

        A retry after the opening committed finds its own record and opens again to the same effect."""
        start = request.start
        class_id = start.request.class_id
        bound = log.bind(rectification_id=start.rectification_id, class_id=class_id)
        try:
            async with self._engine.begin() as connection:
                found = await store.locked_class(connection, class_id)
                if found is None:
                    return _refused(bound, f"no class of cases {class_id}")
                other = await store.open_rectification_of(connection, class_id, other_than=start.rectification_id)
                if other is not None:
                    return _refused(bound, f"class {class_id} is already under special rectification {other}")
                class_cases = await store.case_states(connection, list(found.case_ids))
                state = opening_state(
                    start,
                    opened_at=request.opened_at,
                    class_cases=class_cases,
                    cadence=self._thresholds().rectification,
                    catalog_item=found.catalog_item,
                    township=found.township,
                )
                state.revision = 1
                await store.save_view(connection, project(state, request.opened_at), at=_now())
                await store.link_class(connection, class_id, start.rectification_id)
        except IntegrityError:
            # Another opening for the class committed between our check and our insert.
            return _refused(bound, f"class {class_id} is already under special rectification")
        bound.info("rectification.opened", lead_unit=state.lead_unit, cases=len(state.cases))
        return Opened(state=state)

    @activity.defn(name="check_class_cases")
    async def check_class_cases(self, request: CheckCases) -> ClassCases:
        """The class's cases as the records have them now, each closed or not."""
        async with self._engine.connect() as connection:
            case_ids = await store.class_case_ids(connection, request.class_id)
            return ClassCases(cases=await store.case_states(connection, case_ids) if case_ids else {})

    @activity.defn(name="record_rectification")
    async def record_rectification(self, view: RectificationView) -> bool:
        """Write the state to the `rectifications` table (an older revision never overwrites a newer)."""
        async with self._engine.begin() as connection:
            saved = await store.save_view(connection, view, at=_now())
        log.info(
            "rectification.recorded",
            rectification_id=view.rectification_id,
            status=view.status.value,
            revision=view.revision,
            stale=not saved,
        )
        return saved


def _refused(bound: Any, reason: str) -> Opened:
    bound.info("rectification.refused", reason=reason)
    return Opened(refused=reason)


def _now() -> datetime:
    return datetime.now(UTC)
