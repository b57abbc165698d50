"""``create_app``: the reviewer console as a FastAPI application (templates, sessions, CSRF, headers)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from postguard.console import routes_archive, routes_auth, routes_review
from postguard.console.security import SecurityHeaders
from postguard.console.settings import ConsoleConfigError, ConsoleSettings
from postguard.console.throttle import LoginThrottle
from postguard.console.users import UserDirectory
from postguard.console.web import PACKAGE_DIR, Console, LoginRequiredError, PageError, redirect, render

SESSION_COOKIE = "postguard_console"


def create_app(
    desk: object,
    audit: object,
    users: UserDirectory | None,
    settings: ConsoleSettings,
    *,
    extra_routers: Iterable[APIRouter] = (),
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The console over ``desk`` (a ReviewDesk) and ``audit`` (an audit store with ``search``).

    ``users`` are the accounts of password mode (None in oidc-proxy mode); ``extra_routers`` are mounted
    as they are (the HTTP/JSON API): the console's CSRF and login apply only to its own pages.
    :class:`ConsoleConfigError` when the settings cannot be served safely.
    """
    secret = settings.session_secret()
    if settings.auth_mode == "password" and users is None:
        raise ConsoleConfigError("password mode needs a users file (POSTGUARD_CONSOLE_USERS_FILE)")
    app = FastAPI(title="PostGuard reviewer console", docs_url=None, redoc_url=None, openapi_url=None)
    context = Console(
        desk=desk,
        audit=audit,
        users=users,
        settings=settings,
        throttle=LoginThrottle(settings.login_max_failures, settings.login_lockout_seconds),
    )
    if clock is not None:
        context.clock = clock
    app.state.console = context
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_seconds,
        same_site="strict",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> Response:
        return render(request, "error.html", {"status": exc.status, "message": exc.message}, exc.status)

    @app.exception_handler(LoginRequiredError)
    async def login_required(request: Request, exc: LoginRequiredError) -> Response:
        return redirect(request, f"/login?next={quote(exc.next_path)}")

    for router in (routes_auth.router, routes_review.router, routes_archive.router, *extra_routers):
        app.include_router(router)
    return app
