"""Where the Temporal SDK serves its own metrics: one setting every process with a Temporal client reads."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.contracts.settings import ServiceSettings
from services.engines.temporal import sdk_runtime
from services.intake.settings import IntakeSettings
from services.workflows.settings import WorkflowsSettings


def test_no_sdk_metrics_unless_an_address_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLINE_TEMPORAL_METRICS_ADDRESS", raising=False)
    assert ServiceSettings().temporal_metrics_address is None
    assert sdk_runtime(ServiceSettings()) is None  # the SDK's default runtime: no port bound


@pytest.mark.parametrize("settings_class", [ServiceSettings, IntakeSettings, WorkflowsSettings])
def test_every_service_reads_the_same_variable(
    settings_class: type[ServiceSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_TEMPORAL_METRICS_ADDRESS", "0.0.0.0:9200")

    assert settings_class().temporal_metrics_address == "0.0.0.0:9200"


def test_an_empty_variable_means_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """How a second process with a copied environment is told not to take the first one's port."""
    monkeypatch.setenv("HOTLINE_TEMPORAL_METRICS_ADDRESS", " ")

    assert ServiceSettings().temporal_metrics_address is None


@pytest.mark.parametrize("address", ["9200", "0.0.0.0", "0.0.0.0:metrics", ":9200"])
def test_an_address_without_host_and_port_is_refused_at_start(address: str) -> None:
    with pytest.raises(ValidationError, match="host:port"):
        ServiceSettings(temporal_metrics_address=address)
