"""The operators' pages say what the code does: every stream, bucket and object store of services/contracts/subjects.py
in deploy/README.md with the settings the code gives it, and no page saying the API has no authentication."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.contracts.subjects import BUCKETS, OBJECT_STORES, STREAMS, BucketSpec, StreamSpec

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "deploy" / "README.md"
PAGES = sorted([ROOT / "README.md", README, *(ROOT / "docs").glob("*.md")])


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    return text[start : text.index("\n## ", start + 1)]


def _days(seconds: float) -> str:
    return f"{round(seconds / 86400)}d"


def _minutes(seconds: float) -> str:
    return f"{round(seconds / 60)}m"


@pytest.mark.parametrize("stream", STREAMS, ids=lambda stream: stream.name)
def test_every_stream_is_listed_and_its_pre_creation_matches_the_code(stream: StreamSpec) -> None:
    replicas = section("Stream replicas")
    assert f"`{stream.name}`" in replicas
    command = re.search(rf"^nats stream add {stream.name} .*$", replicas, flags=re.MULTILINE)
    assert command, f"no `nats stream add {stream.name}`"
    line = command.group()
    assert f"--subjects '{','.join(stream.subjects)}'" in line
    assert f"--max-age {_days(stream.max_age_seconds)}" in line
    assert f"--dupe-window {_minutes(stream.duplicate_window_seconds)}" in line
    assert ("--compression s2" in line) == stream.compressed


@pytest.mark.parametrize("bucket", BUCKETS, ids=lambda bucket: bucket.name)
def test_every_bucket_is_listed_and_its_pre_creation_matches_the_code(bucket: BucketSpec) -> None:
    replicas = section("Stream replicas")
    assert f"`{bucket.name}`" in replicas
    command = re.search(rf"^nats kv add {bucket.name} .*$", replicas, flags=re.MULTILINE)
    assert command, f"no `nats kv add {bucket.name}`"
    line = command.group()
    assert f"--history {bucket.history}" in line
    assert (f"--ttl {_days(bucket.ttl_seconds)}" in line) if bucket.ttl_seconds else "--ttl" not in line


def test_every_object_store_is_listed_and_pre_created() -> None:
    replicas = section("Stream replicas")
    for store in OBJECT_STORES:
        assert f"`{store.name}`" in replicas
        assert re.search(rf"^nats object add {store.name} ", replicas, flags=re.MULTILINE)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_no_page_says_the_api_has_no_authentication(page: Path) -> None:
    text = " ".join(page.read_text(encoding="utf-8").split())
    for claim in ("has no authentication", "no authentication of its own", "none on the intake API"):
        assert claim not in text, f"{claim!r}: every /v1/ route takes an API key (docs/access.md)"
