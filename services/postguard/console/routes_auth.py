"""Login and logout (password mode), with CSRF on the login form and per-username throttling."""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from postguard.console import csrf
from postguard.console.web import (
    SESSION_LOGIN_AT,
    SESSION_USER,
    check_csrf,
    console,
    current_principal,
    redirect,
    render,
    safe_next,
)

log = logging.getLogger(__name__)
router = APIRouter()
MAX_FIELD = 1024


@router.get("/login", name="login")
def login_page(request: Request, next: str = "/queue") -> Response:
    if console(request).oidc or current_principal(request) is not None:
        return redirect(request, safe_next(next))
    return render(request, "login.html", {"next": safe_next(next)})


@router.post("/login")
async def login(request: Request) -> Response:
    c = console(request)
    if c.oidc:
        return redirect(request, "/queue")
    await check_csrf(request)
    form = await request.form()
    username = str(form.get("username", ""))[:MAX_FIELD].strip()
    password = str(form.get("password", ""))[:MAX_FIELD]
    next_path = safe_next(str(form.get("next", "")))
    context = {"next": next_path, "username": username}
    if not username or not password:
        return render(request, "login.html", context | {"error": "Enter your username and password."}, 400)
    # Only a known account's name is logged: a password typed into the username field must not land in logs.
    logged = username if c.users is not None and c.users.get(username) is not None else "(unknown user)"
    if c.throttle.locked(username):
        log.warning("console login refused: too many failures", extra={"username": logged})
        error = "Too many failed logins for this account. Try again in a few minutes."
        return render(request, "login.html", context | {"error": error}, 429)
    # Argon2 takes tens of milliseconds of CPU: keep it off the event loop
    user = await run_in_threadpool(c.users.authenticate, username, password) if c.users is not None else None
    if user is None:
        c.throttle.failed(username)
        log.info("console login failed", extra={"username": logged})
        return render(request, "login.html", context | {"error": "Wrong username or password."}, 401)
    c.throttle.succeeded(username)
    request.session.clear()  # a new session at login (no fixation): new CSRF token too
    request.session[SESSION_USER] = user.username
    request.session[SESSION_LOGIN_AT] = int(time.time())
    csrf.session_token(request.session)
    log.info("console login", extra={"username": user.username})
    return redirect(request, next_path)


@router.post("/logout", name="logout")
async def logout(request: Request) -> Response:
    c = console(request)
    await check_csrf(request)
    request.session.clear()
    if c.oidc:  # the proxy's session is what signs the person in: end that one
        return RedirectResponse(c.settings.oidc_logout_url or "/", status_code=303)
    return redirect(request, "/login")
