"""The console's settings (prefix ``POSTGUARD_CONSOLE_``): session secret and cookie, login mode, limits."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)
MIN_SECRET_LENGTH = 32


class ConsoleConfigError(ValueError):
    """The console cannot start with these settings; the message names the setting."""


class ConsoleSettings(BaseSettings):
    """How the console signs sessions, who may log in and how (read from ``POSTGUARD_CONSOLE_*``)."""

    model_config = SettingsConfigDict(env_prefix="POSTGUARD_CONSOLE_", extra="ignore")

    secret_key: SecretStr = Field(
        SecretStr(""),
        description="Signs the session cookie; at least 32 characters (`python -c 'import secrets; "
        "print(secrets.token_urlsafe(48))'`). Empty is refused unless dev_insecure.",
    )
    dev_insecure: bool = Field(
        False,
        description="Local development only: start without a secret key (a random one per process, so "
        "sessions end at restart).",
    )
    cookie_secure: bool = Field(True, description="Send the session cookie over HTTPS only.")
    session_max_age_seconds: int = Field(
        8 * 3600, ge=60, le=7 * 24 * 3600, description="A session ends this long after login."
    )
    users_file: Path | None = Field(None, description="The reviewer accounts file (password mode).")
    auth_mode: Literal["password", "oidc-proxy"] = Field(
        "password",
        description="password: the users file and the login page; oidc-proxy: trust the identity headers "
        "set by an authenticating proxy (oauth2-proxy) that strips client-sent ones.",
    )
    oidc_user_header: str = Field("X-Forwarded-User", description="oidc-proxy: the user name header.")
    oidc_groups_header: str = Field(
        "X-Forwarded-Groups", description="oidc-proxy: the comma-separated groups header."
    )
    oidc_group_prefix: str = Field(
        "postguard", description="oidc-proxy: groups <prefix>:<institution>:<reviewer|admin> grant roles."
    )
    oidc_logout_url: str = Field("/oauth2/sign_out", description="oidc-proxy: where Log out sends the user.")
    login_max_failures: int = Field(
        5, ge=1, le=1000, description="Failed logins of one username before it is locked for a while."
    )
    login_lockout_seconds: int = Field(
        300, ge=1, le=86400, description="How long those failures count and the lock lasts."
    )
    export_limit: int = Field(10000, ge=1, le=10_000, description="Most records in one archive export.")

    def session_secret(self) -> str:
        """The key that signs sessions; :class:`ConsoleConfigError` when it is unusable."""
        secret = self.secret_key.get_secret_value()
        if secret and len(secret) >= MIN_SECRET_LENGTH:
            return secret
        if self.dev_insecure:
            log.warning("console: no usable secret key (dev_insecure): a random one, sessions end at restart")
            return secrets.token_urlsafe(48)
        if secret:
            raise ConsoleConfigError(
                f"POSTGUARD_CONSOLE_SECRET_KEY is too short ({len(secret)} characters, at least "
                f"{MIN_SECRET_LENGTH})"
            )
        raise ConsoleConfigError(
            "POSTGUARD_CONSOLE_SECRET_KEY is empty: set one (at least 32 characters), or "
            "POSTGUARD_CONSOLE_DEV_INSECURE=true for local development only"
        )
