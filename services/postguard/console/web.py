"""What every console route shares: the app's context, the signed-in person, CSRF checks, page rendering."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from postguard.console import csrf
from postguard.console.identity import Principal, from_proxy_headers, from_user
from postguard.console.settings import ConsoleSettings
from postguard.console.throttle import LoginThrottle
from postguard.console.users import UserDirectory

PACKAGE_DIR = Path(__file__).parent
SESSION_USER = "user"
SESSION_LOGIN_AT = "login_at"
SESSION_FLASH = "flash"
NOT_FOUND = "No such post in your queue or archive."
"""The one answer for a post that does not exist and for another institution's post."""


@dataclass
class Console:
    """The objects the routes work with (``app.state.console``)."""

    desk: Any
    audit: Any
    users: UserDirectory | None
    settings: ConsoleSettings
    throttle: LoginThrottle
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    redacted_store: Any = None
    """Where the redacted image copies are read (a ``DirectoryStore``); None: no copies are kept here."""
    env: jinja2.Environment = field(
        default_factory=lambda: jinja2.Environment(
            loader=jinja2.FileSystemLoader(PACKAGE_DIR / "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
    )

    @property
    def oidc(self) -> bool:
        return self.settings.auth_mode == "oidc-proxy"


class PageError(Exception):
    """Answer with an error page: ``status`` and a message safe to show (ids only, never post text)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class LoginRequiredError(Exception):
    """Nobody is signed in: send the browser to the login page, then back to ``next_path``."""

    def __init__(self, next_path: str) -> None:
        super().__init__("login required")
        self.next_path = next_path


def console(request: Request) -> Console:
    return request.app.state.console  # type: ignore[no-any-return]


def current_principal(request: Request) -> Principal | None:
    """The person behind ``request``: the proxy's headers in oidc-proxy mode (only then), else the session."""
    c = console(request)
    if c.oidc:
        s = c.settings
        return from_proxy_headers(
            request.headers, s.oidc_user_header, s.oidc_groups_header, s.oidc_group_prefix
        )
    name = request.session.get(SESSION_USER)
    if not isinstance(name, str) or c.users is None:
        return None
    login_at = request.session.get(SESSION_LOGIN_AT)
    if not isinstance(login_at, int) or time.time() - login_at > c.settings.session_max_age_seconds:
        request.session.clear()  # the cookie is re-sent on every response: the age counts from login
        return None
    user = c.users.get(name)
    if user is None:  # the account was removed from the users file: the session ends
        request.session.clear()
        return None
    return from_user(user)


def require_principal(request: Request) -> Principal:
    """The signed-in person; :class:`LoginRequiredError` (or a 403 page in oidc-proxy mode) otherwise."""
    principal = current_principal(request)
    if principal is not None:
        return principal
    if console(request).oidc:
        raise PageError(403, "Your sign-in grants no PostGuard role (groups postguard:<institution>:<role>).")
    path = request.url.path
    raise LoginRequiredError(path if request.method == "GET" else "/queue")


async def check_csrf(request: Request) -> None:
    """403 unless the form's hidden token matches the session's."""
    form = await request.form()
    if not csrf.valid(request.session, form.get(csrf.FIELD)):
        raise PageError(
            403, "This form expired or did not come from this console. Reload the page and retry."
        )


def flash(request: Request, message: str) -> None:
    """A one-line notice shown on the next page (ids and verdicts only: the cookie is signed, not secret)."""
    request.session[SESSION_FLASH] = message


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    """The page ``template`` with the person, CSRF token and pending notice filled in."""
    c = console(request)
    values = {
        "base": request.scope.get("root_path", ""),
        "principal": current_principal(request),
        "csrf_field": csrf.FIELD,
        "csrf_token": csrf.session_token(request.session),
        "flash": request.session.pop(SESSION_FLASH, ""),
        "oidc": c.oidc,
        "q": quote,
    }
    values.update(context or {})
    return HTMLResponse(c.env.get_template(template).render(values), status_code=status)


def redirect(request: Request, path: str) -> RedirectResponse:
    """303 See Other to ``path`` under the app's root path (a form post becomes a GET)."""
    return RedirectResponse(request.scope.get("root_path", "") + path, status_code=303)


def safe_next(value: str | None) -> str:
    """A local path to go back to after login; anything else (another site, ``//host``) is the queue."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/queue"
    return value
