"""`/codec`: the Temporal codec server, so operators read encrypted cases in the Temporal Web UI and CLI.

It follows Temporal's codec server protocol: `POST .../encode` and `POST .../decode` take and return a `Payloads`
message in protobuf JSON (`{"payloads": [{"metadata": {"encoding": "<base64>"}, "data": "<base64>"}]}`); the UI
names the namespace in `X-Namespace` and calls from its own origin (CORS, below). Only operators, admins and the
coordination centre may use it, with `Authorization: Bearer <key>` (in production the UI forwards the signed-in
user's token: docs/personal-data.md). The development UI cannot add a header, so there the key may sit in the
path (`/codec/k/<key>/decode`); that form is refused outside development.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, FastAPI, Header, Request
from google.protobuf import json_format
from prometheus_client import Counter
from pydantic import BaseModel, ConfigDict, Field
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send
from temporalio.api.common.v1 import Payload, Payloads

from services.contracts.credentials import ClientKind, Principal
from services.contracts.problem_codes import ProblemCode
from services.contracts.settings import Environment, ServiceSettings
from services.engines.payload_codec import KEY_ID_METADATA, EncryptionCodec, PayloadDecryptionError
from services.intake.auth import Caller, note_refusal, refuse, require_kind
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.errors import ApiError, NotFound
from services.intake.problem_details import ErrorBody

log = structlog.get_logger(__name__)

PREFIX = "/codec"
CODEC_PAYLOADS = Counter(
    "hotline_codec_payloads_total", "Payloads the codec server encoded or decoded, by operation.", ["operation"]
)
CODEC_USERS = (ClientKind.OPERATOR, ClientKind.ADMIN, ClientKind.COORDINATION)

CODEC_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    400: {
        "model": ErrorBody,
        "description": "The body is not a Temporal `Payloads` message in protobuf JSON, or a payload does not decrypt.",
    },
}
router = APIRouter(prefix=PREFIX, tags=["codec server"], responses=CODEC_RESPONSES)


class CodecPayload(BaseModel):
    """One `temporal.api.common.v1.Payload` in protobuf JSON: bytes are base64."""

    model_config = ConfigDict(extra="allow")

    metadata: dict[str, str] = Field(default_factory=dict, description="Metadata values, base64.")
    data: str = Field(default="", description="The payload's bytes, base64.")


class CodecPayloads(BaseModel):
    """Body and answer of `/codec/encode` and `/codec/decode`."""

    payloads: list[CodecPayload] = Field(default_factory=list)


class CodecCors:
    """CORS for the Temporal Web UI's origins on `/codec/*` only; the case API stays same-origin."""

    def __init__(self, app: ASGIApp, *, origins: Sequence[str]) -> None:
        self._app = app
        self._cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=["POST"],
            allow_headers=["Authorization", "Content-Type", "X-Namespace"],
            allow_credentials=True,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope["path"]).startswith(f"{PREFIX}/"):
            await self._cors(scope, receive, send)
        else:
            await self._app(scope, receive, send)


def install_codec_server(app: FastAPI, settings: ServiceSettings) -> None:
    """Serve `/codec` with the same keys as the Temporal client, reachable from the Web UI's origins."""
    app.state.payload_codec = EncryptionCodec.from_keyring(settings.payload_keyring())
    app.state.codec_key_in_path = settings.environment is Environment.DEVELOPMENT
    app.add_middleware(CodecCors, origins=settings.codec_origins())
    app.include_router(router)


async def _codec(request: Request) -> EncryptionCodec:
    codec: EncryptionCodec = request.app.state.payload_codec
    return codec


async def _caller_from_path(api_key: str, request: Request) -> Principal:
    # Never log the path here: it holds the key.
    if not request.app.state.codec_key_in_path:
        note_refusal(404, "key_in_path")
        raise NotFound(
            "a key in the path is accepted in development only: send Authorization: Bearer <key>",
            code=ProblemCode.NOT_FOUND,
        )
    principal: Principal | None = await request.app.state.services.credentials.verify(api_key)
    if principal is None:
        raise refuse(401, "invalid", "the API key is unknown, revoked or expired", path=f"{PREFIX}/k/…")
    structlog.contextvars.bind_contextvars(client_id=principal.client_id)
    return principal


Codec = Annotated[EncryptionCodec, Depends(_codec)]
PathCaller = Annotated[Principal, Depends(_caller_from_path)]
Namespace = Annotated[str | None, Header(alias="X-Namespace")]


async def _apply(
    operation: str,
    transform: Callable[[Sequence[Payload]], Awaitable[list[Payload]]],
    body: CodecPayloads,
    caller: Principal,
    namespace: str | None,
) -> CodecPayloads:
    require_kind(caller, *CODEC_USERS, action="read encrypted case data")
    try:
        incoming = json_format.ParseDict(body.model_dump(), Payloads())
    except json_format.ParseError as error:
        raise ApiError(f"not a Temporal Payloads message: {error}", code=ProblemCode.BAD_REQUEST) from None
    try:
        outgoing = await transform(incoming.payloads)
    except PayloadDecryptionError as error:
        log.warning(f"codec.{operation}_refused", namespace=namespace, error=str(error))
        raise ApiError(str(error), code=ProblemCode.BAD_REQUEST) from None
    CODEC_PAYLOADS.labels(operation).inc(len(outgoing))
    # Who read which case data is an audit question: one line per request, without the data.
    log.info(
        f"codec.{operation}d",
        client_id=caller.client_id,
        kind=caller.kind.value,
        namespace=namespace,
        payloads=len(outgoing),
        key_ids=_key_ids(incoming.payloads),
    )
    return CodecPayloads.model_validate(json_format.MessageToDict(Payloads(payloads=outgoing)))


def _key_ids(payloads: Sequence[Payload]) -> list[str]:
    return sorted({p.metadata[KEY_ID_METADATA].decode() for p in payloads if KEY_ID_METADATA in p.metadata})


@router.post("/decode")
async def decode(body: CodecPayloads, codec: Codec, caller: Caller, namespace: Namespace = None) -> CodecPayloads:
    """Decrypt payloads from a Temporal history (unencrypted ones come back as they are)."""
    return await _apply("decode", codec.decode, body, caller, namespace)


@router.post("/encode")
async def encode(body: CodecPayloads, codec: Codec, caller: Caller, namespace: Namespace = None) -> CodecPayloads:
    """Encrypt payloads with the current key (for input typed into the UI or CLI: signals, starts)."""
    return await _apply("encode", codec.encode, body, caller, namespace)


@router.post("/k/{api_key}/decode", include_in_schema=False)
async def decode_with_key_in_path(
    body: CodecPayloads, codec: Codec, caller: PathCaller, namespace: Namespace = None
) -> CodecPayloads:
    """`/decode` for the development Web UI, which cannot send an Authorization header."""
    return await _apply("decode", codec.decode, body, caller, namespace)


@router.post("/k/{api_key}/encode", include_in_schema=False)
async def encode_with_key_in_path(
    body: CodecPayloads, codec: Codec, caller: PathCaller, namespace: Namespace = None
) -> CodecPayloads:
    """`/encode` for the development Web UI, which cannot send an Authorization header."""
    return await _apply("encode", codec.encode, body, caller, namespace)
