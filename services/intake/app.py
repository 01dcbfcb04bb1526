"""The intake FastAPI app: connects to NATS and Temporal in its lifespan and serves the v1 API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import structlog
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from prometheus_fastapi_instrumentator import Instrumentator
from starlette.types import Scope

from services.contracts.case_policy import Window
from services.contracts.credentials import ClientKind
from services.contracts.subjects import (
    BOUNDARIES_BUCKET,
    BOUNDARIES_OBJECT_STORE,
    CATALOG_BUCKET,
    CATALOG_CHANGES_BUCKET,
    CREDENTIALS_BUCKET,
    DELIVERIES_BUCKET,
    UNIT_CHANNELS_BUCKET,
)
from services.contracts.tracing import tracing_enabled
from services.engines.boundary_store import BoundaryStore
from services.engines.catalog_change_records import CatalogChangeRecords
from services.engines.catalog_store import CatalogStore
from services.engines.credential_store import CredentialStore
from services.engines.jetstream import close_nats, key_value, object_store, open_jetstream
from services.engines.lifecycle import keep_running
from services.engines.notification_store import NotificationStore
from services.engines.object_store import ObjectStore
from services.engines.records_db.connection import open_records
from services.engines.temporal import connect_temporal, temporal_healthy
from services.intake import (
    access_log_routes,
    admin_routes,
    attachment_routes,
    boundary_routes,
    case_action_routes,
    case_routes,
    case_search_routes,
    catalog_change_routes,
    catalog_import_routes,
    catalog_routes,
    hotspot_routes,
    joint_routes,
    me_routes,
    notification_routes,
    open311_routes,
    platform_routes,
    queue_routes,
    rectification_routes,
    report_routes,
    stored_report_routes,
    ticket_routes,
    triage_routes,
    unit_routes,
)
from services.intake.access_log import AccessLog
from services.intake.attachment_service import AttachmentService
from services.intake.attachment_worker import end_attachment_fetches, start_attachment_fetches
from services.intake.body_limit import BodySizeLimit
from services.intake.case_records import CaseRecords
from services.intake.case_service import CaseService
from services.intake.catalog_change_service import CatalogChangeService
from services.intake.codec_routes import install_codec_server
from services.intake.dependencies import IntakeServices
from services.intake.error_handlers import install_error_handlers
from services.intake.openapi_schema import install_openapi
from services.intake.rate_limit import RateLimit
from services.intake.rectification_service import RectificationService
from services.intake.report_service import ReportService
from services.intake.request_tracing import RequestTracing
from services.intake.settings import IntakeSettings
from services.intake.shared_rate_window import SharedRateWindow
from services.intake.ticket_intake import TicketIntake
from services.intake.unit_channel_store import UnitChannelStore

log = structlog.get_logger(__name__)

DESCRIPTION = """
Receives tickets from the 12345 and 89000 platforms, grid workers and township calls, and lets the
responsible units act on their cases. A ticket is answered `202` only once the message bus holds it;
resubmitting the same `(channel, external_id)` answers `200` with the same case id, at any later time (the
message bus's index answers for the platforms' retry horizon, 30 days by default; the case records after that).

Every request carries an API key: `Authorization: Bearer <key>` (or `X-API-Key: <key>`). Every error is an RFC 9457
problem (`application/problem+json`): `detail` for a person, a stable `code` to branch on (docs/errors.md). What
the notifier POSTs to a recipient's webhook and to a ticket's `callback_url`, signed, is under `webhooks`.
"""


async def _is_console_key(scope: Scope, key: str) -> bool:
    """For the rate limit: whether a key is a staff console's (counted per person it acts for)."""
    services: IntakeServices | None = getattr(scope["app"].state, "services", None)
    principal = await services.credentials.verify(key) if services is not None else None
    return principal is not None and principal.kind is ClientKind.CONSOLE


def create_app(settings: IntakeSettings) -> FastAPI:
    """Build the app; engines are connected when it starts."""

    # Read before anything connects: a definitions file that cannot be used stops the start with its reason.
    definitions = settings.assessment_definitions()

    shared_window = (
        SharedRateWindow(settings.rate_limits, replicas=settings.nats_replicas)
        if settings.rate_limit_shared and settings.rate_limits
        else None
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nc, js = await open_jetstream(settings, name="intake")
        if shared_window is not None:
            await shared_window.start(js)
        catalogs = CatalogStore(await key_value(js, CATALOG_BUCKET, replicas=settings.nats_replicas), nc)
        catalog = await catalogs.start()
        boundaries = BoundaryStore(
            await key_value(js, BOUNDARIES_BUCKET, replicas=settings.nats_replicas),
            await object_store(js, BOUNDARIES_OBJECT_STORE, replicas=settings.nats_replicas),
        )
        await boundaries.start()
        credentials = CredentialStore(
            await key_value(js, CREDENTIALS_BUCKET), held_seconds=settings.held_credentials_seconds
        )
        stop_watching = asyncio.Event()
        watching = [
            asyncio.create_task(
                keep_running("catalog-watch", lambda: catalogs.watch(stop=stop_watching), stop=stop_watching)
            ),
            asyncio.create_task(
                keep_running("boundaries-watch", lambda: boundaries.watch(stop=stop_watching), stop=stop_watching)
            ),
            asyncio.create_task(
                keep_running("credentials-watch", lambda: credentials.follow(stop=stop_watching), stop=stop_watching)
            ),
        ]
        # Lazy: intake starts and takes tickets while Temporal is down; the case starter starts them later.
        client = await connect_temporal(settings, lazy=True)
        case_index = await key_value(js, settings.case_index_bucket(), replicas=settings.nats_replicas)
        # Connections open on first use: intake takes tickets whether or not the records' database answers.
        records = CaseRecords(
            open_records(
                settings.records_database(),
                pool_size=settings.records_pool_size,
                statement_timeout_ms=settings.records_statement_timeout_ms,
            )
        )
        tickets = TicketIntake(
            js=js,
            case_index=case_index,
            records=records,
            key_lifetime=timedelta(days=settings.case_index_ttl_days),
            publish_timeout=settings.publish_timeout_seconds,
            records_timeout=settings.records_lookup_timeout_seconds,
            bus_retry_seconds=settings.bus_retry_seconds,
        )
        # Opened on first use: intake starts, and takes tickets, whether or not the object store answers.
        attachment_store = ObjectStore(settings.object_store())
        attachments = AttachmentService(
            store=attachment_store,
            keyring=settings.payload_keyring(),
            max_count=settings.attachment_max_count,
            max_pixels=settings.attachment_max_pixels,
        )
        app.state.nats = nc
        app.state.temporal = client
        app.state.services = IntakeServices(
            settings=settings,
            catalogs=catalogs,
            tickets=tickets,
            cases=CaseService(
                client=client,
                case_index=case_index,
                records=records,
                rpc_timeout=settings.temporal_rpc_timeout_seconds,
            ),
            unit_channels=UnitChannelStore(await key_value(js, UNIT_CHANNELS_BUCKET)),
            catalog_changes=CatalogChangeService(
                client=client,
                records=CatalogChangeRecords(await key_value(js, CATALOG_CHANGES_BUCKET)),
                rpc_timeout=settings.temporal_rpc_timeout_seconds,
                decision_window=Window(working_days=settings.catalog_change_decision_working_days),
            ),
            notifications=NotificationStore(await key_value(js, DELIVERIES_BUCKET)),
            js=js,
            credentials=credentials,
            records=records,
            keyring=settings.payload_keyring(),
            access_log=AccessLog(records.engine),
            rectifications=RectificationService(client=client, rpc_timeout=settings.temporal_rpc_timeout_seconds),
            definitions=definitions,
            reports=ReportService(
                engine=records.engine, client=client, wait_seconds=settings.report_request_wait_seconds
            ),
            attachments=attachments,
            boundaries=boundaries,
        )
        fetches = start_attachment_fetches(settings, attachments, stop=stop_watching)
        log.info("intake.ready", catalog_version=catalog.version, port=settings.port)
        yield
        stop_watching.set()
        await end_attachment_fetches(fetches)
        await asyncio.gather(*watching)
        await close_nats(nc)
        await records.engine.dispose()
        await attachment_store.close()

    app = FastAPI(
        title="City hotline case intake",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        # FastAPI's own OpenTelemetry spans record the query string (a search's words may be a caller's name or
        # address) and its logs the request's input: `RequestTracing` records the method, route and status only.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        # An upload may carry a whole file: its own limit, checked again on the file alone by the route.
        larger={
            attachment_routes.UPLOAD_PATH: settings.attachment_max_bytes + attachment_routes.MULTIPART_OVERHEAD_BYTES
        },
    )
    # Added last, so it runs first: a client over its limit is refused before its body is read.
    app.add_middleware(RateLimit, limits=settings.rate_limits, limiter=shared_window, is_console_key=_is_console_key)
    if tracing_enabled():
        # Outermost: a request refused by the rate limit or the body limit is traced too.
        app.add_middleware(RequestTracing)
    install_error_handlers(app)
    # Before case_routes: `/v1/cases/export` is not the case `export`.
    app.include_router(case_search_routes.router)
    app.include_router(case_routes.router)
    app.include_router(ticket_routes.router)
    app.include_router(case_action_routes.router)
    app.include_router(attachment_routes.router)
    app.include_router(joint_routes.router)
    app.include_router(triage_routes.router)
    app.include_router(unit_routes.router)
    app.include_router(catalog_routes.router)
    app.include_router(catalog_import_routes.router)
    app.include_router(boundary_routes.router)
    app.include_router(catalog_change_routes.router)
    app.include_router(notification_routes.router)
    app.include_router(platform_routes.router)
    app.include_router(admin_routes.router)
    app.include_router(access_log_routes.router)
    app.include_router(me_routes.router)
    app.include_router(queue_routes.router)
    # Before any `/v1/reports/{report_id}`: `hotspots` is not a report's id.
    app.include_router(hotspot_routes.router)
    app.include_router(rectification_routes.router)
    app.include_router(report_routes.router)
    # Last: `/v1/reports/{report_id}` must not take the paths of the other `/v1/reports/...` routes.
    app.include_router(stored_report_routes.router)
    app.include_router(open311_routes.router)
    app.include_router(open311_routes.discovery_router)
    install_codec_server(app, settings)
    install_openapi(app)
    Instrumentator(excluded_handlers=["/metrics", "/healthz"]).instrument(app).expose(app, include_in_schema=False)

    @app.get("/livez", include_in_schema=False)
    async def livez() -> JSONResponse:
        """Liveness: the process answers; a NATS or Temporal outage is `/healthz`'s business, not a restart's."""
        return JSONResponse({"ok": True})

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        """Readiness: 200 while NATS answers, 503 when it does not; Temporal's state is reported, not required.

        A ticket is safe once JetStream holds it, so an intake pod without Temporal still takes tickets (their
        cases start when Temporal is back); taking every pod out of the Service for a Temporal outage would refuse
        them all. Reads and actions that need Temporal answer 503 meanwhile.
        """
        checks = {
            "nats": bool(getattr(app.state, "nats", None) and app.state.nats.is_connected),
            "temporal": bool(getattr(app.state, "temporal", None) and await temporal_healthy(app.state.temporal)),
        }
        ok = checks["nats"]
        degraded = [name for name, up in checks.items() if not up]
        return JSONResponse({"ok": ok, "checks": checks, "degraded": degraded}, status_code=200 if ok else 503)

    return app
