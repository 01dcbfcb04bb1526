"""The codec server as the Temporal Web UI calls it: protobuf JSON, CORS preflight, and only for operators."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from services.contracts.credentials import ClientKind, Principal
from services.devstack.engines import dev_codec_endpoint, temporal_command
from services.engines.payload_codec import KEY_ID_METADATA, EncryptionCodec
from services.intake.codec_routes import install_codec_server
from services.intake.error_handlers import install_error_handlers
from services.intake.settings import IntakeSettings

UI_ORIGIN = "http://localhost:8233"
KEY = os.urandom(32)
KEYS = {kind: f"hk_{kind.value}_secret" for kind in ClientKind}
PLAIN = Payload(metadata={"encoding": b"json/plain"}, data='{"phone":"13812345678","name":"王女士"}'.encode())


class FakeCredentials:
    """Stands in for the credential store: one key per client kind."""

    def __init__(self) -> None:
        self.verified: list[str] = []

    async def verify(self, api_key: str) -> Principal | None:
        self.verified.append(api_key)
        for kind, key in KEYS.items():
            if key == api_key:
                return Principal(client_id=f"test-{kind.value}", kind=kind, subject="", key_id=kind.value)
        return None


def _settings(environment: str = "development") -> IntakeSettings:
    return IntakeSettings(
        environment=environment,
        payload_keys=f"k1:{base64.b64encode(KEY).decode()}",
        payload_key_id="k1",
        records_database_url="postgresql+asyncpg://records@db.example/records",
        object_store_endpoint="https://s3.example.gov.cn",
        object_store_access_key="hotline-intake",
        object_store_secret_key="a-real-secret",
    )


def _app(settings: IntakeSettings) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    install_codec_server(app, settings)
    app.state.services = SimpleNamespace(settings=settings, credentials=FakeCredentials())

    @app.get("/v1/ping")
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    return app


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app(_settings()))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        yield client


def _body(*payloads: Payload) -> dict[str, object]:
    return json_format.MessageToDict(Payloads(payloads=list(payloads)))


def _payloads(answer: httpx.Response) -> list[Payload]:
    return list(json_format.ParseDict(answer.json(), Payloads()).payloads)


def _headers(kind: ClientKind) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[kind]}", "X-Namespace": "default", "Origin": UI_ORIGIN}


async def _encrypted() -> Payload:
    [payload] = await EncryptionCodec(keys={"k1": KEY}, current_key_id="k1").encode([PLAIN])
    return payload


@pytest.mark.parametrize("kind", [ClientKind.OPERATOR, ClientKind.ADMIN, ClientKind.COORDINATION])
async def test_an_operator_gets_plaintext_back(api: httpx.AsyncClient, kind: ClientKind) -> None:
    encrypted = await _encrypted()
    unencrypted = Payload(metadata={"encoding": b"json/plain"}, data=b'"accepted"')

    answer = await api.post("/codec/decode", json=_body(encrypted, unencrypted), headers=_headers(kind))

    assert answer.status_code == 200
    assert _payloads(answer) == [PLAIN, unencrypted]
    assert answer.headers["access-control-allow-origin"] == UI_ORIGIN


async def test_the_answer_is_temporals_protobuf_json(api: httpx.AsyncClient) -> None:
    answer = await api.post("/codec/decode", json=_body(await _encrypted()), headers=_headers(ClientKind.OPERATOR))

    [payload] = answer.json()["payloads"]
    assert base64.b64decode(payload["metadata"]["encoding"]) == b"json/plain"
    assert base64.b64decode(payload["data"]).decode() == PLAIN.data.decode()


async def test_encode_then_decode_round_trips(api: httpx.AsyncClient) -> None:
    encoded = await api.post("/codec/encode", json=_body(PLAIN), headers=_headers(ClientKind.OPERATOR))
    [encrypted] = _payloads(encoded)
    decoded = await api.post("/codec/decode", json=_body(encrypted), headers=_headers(ClientKind.OPERATOR))

    assert encrypted.metadata[KEY_ID_METADATA] == b"k1"
    assert b"13812345678" not in encrypted.SerializeToString()
    assert _payloads(decoded) == [PLAIN]


async def test_without_credentials_the_answer_is_401_with_cors_headers(api: httpx.AsyncClient) -> None:
    answer = await api.post("/codec/decode", json=_body(await _encrypted()), headers={"Origin": UI_ORIGIN})

    assert answer.status_code == 401
    assert "13812345678" not in answer.text
    assert answer.headers["access-control-allow-origin"] == UI_ORIGIN  # so the UI can show why


@pytest.mark.parametrize("kind", [ClientKind.UNIT, ClientKind.PLATFORM, ClientKind.LEADER])
async def test_other_clients_are_refused(api: httpx.AsyncClient, kind: ClientKind) -> None:
    answer = await api.post("/codec/decode", json=_body(await _encrypted()), headers=_headers(kind))

    assert answer.status_code == 403
    assert "read encrypted case data" in answer.json()["detail"]


async def test_the_uis_preflight_is_answered(api: httpx.AsyncClient) -> None:
    answer = await api.options(
        "/codec/decode",
        headers={
            "Origin": "http://127.0.0.1:8233",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
        },
    )

    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "http://127.0.0.1:8233"
    assert answer.headers["access-control-allow-credentials"] == "true"
    allowed = {h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "x-namespace"} <= allowed


async def test_other_origins_and_other_routes_get_no_cors(api: httpx.AsyncClient) -> None:
    foreign = await api.options(
        "/codec/decode", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    case_api = await api.get("/v1/ping", headers={"Origin": UI_ORIGIN})

    assert "access-control-allow-origin" not in foreign.headers
    assert "access-control-allow-origin" not in case_api.headers


async def test_a_payload_under_an_unknown_key_is_a_400_naming_the_key(api: httpx.AsyncClient) -> None:
    [foreign] = await EncryptionCodec(keys={"k9": os.urandom(32)}, current_key_id="k9").encode([PLAIN])

    answer = await api.post("/codec/decode", json=_body(foreign), headers=_headers(ClientKind.OPERATOR))

    assert answer.status_code == 400
    assert "'k9'" in answer.json()["detail"]


async def test_malformed_payloads_are_a_400(api: httpx.AsyncClient) -> None:
    body = {"payloads": [{"metadata": {"encoding": "%%%"}, "data": "not base64!"}]}

    answer = await api.post("/codec/decode", json=body, headers=_headers(ClientKind.OPERATOR))

    assert answer.status_code == 400


async def test_in_development_the_key_may_sit_in_the_path(api: httpx.AsyncClient) -> None:
    operator = KEYS[ClientKind.OPERATOR]

    answer = await api.post(
        f"/codec/k/{operator}/decode", json=_body(await _encrypted()), headers={"Origin": UI_ORIGIN}
    )
    wrong = await api.post("/codec/k/hk_nobody_x/decode", json=_body(await _encrypted()))
    unit = await api.post(f"/codec/k/{KEYS[ClientKind.UNIT]}/decode", json=_body(await _encrypted()))

    assert answer.status_code == 200
    assert _payloads(answer) == [PLAIN]
    assert (wrong.status_code, unit.status_code) == (401, 403)


async def test_outside_development_a_key_in_the_path_is_refused_unread() -> None:
    app = _app(_settings("production"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as api:
        operator = KEYS[ClientKind.OPERATOR]
        in_path = await api.post(f"/codec/k/{operator}/decode", json=_body(await _encrypted()))
        in_header = await api.post(
            "/codec/decode", json=_body(await _encrypted()), headers=_headers(ClientKind.OPERATOR)
        )

    assert in_path.status_code == 404
    assert "development only" in in_path.json()["detail"]
    assert app.state.services.credentials.verified == [operator]  # only the header form's key was checked
    assert in_header.status_code == 200


def test_the_dev_temporal_ui_is_pointed_at_the_codec_server_when_an_operator_key_exists(tmp_path: Path) -> None:
    credentials = tmp_path / "dev-credentials.json"
    missing = dev_codec_endpoint(credentials)
    credentials.write_text('{"keys": {"operator": "hk_abc_def"}}')
    endpoint = dev_codec_endpoint(credentials)

    assert missing is None
    assert endpoint == "http://127.0.0.1:8000/codec/k/hk_abc_def"
    command = temporal_command(db_file=tmp_path / "t.db", codec_endpoint=endpoint)
    assert command[command.index("--ui-codec-endpoint") + 1] == endpoint
    assert "--ui-codec-endpoint" not in temporal_command(db_file=tmp_path / "t.db", codec_endpoint=missing)
