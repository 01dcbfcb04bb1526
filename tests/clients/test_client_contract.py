"""The client is kept by hand, so this holds it to the API's OpenAPI schema: each request it sends goes to an
operation the API has, each body it sends or reads fits that operation's schema (field names, what is required,
types, allowed values), and what it parses error answers and deliveries into fits the problems and the webhooks.

A change to the API that a hand-kept client would miss fails here, naming the field."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hotline_client import client as calls
from hotline_client import models
from pydantic import BaseModel

from services.contracts.settings import Environment
from services.intake.app import create_app
from services.intake.settings import IntakeSettings

# Client model → the API's component; "sent": the client sends it (request body), else it reads it.
SENT = [
    (models.Ticket, "Ticket"),
    (models.TicketCaller, "Caller"),
    (models.TicketLocation, "TicketLocation"),
    (models.Rating, "RatingSubmission"),
]
READ = [
    (models.Receipt, "TicketReceipt"),
    (models.Case, "CaseView"),
    (models.Deadlines, "Deadlines"),
    (models.TimelineEntry, "TimelineEntry"),
    (models.TicketView, "TicketView"),
    (models.CallbackSecret, "CallbackSecret"),
    (models.NotificationSummary, "NotificationSummary"),
    (models.Event, "WebhookEvent"),
    (models.Event, "CallbackEvent"),
    (models.Problem, "ErrorBody"),
    (models.Problem, "ValidationErrorBody"),
    (models.FieldProblem, "ValidationIssue"),
]
# Fields the client adds from the answer itself (not from the body).
CLIENT_ONLY = {(models.Receipt, "created")}
CASE_ID = "0d5c0b7e-1f0e-5a4b-9a53-3c1d2f0a7b61"
TICKET = models.Ticket(channel="12345", external_id="x", title="t", description="d", reported_at=datetime.now(UTC))
# Each request the client makes, and the component its success is parsed into.
REQUESTS = [
    (calls._submit(TICKET), "202", "TicketReceipt"),
    (calls._submit(TICKET), "200", "TicketReceipt"),
    (calls._case(CASE_ID), "200", "CaseView"),
    (calls._ticket(CASE_ID), "200", "TicketView"),
    (calls._rating(CASE_ID, models.Rating(speed="satisfied", outcome="satisfied")), "200", "CaseView"),
    (calls._notifications(CASE_ID, "dead"), "200", "NotificationSummary"),
    (calls._callback_secret("12345", None), "200", "CallbackSecret"),
]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return create_app(IntakeSettings(_env_file=None, environment=Environment.DEVELOPMENT)).openapi()


def resolve(node: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def json_types(node: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    """The JSON types a property's schema allows (`any` when it says nothing)."""
    node = resolve(node, schema)
    if "anyOf" in node or "oneOf" in node:
        return set().union(*(json_types(n, schema) for n in node.get("anyOf", node.get("oneOf", []))))
    if "enum" in node or "const" in node:
        return {"string"}
    kind = node.get("type")
    if kind is None:
        return {"any"}
    return {kind} if isinstance(kind, str) else set(kind)


def allowed_values(node: dict[str, Any], schema: dict[str, Any]) -> set[str] | None:
    node = resolve(node, schema)
    if "anyOf" in node:
        found = [allowed_values(n, schema) for n in node["anyOf"] if resolve(n, schema).get("type") != "null"]
        return set().union(*found) if all(v is not None for v in found) else None  # type: ignore[arg-type]
    return set(node["enum"]) if "enum" in node else None


def own_schema(model: type[BaseModel], mode: str) -> dict[str, Any]:
    own = model.model_json_schema(mode=mode, ref_template="#/components/schemas/{model}")  # type: ignore[arg-type]
    return {"components": {"schemas": own.pop("$defs", {})}, "root": own}


@pytest.mark.parametrize(("model", "component"), SENT, ids=[f"{m.__name__}>{c}" for m, c in SENT])
def test_what_the_client_sends_fits_the_api(schema: dict[str, Any], model: type[BaseModel], component: str) -> None:
    api = schema["components"]["schemas"][component]
    own = own_schema(model, "serialization")
    mine = own["root"]
    assert set(mine["properties"]) <= set(api["properties"]), f"{component} has no such field"
    assert set(api.get("required", [])) <= set(mine.get("required", [])), "the API requires more than the client"
    for name, prop in mine["properties"].items():
        theirs = api["properties"][name]
        assert json_types(prop, own) - {"null"} <= json_types(theirs, schema) | {"any"}, name
        if "null" in json_types(prop, own):
            assert "null" in json_types(theirs, schema) or name not in api.get("required", []), name
        values, allowed = allowed_values(prop, own), allowed_values(theirs, schema)
        if values is not None and allowed is not None:
            assert values <= allowed, f"{name}: {values - allowed} not allowed by the API"


@pytest.mark.parametrize(("model", "component"), READ, ids=[f"{m.__name__}<{c}" for m, c in READ])
def test_what_the_client_reads_is_what_the_api_answers(
    schema: dict[str, Any], model: type[BaseModel], component: str
) -> None:
    api = schema["components"]["schemas"][component]
    own = own_schema(model, "validation")
    mine = own["root"]
    always = set(api.get("required", [])) | {n for n, p in api["properties"].items() if "default" in p}
    for name, prop in mine["properties"].items():
        if (model, name) in CLIENT_ONLY:
            continue
        assert name in api["properties"], f"{component} has no field {name!r}"
        theirs = api["properties"][name]
        if name in mine.get("required", []):
            assert name in always, f"{name}: required by the client, not always in the API's answer"
        sent = json_types(theirs, schema)
        accepted = json_types(prop, own)
        if "any" not in accepted:
            assert sent - {"any"} <= accepted | ({"number"} if "integer" in sent else set()), (name, sent, accepted)


@pytest.mark.parametrize(
    ("call", "status", "component"), REQUESTS, ids=[f"{c.method} {c.path}" for c, _, _ in REQUESTS]
)
def test_every_request_goes_to_an_operation_of_the_api(
    schema: dict[str, Any], call: calls._Call, status: str, component: str
) -> None:
    template = call.path.replace(CASE_ID, "{case_id}").replace("/12345/", "/{channel}/")
    operation = schema["paths"][template][call.method.lower()]
    answer = operation["responses"][status]["content"]["application/json"]["schema"]
    answered = answer.get("items", answer)
    assert answered["$ref"].endswith(f"/{component}")
    known = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    assert set(call.params) <= known
    if call.body is not None:
        assert "requestBody" in operation
