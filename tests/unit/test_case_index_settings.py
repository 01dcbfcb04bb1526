"""The case index's key lifetime: one setting every service reads, since any of them may declare the bucket."""

from __future__ import annotations

import pytest

from services.contracts.settings import ServiceSettings
from services.contracts.subjects import BUCKETS, CASE_INDEX_BUCKET, DAY
from services.intake.settings import IntakeSettings
from services.records.settings import RecordsSettings


def test_keys_live_30_days_unless_configured() -> None:
    assert ServiceSettings().case_index_bucket().ttl_seconds == 30 * DAY == CASE_INDEX_BUCKET.ttl_seconds


@pytest.mark.parametrize("settings_class", [ServiceSettings, IntakeSettings, RecordsSettings])
def test_every_service_reads_the_same_variable(
    settings_class: type[ServiceSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_CASE_INDEX_TTL_DAYS", "7")

    buckets = settings_class().buckets()

    assert [spec.name for spec in buckets] == [spec.name for spec in BUCKETS]
    (index,) = [spec for spec in buckets if spec.name == CASE_INDEX_BUCKET.name]
    assert index.ttl_seconds == 7 * DAY
    assert all(spec.ttl_seconds is None for spec in buckets if spec is not index)  # the others keep their keys


def test_a_lifetime_must_be_positive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_CASE_INDEX_TTL_DAYS", "0")

    with pytest.raises(ValueError, match="greater than 0"):
        ServiceSettings()
