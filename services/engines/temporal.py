"""The one place a Temporal client is built: always with the pydantic data converter, encrypting every payload; with
the SDK's metrics served where the settings say, and Temporal's tracing interceptor when tracing is on."""

from __future__ import annotations

import dataclasses
import functools
from datetime import timedelta
from typing import Any

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client, Interceptor
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import RPCError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from services.contracts.sdk_metrics import SDK_PROMETHEUS_FLAGS
from services.contracts.search_attributes import ALL_KEYS
from services.contracts.settings import ServiceSettings
from services.contracts.tracing import tracing_enabled
from services.engines.connection_security import temporal_api_key, temporal_tls
from services.engines.payload_codec import EncryptionCodec


def data_converter(settings: ServiceSettings) -> DataConverter:
    """Pydantic payloads, encrypted with the settings' keys; failure messages and stack traces are encrypted too."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec.from_keyring(settings.payload_keyring()),
        # A failure's message can quote its input (a validation error, say): keep it out of the history in clear.
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


def sdk_runtime(settings: ServiceSettings) -> Runtime | None:
    """The SDK runtime that serves its metrics at `temporal_metrics_address`; None (the SDK's default runtime, which
    exports none) when that is unset."""
    if settings.temporal_metrics_address is None:
        return None
    return _runtime_serving_metrics(settings.temporal_metrics_address)


@functools.cache
def _runtime_serving_metrics(address: str) -> Runtime:
    # One per address and process: a runtime binds its port and runs its own threads, and every client and worker of
    # the process shares it. Prometheus conventions, as our own metrics: seconds, `_seconds` and `_total` suffixes.
    metrics = PrometheusConfig(
        bind_address=address,
        counters_total_suffix=SDK_PROMETHEUS_FLAGS["counters_total_suffix"],
        unit_suffix=SDK_PROMETHEUS_FLAGS["unit_suffix"],
        durations_as_seconds=SDK_PROMETHEUS_FLAGS["durations_as_seconds"],
    )
    return Runtime(telemetry=TelemetryConfig(metrics=metrics))


def client_interceptors() -> list[Interceptor]:
    """Temporal's tracing interceptor when tracing is on: on the client, it also traces the workers built on it
    (workflows and activities continue the trace of whoever started or called them)."""
    return [TracingInterceptor()] if tracing_enabled() else []


async def connect_temporal(settings: ServiceSettings, *, lazy: bool = False) -> Client:
    """Connect, retrying while the server is still starting (as under `make run`).

    `lazy` returns at once and connects on the first call: for a service that must start and serve without
    Temporal (intake takes tickets into NATS while Temporal is down).
    """
    options: dict[str, Any] = {
        "namespace": settings.temporal_namespace,
        "data_converter": data_converter(settings),
        "interceptors": client_interceptors(),
        "runtime": sdk_runtime(settings),
        "tls": temporal_tls(settings),
        "api_key": temporal_api_key(settings),
    }
    if options["api_key"] is not None and options["tls"] is False:
        options["tls"] = True  # an API key is never sent in clear
    if lazy:
        return await Client.connect(settings.temporal_address, lazy=True, **options)
    async for attempt in AsyncRetrying(
        stop=stop_after_delay(settings.connect_timeout_seconds),
        wait=wait_exponential(multiplier=0.2, max=3),
        retry=retry_if_exception_type((RPCError, RuntimeError, OSError)),
        reraise=True,
    ):
        with attempt:
            return await Client.connect(settings.temporal_address, **options)
    raise AssertionError("unreachable")


async def temporal_healthy(client: Client) -> bool:
    """Whether the Temporal frontend answers its health check within two seconds."""
    try:
        return await client.service_client.check_health(timeout=timedelta(seconds=2))
    except (RPCError, RuntimeError):
        return False


def temporal_unreachable(exc: BaseException) -> bool:
    """Whether an error is a lazy client's failed first connection (the SDK raises a bare RuntimeError)."""
    return isinstance(exc, RuntimeError) and str(exc).startswith("Failed client connect")


_INDEXED_TYPES = {
    "KEYWORD": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    "INT": IndexedValueType.INDEXED_VALUE_TYPE_INT,
    "BOOL": IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
    "DATETIME": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
}


async def ensure_search_attributes(client: Client, namespace: str) -> list[str]:
    """Register the project's search attributes the server does not know yet (an upgrade adds new ones)."""
    known = await client.operator_service.list_search_attributes(ListSearchAttributesRequest(namespace=namespace))
    missing = {
        key.name: _INDEXED_TYPES[key.indexed_value_type.name]
        for key in ALL_KEYS
        if key.name not in known.custom_attributes
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )
    return sorted(missing)
