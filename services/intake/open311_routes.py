"""`/open311/v2/`: Open311 GeoReport v2 over the same system (docs/open311.md).

Services are the catalog in force (its version in `X-Hotline-Catalog-Version`); a request becomes a ticket on the
`open311` channel, submitted by a platform key of that channel, idempotent on its token; requests are read from the
cases as `GET /v1/cases/{id}` and `GET /v1/cases` read them, with the same rules on who reads what. Errors are the
spec's lists (`[{"code", "description"}]`, `<errors>`), never problem documents.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import structlog
from fastapi import APIRouter, Request, Response, status

from services.contracts.case_ids import case_id_for
from services.contracts.credentials import ClientKind, Principal
from services.contracts.problem_codes import ProblemCode
from services.contracts.tickets import Channel
from services.intake.auth import note_refusal
from services.intake.authorization import require_reader
from services.intake.dependencies import IntakeServices, Services
from services.intake.errors import ApiError, NotFound
from services.intake.open311_formats import Format, Shape, errors, render
from services.intake.open311_forms import RequestForm, external_id_for, ticket_from_form, token_of
from services.intake.open311_mapping import (
    Open311InputError,
    discovery,
    receipt,
    service_definition,
    services,
    token_answer,
)
from services.intake.open311_media import require_fetchable_media
from services.intake.open311_requests import maybe_request, one_request, search

log = structlog.get_logger(__name__)

router = APIRouter(prefix="/open311/v2", tags=["open311"], include_in_schema=False)
# Service discovery lives beside the versioned endpoints it lists.
discovery_router = APIRouter(prefix="/open311", tags=["open311"], include_in_schema=False)

CATALOG_VERSION_HEADER = "X-Hotline-Catalog-Version"
# At most this many ids in one `service_request_id` list.
MAX_IDS = 50


class Open311Refusal(ApiError):
    """The spec's 403: no API key, an unknown one, or one that may not do this."""

    status_code = 403
    code = ProblemCode.CLIENT_KIND_NOT_ALLOWED


def _format(raw: str) -> Format:
    try:
        return Format(raw)
    except ValueError:
        raise NotFound(f"format {raw!r}: this API speaks json and xml", code=ProblemCode.NOT_FOUND) from None


async def _answer(raw_format: str, work: Callable[[Format], Awaitable[Response]]) -> Response:
    """Run an endpoint; any refusal answers in the spec's error format (JSON for an unknown format)."""
    fmt = Format.JSON
    try:
        fmt = _format(raw_format)
        return await work(fmt)
    except Open311InputError as exc:
        return errors(fmt, status.HTTP_400_BAD_REQUEST, str(exc))
    except ApiError as exc:
        answer = errors(fmt, exc.status_code, exc.message)
        if exc.retry_after is not None:
            answer.headers["Retry-After"] = str(exc.retry_after)
        return answer


def _presented_key(request: Request, form: dict[str, str] | None = None) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer ") and header[7:].strip():
        return header[7:].strip()
    return (
        request.headers.get("x-api-key") or (form or {}).get("api_key") or request.query_params.get("api_key") or None
    )


async def _caller(request: Request, services: IntakeServices, form: dict[str, str] | None = None) -> Principal:
    """Who calls, from the spec's `api_key` (form or query) or our headers; the spec's 403 otherwise."""
    key = _presented_key(request, form)
    if key is None:
        note_refusal(403, "missing", path=request.url.path)
        raise Open311Refusal("api_key: required (or Authorization: Bearer <key>)")
    principal = await services.credentials.verify(key)
    if principal is None:
        note_refusal(403, "invalid", path=request.url.path)
        raise Open311Refusal("api_key: unknown, revoked or expired")
    if principal.kind in (ClientKind.CONSOLE, ClientKind.ADMIN, ClientKind.OPERATOR):
        note_refusal(403, "kind", path=request.url.path, client=principal.client_id)
        raise Open311Refusal(f"api_key: {principal.kind.value} keys do not use Open311")
    structlog.contextvars.bind_contextvars(client_id=principal.client_id)
    return principal


def _with_version(response: Response, services: IntakeServices) -> Response:
    response.headers[CATALOG_VERSION_HEADER] = services.catalog.version
    return response


@discovery_router.get("/discovery.{fmt}")
async def get_discovery(fmt: str, request: Request, services_: Services) -> Response:
    """Service discovery: where GeoReport v2 is served, in which formats, and whom to ask for a key (no key needed)."""

    async def work(chosen: Format) -> Response:
        settings = services_.settings
        url = str(request.url_for("list_services", fmt="json")).removesuffix("/services.json")
        document = discovery(url, contact=settings.open311_contact, key_service=settings.open311_key_service)
        return render(chosen, Shape.DISCOVERY, document)

    return await _answer(fmt, work)


@router.get("/services.{fmt}")
async def list_services(fmt: str, services_: Services) -> Response:
    """The service list: the catalog's items (public, as the spec has it: no key needed)."""

    async def work(chosen: Format) -> Response:
        return _with_version(render(chosen, Shape.SERVICES, services(services_.catalog)), services_)

    return await _answer(fmt, work)


@router.get("/services/{code}.{fmt}")
async def get_service(code: str, fmt: str, services_: Services) -> Response:
    """One service's definition (no attributes: our items ask for none)."""

    async def work(chosen: Format) -> Response:
        item = services_.catalog.item(code)
        if item is None:
            raise NotFound(f"service_code: no service {code!r}", code=ProblemCode.NOT_FOUND)
        return _with_version(render(chosen, Shape.SERVICE_DEFINITION, service_definition(item)), services_)

    return await _answer(fmt, work)


@router.post("/requests.{fmt}")
async def post_request(fmt: str, request: Request, services_: Services) -> Response:
    """Submit a request: 201 with its id once the message bus holds it; 200 with the same id when sent again."""

    async def work(chosen: Format) -> Response:
        form = await _form(request)
        caller = await _caller(request, services_, form)
        if caller.kind is not ClientKind.PLATFORM or caller.subject != Channel.OPEN311:
            note_refusal(403, "channel", path=request.url.path, client=caller.client_id)
            raise Open311Refusal("api_key: only an Open311 client's key (a platform key of channel 'open311') submits")
        ticket = ticket_from_form(
            RequestForm(form), services_.catalog, client_id=caller.client_id, now=datetime.now(UTC)
        )
        require_fetchable_media(services_, ticket)
        sent, created = await services_.tickets.submit(ticket)
        log.info("open311.request", case_id=sent.case_id, created=created)
        answer = [receipt(sent.case_id, token_of(ticket.external_id))]
        return render(chosen, Shape.REQUESTS, answer, status=201 if created else 200)

    return await _answer(fmt, work)


async def _form(request: Request) -> dict[str, str]:
    """The form's fields (url-encoded or multipart); a repeated field keeps its first value."""
    try:
        form = await request.form()
    except Exception as exc:  # a malformed body is the client's: the spec's 400, not a 500
        raise Open311InputError("request", f"not a form ({type(exc).__name__})") from exc
    return {name: value for name, value in form.multi_items()[::-1] if isinstance(value, str)}


@router.get("/requests/{request_id}.{fmt}")
async def get_request(request_id: str, fmt: str, request: Request, services_: Services) -> Response:
    """One request, as a list of one (the spec's shape)."""

    async def work(chosen: Format) -> Response:
        caller = await _caller(request, services_)
        found = await one_request(services_, caller, request_id, base_url=str(request.base_url))
        return render(chosen, Shape.REQUESTS, [found])

    return await _answer(fmt, work)


@router.get("/tokens/{token}.{fmt}")
async def get_token(token: str, fmt: str, request: Request, services_: Services) -> Response:
    """The request id a token stands for (ours are known at once: the same as `POST requests` answered)."""

    async def work(chosen: Format) -> Response:
        caller = await _caller(request, services_)
        case_id = case_id_for(Channel.OPEN311, external_id_for(caller.client_id, token))
        require_reader(caller, await services_.cases.view(case_id))
        return render(chosen, Shape.REQUESTS, [token_answer(case_id, token)])

    return await _answer(fmt, work)


@router.get("/requests.{fmt}")
async def list_requests(fmt: str, request: Request, services_: Services) -> Response:
    """Requests by id (`service_request_id`, comma-delimited: the other filters are then ignored), or by
    `service_code`, `start_date`/`end_date` (the last 90 days by default) and `status`; newest first."""

    async def work(chosen: Format) -> Response:
        caller = await _caller(request, services_)
        params = request.query_params
        ids = [i.strip() for i in (params.get("service_request_id") or "").split(",") if i.strip()]
        if ids:
            if len(ids) > MAX_IDS:
                raise Open311InputError("service_request_id", f"at most {MAX_IDS} ids at once")
            base_url = str(request.base_url)
            found = [
                r for r in [await maybe_request(services_, caller, i, base_url=base_url) for i in ids] if r is not None
            ]
            return render(chosen, Shape.REQUESTS, found)
        return render(chosen, Shape.REQUESTS, await search(services_, caller, params, base_url=str(request.base_url)))

    return await _answer(fmt, work)
