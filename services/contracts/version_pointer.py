"""How a bucket of numbered, immutable versions is laid out (the catalog's, the district's boundaries'): each
version's record under `version.<n>`, and the `current` key naming the one in force."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

CURRENT_KEY = "current"
VERSION_KEYS = "version.*"


def version_key(version: int) -> str:
    """A version's record in the bucket: `version.3`."""
    return f"version.{version}"


class CurrentPointer(BaseModel):
    """The `current` key: the version in force."""

    version: int
    updated_at: datetime
