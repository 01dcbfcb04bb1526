"""Schemathesis over the intake's OpenAPI schema: no answer is a 5xx, and every answer is documented.

The schema is read from the running intake (`/openapi.json`) and every operation gets a bounded number of generated
requests (valid and invalid ones) from each of four clients: the coordination centre (every operation), the handling
unit of a real case (its case, queue, channels and catalog changes), the admin (credentials, channels, platforms'
callback keys) and a stranger with a malformed key (every operation; never served). Some requests name real resources
(the case, its unit, a catalog version, a pending catalog change, a notification, a throwaway key) so that they get
past the 404s and the answers carrying data are checked against their models too. Each answer must be documented
(status, content type, `Retry-After` where declared) and match its model.

The system is one of its own, with the case records (the ticket, the access log, the search, the export and the
queue read them): the fuzzer rotates and revokes keys, sets units' channels and platforms' callback keys and decides
catalog changes, none of which may leak into other tests. Its rate limit is off, so that a burst of fast
404s is not answered 429 (a documented answer, but one that would hide the operation behind it).
Operations are parametrized from the schema the code builds (the running intake is checked to serve the same), and
each runs its own Hypothesis test over `APIOperation.as_strategy()`: `schemathesis.pytest.from_fixture` cannot run
under pytest 9.2 (it sets `Function._nodeid`, which pytest no longer has).
`HOTLINE_FUZZ_EXAMPLES` raises the number of requests per operation and client for a longer local run.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.contracts.case_actions import COORDINATION_CENTRE
from services.contracts.catalog_changes import CatalogChangeRequest
from services.contracts.settings import Environment
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.support.case_lifecycle import open_case
from tests.support.credentials import bearer
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem

pytestmark = pytest.mark.integration

MAX_EXAMPLES = int(os.environ.get("HOTLINE_FUZZ_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
SCHEMA_CONFIG = schemathesis.config.SchemathesisConfig.from_dict({"generation": {"database": "none"}})
# The unit the fuzzed case is routed to (LS-06, water supply), and the catalog change it is based on.
CASE_CATEGORY, CASE_UNIT = "LS-06", "water"
# The change the fuzzed catalog-change operations are based on: the API's own documented example.
CHANGE_REQUEST: dict[str, Any] = CatalogChangeRequest.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]


@dataclass(frozen=True)
class Pass:
    """Whom the requests of one pass come from, and which operations it sends them to."""

    client: str  # a key of `RunningSystem.keys`, or `STRANGER`
    acts_as: str  # what an action's `unit` must say for the caller to get past the 403
    paths: tuple[str, ...]  # path prefixes

    def key(self, system: RunningSystem) -> str:
        return MALFORMED_KEY if self.client == STRANGER else system.keys[self.client]


# A key shaped like ours whose id no KV key can hold: it must be a 401 like any unknown key, never a 500.
STRANGER, MALFORMED_KEY = "stranger", "hk_not a key id_0"
PASSES = {
    "coordination": Pass(COORDINATION_CENTRE, COORDINATION_CENTRE, ("/",)),
    "unit": Pass(CASE_UNIT, CASE_UNIT, ("/v1/cases/", "/v1/queue", "/v1/units/", "/v1/catalog/changes")),
    "admin": Pass("admin", "", ("/v1/admin/", "/v1/units/", "/v1/platforms/")),
    STRANGER: Pass(STRANGER, "", ("/",)),
}
# What a stranger may get: refused as unknown, or before that for a request that cannot be read or routed.
STRANGER_STATUSES = {400, 401, 404, 413, 422}
# A download link needs no key (the link is the permission): a made-up one is refused as not ours, 403.
KEYLESS_PATHS = {"/v1/attachment-downloads/{token}": {403}}


def _documented_operations() -> list[tuple[str, str]]:
    """`(METHOD, path)` of every operation the code documents (the running intake is checked to serve the same)."""
    app = create_app(IntakeSettings(_env_file=None, environment=Environment.DEVELOPMENT))
    return _operations(app.openapi())


def _operations(schema: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((method.upper(), path) for path, item in schema["paths"].items() for method in item)


OPERATIONS = _documented_operations()
FUZZED = [
    pytest.param(name, method, path, id=f"{name}:{method} {path}")
    for name, run in PASSES.items()
    for method, path in OPERATIONS
    if path.startswith(run.paths)
]


@pytest_asyncio.fixture(scope="module")
async def fuzzed_system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningSystem]:
    running = await RunningSystem.start(
        tmp_path_factory.mktemp("openapi-fuzz"),
        extra_env={"HOTLINE_INTAKE_RATE_LIMIT": ""},
        with_records=True,
        with_object_store=True,
    )
    try:
        yield running
    finally:
        running.stop()


@pytest_asyncio.fixture(scope="module")
async def known(fuzzed_system: RunningSystem) -> dict[str, Any]:
    """Real values for path parameters: an assigned case, its unit, a pending catalog change, a throwaway key."""
    async with fuzzed_system.client() as api:
        case = await open_case(api, category=CASE_CATEGORY)
        assert case["handling_unit"] == CASE_UNIT, case["handling_unit"]
        change = await api.post("/v1/catalog/changes", json=CHANGE_REQUEST)
        assert change.status_code == 202, change.text
        throwaway = await api.post(
            "/v1/admin/credentials", json={"client_id": "fuzz-throwaway", "kind": "operator", "subject": ""}
        )
        assert throwaway.status_code == 201, throwaway.text
        events = await api.get("/v1/notifications", params={"case_id": case["case_id"]})
        assert events.status_code == 200, events.text
        await assert_eventually(
            lambda: _recorded(api, case["case_id"]), what="the case's ticket in the records (else a 503 to retry)"
        )
    values = {
        "case_id": case["case_id"],
        "unit": CASE_UNIT,
        "number": 1,
        "change_id": change.json()["change_id"],
        "key_id": throwaway.json()["key_id"],
    }
    if events.json():
        values["event_id"] = events.json()[0]["event_id"]
    return values


@pytest.fixture(scope="module")
def intake_schema(fuzzed_system: RunningSystem) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzzed_system.api_url}/openapi.json", config=SCHEMA_CONFIG)


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def test_the_running_intake_serves_the_operations_the_code_documents(intake_schema: schemathesis.BaseSchema) -> None:
    assert _operations(intake_schema.raw_schema) == OPERATIONS


@pytest.mark.parametrize(("run", "method", "path"), FUZZED)
def test_every_answer_is_documented_and_none_is_a_server_error(
    run: str,
    method: str,
    path: str,
    intake_schema: schemathesis.BaseSchema,
    fuzzed_system: RunningSystem,
    known: dict[str, Any],
    http: requests.Session,
) -> None:
    operation = intake_schema[path][method]
    acting = PASSES[run]
    names = {parameter.name for parameter in operation.path_parameters}
    real = {name: value for name, value in known.items() if name in names}
    if path.startswith("/v1/units/"):
        # The caller's own channels (for the admin, the case's unit's), and one of them to remove.
        real["code"] = acting.acts_as or CASE_UNIT
        if "channel" in names:
            real["channel"] = "webhook"
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if real:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real))
    cases = st.one_of(strategies)
    if acting.acts_as:
        cases = st.one_of(cases, cases.map(_acting_as(acting.acts_as)))
    headers = bearer(acting.key(fuzzed_system))

    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(case=cases)
    def fuzz(case: Case[Any]) -> None:
        response = case.call_and_validate(base_url=fuzzed_system.api_url, session=http, headers=headers, checks=CHECKS)
        if acting.client == STRANGER:
            allowed = STRANGER_STATUSES | KEYLESS_PATHS.get(path, set())
            assert response.status_code in allowed, f"a stranger got {response.status_code}"

    fuzz()


async def _recorded(api: httpx.AsyncClient, case_id: str) -> None:
    answer = await api.get(f"/v1/cases/{case_id}/ticket")
    assert answer.status_code == 200, answer.text


def _acting_as(unit: str) -> Callable[[Case[Any]], Case[Any]]:
    """Name the caller as the acting unit in a body that names one, so that the request gets past the 403."""

    def rewrite(case: Case[Any]) -> Case[Any]:
        if isinstance(case.body, dict) and isinstance(case.body.get("unit"), str):
            case.body = {**case.body, "unit": unit}
        return case

    return rewrite
