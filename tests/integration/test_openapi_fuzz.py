from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.conftest import RunningSystem

pytestmark = pytest.mark.integration

CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "seed": 1,
        "generation": {"mode": "all", "database": "none"},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def intake_schema(system: RunningSystem) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{system.api_url}/openapi.json", config=CONFIG)


fuzzed = schemathesis.pytest.from_fixture("intake_schema")


@fuzzed.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_api(case: Case, system: RunningSystem) -> None:
    case.call_and_validate(
        base_url=system.api_url,
        headers={"Authorization": f"Bearer {system.keys['coordination-centre']}"},
        checks=CHECKS,
    )
