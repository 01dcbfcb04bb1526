"""The staff console: pages for unit clerks, the coordination centre, leaders and admins, on the intake API.

A service of its own (docs/console.md says why): it holds no data and no rules of its own. Every read and action
goes to the API as the signed-in person (api_client.py), so the console can do for a person exactly what that
person's key could, and every refusal shows the API's own reason.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

import structlog
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_fastapi_instrumentator import Instrumentator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from services.console import sign_in_routes
from services.console.api_client import ApiRefused, ConsoleApi
from services.console.catalog_names import CatalogNames, refresh_names
from services.console.oidc import OidcSignIn
from services.console.pages import admin_pages, attachment_pages, case_pages, centre_pages, leader_pages, unit_pages
from services.console.rendering import page
from services.console.session import CsrfRefused, NotSignedIn, WrongRole, check_csrf
from services.console.settings import ConsoleSettings

log = structlog.get_logger(__name__)
STATIC = Path(__file__).parent / "static"


def create_app(settings: ConsoleSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Shared figures are kept one refresh: an open dashboard sees a change at most one refresh late.
        app.state.api = ConsoleApi(
            settings.api_url,
            settings.console_key(),
            timeout=settings.api_timeout_seconds,
            figures_seconds=settings.refresh_seconds,
        )
        log.info("console.ready", port=settings.port, api=settings.api_url, oidc=bool(settings.oidc_issuer))
        yield
        await app.state.api.close()

    app = FastAPI(
        title="City hotline console",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        dependencies=[Depends(check_csrf)],
    )
    app.state.settings = settings
    app.state.names = CatalogNames()
    app.state.oidc = OidcSignIn.from_settings(settings)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.signing_secret(),
        session_cookie="hotline_console",
        max_age=int(settings.session_idle_minutes * 60),
        same_site="lax",
        https_only=settings.secure_cookie,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _install_error_pages(app)
    app.include_router(sign_in_routes.router)
    # Every page shows catalog names for codes: read (as the person) when a minute old.
    names = [Depends(refresh_names)]
    for pages in (unit_pages, case_pages, attachment_pages, centre_pages, leader_pages, admin_pages):
        app.include_router(pages.router, dependencies=names)
    Instrumentator(excluded_handlers=["/metrics", "/healthz", "/livez", "/static"]).instrument(app).expose(
        app, include_in_schema=False
    )

    @app.get("/livez", include_in_schema=False)
    async def livez() -> JSONResponse:
        return JSONResponse({"ok": True})

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        """200 when the API answers (the console has nothing else to depend on)."""
        ok = await app.state.api.healthy()
        return JSONResponse({"ok": ok, "checks": {"api": ok}}, status_code=200 if ok else 503)

    return app


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def _sign_in_first(request: Request, error: NotSignedIn) -> Response:
        target = f"/sign-in?next={error.next_path}"
        if request.headers.get("hx-request"):
            # A fragment's refresh: the whole page goes to sign in, and comes back to itself, not to the fragment.
            shown = urlsplit(request.headers.get("hx-current-url", ""))
            page_path = quote(shown.path + (f"?{shown.query}" if shown.query else ""), safe="/?=&")
            back = f"/sign-in?next={page_path}" if shown.path.startswith("/") else "/sign-in"
            return Response(status_code=204, headers={"HX-Redirect": back})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, error: CsrfRefused) -> Response:
        log.warning("console.csrf_refused", path=request.url.path)
        return page(
            request,
            "error.html",
            403,
            title="请求被拒绝",
            reason="表单已失效或来源不明（缺少CSRF令牌），请刷新页面后重试。",
        )

    @app.exception_handler(WrongRole)
    async def _wrong_role(request: Request, error: WrongRole) -> Response:
        return page(request, "error.html", 403, title="无权访问", reason=error.message)

    @app.exception_handler(ApiRefused)
    async def _refused(request: Request, error: ApiRefused) -> Response:
        titles = {
            401: "未登录",
            403: "无权访问",
            404: "未找到",
            409: "操作未被接受",
            422: "输入有误",
            429: "操作过于频繁",
        }
        status = error.status if error.status in titles else 502
        return page(request, "error.html", status, title=titles.get(status, "系统暂不可用"), reason=error.detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        return page(
            request,
            "error.html",
            error.status_code,
            title="未找到" if error.status_code == 404 else "出错了",
            reason=str(error.detail),
        )
