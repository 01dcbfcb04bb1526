"""The catalog's names for the codes pages show (水务局 for `water`, 河口镇 for `hekou-town`), read through the API.

Read as the person whose page needs them (the console has no identity of its own), kept for a minute, and kept
as they were should a read fail: a page with codes instead of names is better than no page.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import structlog
from fastapi import Request

from services.console.api_client import ApiRefused
from services.console.session import NotSignedIn, current_staff

log = structlog.get_logger(__name__)
FRESH_SECONDS = 60.0


@dataclass
class CatalogNames:
    units: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)
    version: str = ""
    read_at: float = 0.0

    def unit(self, code: object) -> str:
        return self.units.get(str(code), str(code)) if code else "—"

    def item(self, code: object) -> str:
        if not code:
            return "—"
        name = self.items.get(str(code))
        return f"{name}（{code}）" if name else str(code)

    def stale(self, now: float) -> bool:
        return now - self.read_at > FRESH_SECONDS

    @classmethod
    def of(cls, version: dict[str, object], now: float) -> CatalogNames:
        catalog = version.get("catalog")
        units = catalog.get("units", {}) if isinstance(catalog, dict) else {}
        items = catalog.get("items", {}) if isinstance(catalog, dict) else {}
        return cls(
            units={code: unit.get("name_zh", code) for code, unit in units.items()},
            items={code: item.get("item_zh", code) for code, item in items.items()},
            version=str(version.get("version", "")),
            read_at=now,
        )


async def refresh_names(request: Request) -> None:
    """A router dependency: reads the catalog's names when they are a minute old (as the signed-in person)."""
    names: CatalogNames = request.app.state.names
    now = time.monotonic()
    if not names.stale(now):
        return
    try:
        staff = current_staff(request)
    except NotSignedIn:
        return  # the page's own dependency sends the browser to sign in
    try:
        version = await request.app.state.api.acting_for(staff).get("/v1/catalog")
    except ApiRefused as refused:
        log.warning("console.catalog_names_unread", status=refused.status, reason=refused.detail)
        names.read_at = now  # not again for a minute
        return
    request.app.state.names = CatalogNames.of(version, now)
