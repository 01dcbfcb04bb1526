"""TLS and credentials to the engines from the settings: a NATS server requiring TLS, client certificates and an
NKey; a Temporal frontend behind mutual TLS. Each refuses a service that lacks what it asks for."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import nats.errors
import nkeys
import pytest
import pytest_asyncio

from services.contracts.settings import ServiceSettings
from services.contracts.subjects import STREAMS
from services.devstack.engines import _binary
from services.engines.jetstream import close_nats, open_jetstream
from services.engines.temporal import connect_temporal
from tests.support.engines import EngineProcess, free_port
from tests.support.services import ServiceProcess, service_env
from tests.support.system import RunningSystem
from tests.support.tls_material import TlsFiles, make_tls_files
from tests.support.tls_proxy import TlsProxy


@dataclass(frozen=True)
class SecuredNats:
    url: str
    tls: TlsFiles
    seed_file: Path
    other_ca: TlsFiles


@pytest_asyncio.fixture(scope="module")
async def secured_nats(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[SecuredNats]:
    """nats-server with JetStream that takes only TLS clients with a certificate of its CA and a known NKey."""
    workdir = tmp_path_factory.mktemp("secured-nats")
    tls = make_tls_files(workdir / "tls")
    seed = nkeys.encode_seed(os.urandom(32), nkeys.PREFIX_BYTE_USER)
    seed_file = workdir / "service.nk"
    seed_file.write_bytes(seed)
    public = nkeys.from_seed(bytearray(seed)).public_key.decode()
    port = free_port()
    config = workdir / "nats.conf"
    config.write_text(
        f"""
listen: "127.0.0.1:{port}"
jetstream {{ store_dir: "{workdir / "data"}" }}
tls {{
  cert_file: "{tls.server_cert}"
  key_file: "{tls.server_key}"
  ca_file: "{tls.ca}"
  verify: true
  timeout: 2
}}
authorization {{ users: [ {{ nkey: "{public}" }} ] }}
""",
        encoding="utf-8",
    )
    server = EngineProcess("nats-secured", [_binary("nats-server"), "-c", str(config)], port, workdir / "nats.log")
    await server.start()
    try:
        yield SecuredNats(f"tls://127.0.0.1:{port}", tls, seed_file, make_tls_files(workdir / "other", ca_name="other"))
    finally:
        server.stop()


def nats_settings(secured: SecuredNats, **overrides: Any) -> ServiceSettings:
    fields: dict[str, Any] = {
        "nats_url": secured.url,
        "nats_tls_ca_file": secured.tls.ca,
        "nats_tls_cert_file": secured.tls.client_cert,
        "nats_tls_key_file": secured.tls.client_key,
        "nats_nkey_seed_file": secured.seed_file,
        "connect_timeout_seconds": 1.0,
    }
    fields.update(overrides)
    return ServiceSettings(**fields)


async def test_a_service_with_the_settings_connects_and_declares_every_stream(secured_nats: SecuredNats) -> None:
    nc, js = await open_jetstream(nats_settings(secured_nats), name="secured-test")
    try:
        assert nc.connected_url is not None and nc.connected_url.scheme == "tls"
        for spec in STREAMS:
            assert (await js.stream_info(spec.name)).config.name == spec.name
    finally:
        await close_nats(nc)


@pytest.mark.parametrize(
    "missing",
    [
        pytest.param({"nats_nkey_seed_file": None}, id="no NKey"),
        pytest.param({"nats_tls_cert_file": None, "nats_tls_key_file": None}, id="no client certificate"),
        pytest.param({"other_ca": True}, id="server checked against another CA"),
    ],
)
async def test_a_service_lacking_a_credential_is_refused(secured_nats: SecuredNats, missing: dict[str, Any]) -> None:
    if missing.pop("other_ca", False):
        missing["nats_tls_ca_file"] = secured_nats.other_ca.ca
    with pytest.raises((OSError, nats.errors.Error, TimeoutError)):
        await open_jetstream(nats_settings(secured_nats, **missing), name="refused-test")


async def test_the_router_runs_on_the_secured_server_from_its_environment(
    secured_nats: SecuredNats, tmp_path: Path
) -> None:
    tls = secured_nats.tls
    env = service_env(
        nats_url=secured_nats.url,
        temporal_address="127.0.0.1:1",
        extra={
            "HOTLINE_NATS_TLS_CA_FILE": str(tls.ca),
            "HOTLINE_NATS_TLS_CERT_FILE": str(tls.client_cert),
            "HOTLINE_NATS_TLS_KEY_FILE": str(tls.client_key),
            "HOTLINE_NATS_NKEY_SEED_FILE": str(secured_nats.seed_file),
        },
    )
    port = free_port()
    router = ServiceProcess("router", port, {**env, "HOTLINE_ROUTER_OPS_PORT": str(port)}, tmp_path / "router.log")
    await router.start()
    try:
        async with httpx.AsyncClient() as http:
            assert (await http.get(f"{router.base_url}/healthz")).json()["checks"]["nats"] is True
    finally:
        router.stop()


@pytest_asyncio.fixture(scope="module")
async def mtls_temporal(
    system: RunningSystem, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[str, TlsFiles]]:
    """The session's Temporal server behind a frontend that requires TLS and a client certificate."""
    tls = make_tls_files(tmp_path_factory.mktemp("temporal-tls"))
    port = free_port()
    proxy = TlsProxy(tls, port=port, upstream_port=system.temporal.port)
    await proxy.start()
    try:
        yield f"127.0.0.1:{port}", tls
    finally:
        await proxy.stop()


async def test_temporal_over_mutual_tls_from_the_settings(mtls_temporal: tuple[str, TlsFiles]) -> None:
    address, tls = mtls_temporal
    settings = ServiceSettings(
        temporal_address=address,
        temporal_tls_ca_file=tls.ca,
        temporal_tls_cert_file=tls.client_cert,
        temporal_tls_key_file=tls.client_key,
        temporal_tls_server_name="localhost",
        connect_timeout_seconds=5.0,
    )
    client = await connect_temporal(settings)
    assert await client.count_workflows() is not None


async def test_temporal_refuses_a_client_without_its_certificate(mtls_temporal: tuple[str, TlsFiles]) -> None:
    address, tls = mtls_temporal
    settings = ServiceSettings(
        temporal_address=address,
        temporal_tls_ca_file=tls.ca,
        temporal_tls_server_name="localhost",
        connect_timeout_seconds=1.0,
    )
    with pytest.raises(RuntimeError):
        client = await connect_temporal(settings)
        await client.count_workflows()
