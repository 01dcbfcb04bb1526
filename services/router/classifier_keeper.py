"""Keeps the text classifier in step with the catalog in force: built once at start, rebuilt when the version changes.

A build takes about a second and a half of CPU (jieba's dictionary and the BM25 index), so it runs in a thread;
until the new classifier is ready the old one keeps routing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable

import structlog
from prometheus_client import Counter

from services.contracts.catalog import ResponsibilityCatalog
from services.engines.lifecycle import sleep_unless_stopped
from services.router.classifier_data import ClassifierData
from services.router.ticket_classifier import TicketClassifier

log = structlog.get_logger(__name__)

BUILDS = Counter(
    "hotline_router_classifier_builds_total", "Text classifier builds, by result (built, failed).", ["result"]
)


def build_classifier(catalog: ResponsibilityCatalog, data: ClassifierData, *, threshold: float) -> TicketClassifier:
    """A classifier for `catalog`; synonyms of items this catalog version no longer has are left out (and logged)."""
    dropped = sorted(code for code in data.synonyms if catalog.item(code) is None)
    if dropped:
        log.warning("classifier.synonyms_for_unknown_items", catalog_version=catalog.version, items=dropped)
        kept = {code: phrases for code, phrases in data.synonyms.items() if code not in dropped}
        data = dataclasses.replace(data, synonyms=kept)
    return TicketClassifier(catalog, data, confidence_threshold=threshold)


class ClassifierKeeper:
    """Holds the classifier in use; `refresh` starts a rebuild in a thread when the catalog version differs."""

    def __init__(self, build: Callable[[ResponsibilityCatalog], TicketClassifier]) -> None:
        self._build_for = build
        self._current: TicketClassifier | None = None
        self._building: asyncio.Task[None] | None = None
        self._failed_version: str | None = None

    def current(self) -> TicketClassifier:
        """The classifier in use (call `start` first)."""
        assert self._current is not None, "ClassifierKeeper.start() builds the first classifier"
        return self._current

    async def start(self, catalog: ResponsibilityCatalog) -> TicketClassifier:
        """Build the first classifier (in a thread, so the event loop keeps serving health checks)."""
        self._current = await self._build(catalog)
        return self._current

    def refresh(self, catalog: ResponsibilityCatalog) -> None:
        """Start rebuilding for `catalog` if it is not the version in use (nothing while a build runs)."""
        if self._building is not None and not self._building.done():
            return
        if catalog.version in (self.current().catalog_version, self._failed_version):
            return
        self._building = asyncio.create_task(self._rebuild(catalog))

    async def settled(self) -> None:
        """Wait for a rebuild under way, if any."""
        if self._building is not None:
            await asyncio.shield(self._building)

    async def follow(
        self, catalog: Callable[[], ResponsibilityCatalog], *, stop: asyncio.Event, interval: float = 1.0
    ) -> None:
        """Until `stop`: every `interval` seconds, rebuild if the catalog in force has changed."""
        while not stop.is_set():
            self.refresh(catalog())
            await sleep_unless_stopped(stop, interval)
        if self._building is not None:
            self._building.cancel()

    async def _rebuild(self, catalog: ResponsibilityCatalog) -> None:
        try:
            self._current = await self._build(catalog)
        except Exception as exc:
            # Keep routing with the classifier we have; the next catalog version tries again.
            self._failed_version = catalog.version
            BUILDS.labels("failed").inc()
            log.error("classifier.build_failed", catalog_version=catalog.version, error=repr(exc))

    async def _build(self, catalog: ResponsibilityCatalog) -> TicketClassifier:
        started = time.monotonic()
        classifier = await asyncio.to_thread(self._build_for, catalog)
        BUILDS.labels("built").inc()
        log.info(
            "classifier.built",
            catalog_version=catalog.version,
            items=len(catalog.items),
            seconds=round(time.monotonic() - started, 2),
        )
        return classifier
