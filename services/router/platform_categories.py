"""Platforms' own category codes mapped to catalog items: a table kept as data (`data/platform_categories.json`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from services.contracts.catalog import ResponsibilityCatalog
from services.contracts.tickets import ITEM_CODE_PATTERN, Channel
from services.router.classifier_data import default_data_dir, read_json_document

PLATFORM_CATEGORIES_FILE = "platform_categories.json"
_CODE = re.compile(ITEM_CODE_PATTERN)


class PlatformCategoryError(ValueError):
    """A mapping table that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class PlatformCategories:
    """Per channel: the platform's category code → catalog item code."""

    by_channel: dict[str, dict[str, str]] = field(default_factory=dict)

    def item_for(self, channel: Channel | str, code: str) -> str | None:
        """The catalog item a platform's category code maps to, if the table has it."""
        return self.by_channel.get(Channel(channel).value, {}).get(code)

    def unknown_items(self, catalog: ResponsibilityCatalog) -> list[str]:
        """`channel:code → item` entries whose item the catalog does not have (routed to triage if used)."""
        return sorted(
            f"{channel}:{code} → {item}"
            for channel, codes in self.by_channel.items()
            for code, item in codes.items()
            if catalog.item(item) is None
        )


def load_platform_categories(directory: Path | None = None) -> PlatformCategories:
    """Read `platform_categories.json` (`{"<channel>": {"<platform code>": "<item>"}}`) from a directory."""
    path = (directory or default_data_dir()) / PLATFORM_CATEGORIES_FILE
    document = read_json_document(path, PlatformCategoryError)
    if not isinstance(document, dict):
        raise PlatformCategoryError(f"{path}: expected an object of channels")
    channels = {channel.value for channel in Channel}
    by_channel: dict[str, dict[str, str]] = {}
    for channel, codes in document.items():
        if channel == "about":
            continue
        if channel not in channels:
            raise PlatformCategoryError(f"{path}: unknown channel {channel!r} (expected one of {sorted(channels)})")
        if not isinstance(codes, dict) or not all(isinstance(v, str) for v in codes.values()):
            raise PlatformCategoryError(f"{path} channel {channel}: expected an object of code → item code")
        # A code a ticket's `category_code` cannot carry would never match: refuse it rather than ignore it.
        bad = sorted(code for code, item in codes.items() if not (_CODE.match(code) and _CODE.match(item)))
        if bad:
            raise PlatformCategoryError(f"{path} channel {channel}: codes not of the form {ITEM_CODE_PATTERN}: {bad}")
        by_channel[channel] = dict(codes)
    return PlatformCategories(by_channel)
