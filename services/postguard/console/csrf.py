"""CSRF protection: one random token per session, sent back in a hidden field of every form that acts."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import MutableMapping
from typing import Any

SESSION_KEY = "csrf"
FIELD = "csrf_token"


def session_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token, made on first use."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def valid(session: MutableMapping[str, Any], sent: object) -> bool:
    """True when ``sent`` (the form field) equals the session's token (constant-time comparison)."""
    expected = session.get(SESSION_KEY)
    if not isinstance(expected, str) or not expected or not isinstance(sent, str) or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())
