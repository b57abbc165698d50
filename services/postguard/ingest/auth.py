"""Who is calling ingest, and for which institutions: client certificates (mTLS) or bearer tokens.

A credentials file (YAML or JSON) lists the clients::

    clients:
      - name: demo-comms                       # shown in logs and error messages
        institutions: [demo-hospital]          # what it may submit for and read; ["*"] = every one
        certificate_identities:                # mTLS: subject CN or a SAN (DNS, URI, e-mail, IP)
          - comms.demo-hospital.example
        token_sha256:                          # bearer tokens: hex SHA-256 of each token, never the token
          - 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08

:class:`InstitutionAuthorizer` maps the caller of an RPC to its institutions
(``allowed_institutions``) or aborts it with UNAUTHENTICATED. Which credentials count is the mode:
``none`` (no authentication: every caller may act for every institution — local development only),
``mtls`` (a verified client certificate), ``token`` (``authorization: Bearer <token>`` metadata) or
``mtls-or-token`` (a token when one is sent, else the certificate). Tokens are compared by SHA-256 with
:func:`hmac.compare_digest`; no message ever contains a token. The file is re-read when it changes
(checked at most once a second), so a token can be revoked without a restart; a changed file that
does not validate is logged and the previous credentials kept.

``python -m postguard.ingest.auth`` mints a new token and prints it with the hash to put in the file.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import logging
import os
import re
import secrets
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import grpc
import yaml

log = logging.getLogger(__name__)

ALL_INSTITUTIONS = "*"
"""Granted alone, every institution (an operator's credential)."""
AUTHORIZATION_KEY = "authorization"
BEARER = "bearer"
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_CLIENT_KEYS = frozenset({"name", "institutions", "certificate_identities", "token_sha256"})
_IDENTITY_KEYS = ("x509_common_name", "x509_subject_alternative_name")
RELOAD_CHECK_SECONDS = 1.0


class AuthMode(enum.StrEnum):
    """Which credentials identify an ingest caller."""

    NONE = "none"
    MTLS = "mtls"
    TOKEN = "token"
    MTLS_OR_TOKEN = "mtls-or-token"

    @property
    def uses_certificates(self) -> bool:
        return self in (AuthMode.MTLS, AuthMode.MTLS_OR_TOKEN)

    @property
    def uses_tokens(self) -> bool:
        return self in (AuthMode.TOKEN, AuthMode.MTLS_OR_TOKEN)


class CredentialsError(ValueError):
    """The credentials file is missing or invalid; the message names the file and the entry at fault."""


@dataclass(frozen=True)
class Client:
    """One registered caller: its institutions and the credentials that identify it."""

    name: str
    institutions: frozenset[str]
    certificate_identities: frozenset[str] = frozenset()
    token_digests: tuple[bytes, ...] = ()

    @property
    def all_institutions(self) -> bool:
        return ALL_INSTITUTIONS in self.institutions


@dataclass(frozen=True)
class Caller:
    """The outcome of authenticating one RPC: which client (possibly several, for certificates) and how."""

    names: tuple[str, ...]
    institutions: frozenset[str]
    method: str  # "mtls" or "token"


def token_sha256(token: str) -> str:
    """The hex SHA-256 of ``token`` as it goes into ``token_sha256`` (UTF-8, nothing stripped)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def mint_token() -> tuple[str, str]:
    """A new random bearer token (256 bits, URL-safe) and its hex SHA-256."""
    token = secrets.token_urlsafe(32)
    return token, token_sha256(token)


# --- the credentials file ---------------------------------------------------------------------------


def _strings(value: Any, where: str, *, allow_empty: bool) -> list[str]:
    if value is None:
        value = []
    if isinstance(value, str) or not isinstance(value, list):
        raise CredentialsError(f"{where}: must be a list of strings")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise CredentialsError(f"{where}[{i}]: must be a non-empty string")
        out.append(item.strip())
    if not out and not allow_empty:
        raise CredentialsError(f"{where}: must list at least one entry")
    return out


def _client(raw: Any, index: int) -> Client:
    where = f"clients[{index}]"
    if not isinstance(raw, Mapping):
        raise CredentialsError(f"{where}: must be a mapping with name, institutions and credentials")
    unknown = sorted(set(map(str, raw)) - _CLIENT_KEYS)
    if unknown:
        raise CredentialsError(
            f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_CLIENT_KEYS))})"
        )
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CredentialsError(f"{where}.name: is required (a label for logs)")
    where = f"{where} ({name.strip()})"
    institutions = _strings(raw.get("institutions"), f"{where}.institutions", allow_empty=False)
    if ALL_INSTITUTIONS in institutions and len(set(institutions)) > 1:
        raise CredentialsError(f"{where}.institutions: '*' already grants every institution; list it alone")
    identities = _strings(
        raw.get("certificate_identities"), f"{where}.certificate_identities", allow_empty=True
    )
    digests = []
    hashes = raw.get("token_sha256")
    if hashes is not None and (isinstance(hashes, str) or not isinstance(hashes, list)):
        raise CredentialsError(f"{where}.token_sha256: must be a list of hex SHA-256 digests")
    for i, value in enumerate(hashes or []):
        # Never echo the value: it may be a token pasted by mistake.
        if not isinstance(value, str) or not _HEX64.match(value.strip()):
            raise CredentialsError(
                f"{where}.token_sha256[{i}]: not a hex SHA-256 digest (64 hex characters); store the hash "
                "of the token (python -m postguard.ingest.auth), never the token itself"
            )
        digests.append(bytes.fromhex(value.strip()))
    if not identities and not digests:
        raise CredentialsError(f"{where}: has neither certificate_identities nor token_sha256")
    return Client(
        name=name.strip(),
        institutions=frozenset(institutions),
        certificate_identities=frozenset(identities),
        token_digests=tuple(digests),
    )


def parse_credentials(data: Any, source: str = "credentials") -> tuple[Client, ...]:
    """Validate the parsed credentials document; :class:`CredentialsError` names ``source`` and the entry."""
    try:
        if not isinstance(data, Mapping) or set(map(str, data)) - {"clients"}:
            raise CredentialsError("the top level must be a mapping with one key, clients")
        raw_clients = data.get("clients")
        if not isinstance(raw_clients, list) or not raw_clients:
            raise CredentialsError("clients: must be a non-empty list")
        clients = tuple(_client(raw, i) for i, raw in enumerate(raw_clients))
        _check_unique(clients)
    except CredentialsError as exc:
        raise CredentialsError(f"{source}: {exc}") from None
    return clients


def _check_unique(clients: Sequence[Client]) -> None:
    names: set[str] = set()
    identities: dict[str, str] = {}
    digests: dict[bytes, str] = {}
    for client in clients:
        if client.name in names:
            raise CredentialsError(f"client name {client.name!r} is used twice")
        names.add(client.name)
        for identity in client.certificate_identities:
            if identity in identities:
                raise CredentialsError(
                    f"certificate identity {identity!r} is listed for {identities[identity]!r} and "
                    f"{client.name!r}"
                )
            identities[identity] = client.name
        for digest in client.token_digests:
            if digest in digests:
                raise CredentialsError(
                    f"one token_sha256 is listed for {digests[digest]!r} and {client.name!r}"
                    if digests[digest] != client.name
                    else f"one token_sha256 is listed twice for {client.name!r}"
                )
            digests[digest] = client.name


def load_credentials(path: Path) -> tuple[Client, ...]:
    """Read and validate a credentials file (YAML or JSON)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CredentialsError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CredentialsError(f"{path}: cannot be read ({type(exc).__name__})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CredentialsError(f"{path}: not valid YAML{where}") from None
    return parse_credentials(data, str(path))


# --- the authorizer ----------------------------------------------------------------------------------


def _abort(context: grpc.ServicerContext, message: str) -> NoReturn:
    context.abort(grpc.StatusCode.UNAUTHENTICATED, message)
    raise AssertionError("context.abort returned")  # pragma: no cover - abort always raises


class InstitutionAuthorizer:
    """Maps the caller of an RPC to the institutions it may submit for and read.

    ``mode`` says which credentials count; ``clients`` are the registered callers (from a credentials
    file with :meth:`from_file`, which also re-reads the file when it changes).
    """

    def __init__(
        self,
        mode: AuthMode | str = AuthMode.NONE,
        clients: Iterable[Client] = (),
        *,
        source: Path | None = None,
    ) -> None:
        self.mode = AuthMode(mode)
        self._source = source
        self._lock = threading.Lock()
        self._checked_at = time.monotonic()
        self._stamp = _stamp(source)
        self._install(tuple(clients))
        if self.mode is not AuthMode.NONE:
            self._check_usable(self._clients)

    @classmethod
    def disabled(cls) -> InstitutionAuthorizer:
        """No authentication: every caller may act for every institution."""
        return cls(AuthMode.NONE)

    @classmethod
    def from_file(cls, mode: AuthMode | str, path: Path | None) -> InstitutionAuthorizer:
        """The authorizer for ``mode`` with the clients of the credentials file at ``path``."""
        mode = AuthMode(mode)
        if mode is AuthMode.NONE:
            return cls.disabled()
        if path is None:
            raise CredentialsError(f"authentication mode {mode.value!r} needs a credentials file")
        return cls(mode, load_credentials(path), source=path)

    # -- state --

    def _install(self, clients: tuple[Client, ...]) -> None:
        self._clients = clients
        self._by_identity = {i: c for c in clients for i in c.certificate_identities}
        self._digests = tuple((d, c) for c in clients for d in c.token_digests)

    def _check_usable(self, clients: tuple[Client, ...]) -> None:
        if self.mode is AuthMode.MTLS and not any(c.certificate_identities for c in clients):
            raise CredentialsError(f"mode mtls, but no client has certificate_identities ({self._source})")
        if self.mode is AuthMode.TOKEN and not any(c.token_digests for c in clients):
            raise CredentialsError(f"mode token, but no client has token_sha256 ({self._source})")

    @property
    def clients(self) -> tuple[Client, ...]:
        self._maybe_reload()
        return self._clients

    @property
    def institutions(self) -> frozenset[str]:
        """Every institution some client is granted (``*`` included as such)."""
        return frozenset(i for c in self.clients for i in c.institutions)

    def _maybe_reload(self) -> None:
        if self._source is None:
            return
        now = time.monotonic()
        if now - self._checked_at < RELOAD_CHECK_SECONDS:
            return
        with self._lock:
            if now - self._checked_at < RELOAD_CHECK_SECONDS:
                return
            self._checked_at = now
            stamp = _stamp(self._source)
            if stamp == self._stamp:
                return
            self._stamp = stamp
            try:
                clients = load_credentials(self._source)
                self._check_usable(clients)
            except CredentialsError as exc:
                log.error(
                    "credentials file changed but is invalid; keeping the previous credentials: %s", exc
                )
                return
            self._install(clients)
        log.info("credentials reloaded", extra={"clients": len(clients), "file": str(self._source)})

    # -- per call --

    def allowed_institutions(self, context: grpc.ServicerContext) -> frozenset[str] | None:
        """The institutions the caller may submit for and read (``{"*"}``: all); None when auth is off.

        Aborts the RPC with UNAUTHENTICATED when the credentials the mode needs are missing, malformed
        or unknown; the message says which, never quoting a token.
        """
        caller = self.authenticate(context)
        return None if caller is None else caller.institutions

    def authenticate(self, context: grpc.ServicerContext) -> Caller | None:
        """The identified caller (None when auth is off), or abort with UNAUTHENTICATED."""
        if self.mode is AuthMode.NONE:
            return None
        self._maybe_reload()
        token = self._bearer_token(context) if self.mode.uses_tokens else None
        if token is not None:
            return self._by_token(token, context)
        if self.mode.uses_certificates:
            return self._by_certificate(context)
        _abort(context, "missing credentials: send metadata 'authorization: Bearer <token>'")

    @staticmethod
    def _bearer_token(context: grpc.ServicerContext) -> str | None:
        values = [
            str(value)
            for key, value in (context.invocation_metadata() or ())
            if str(key).lower() == AUTHORIZATION_KEY
        ]
        if not values:
            return None
        if len(values) > 1:
            _abort(context, "invalid credentials: more than one 'authorization' metadata entry")
        scheme, _, token = values[0].strip().partition(" ")
        token = token.strip()
        if scheme.lower() != BEARER or not token:
            _abort(context, "invalid credentials: 'authorization' metadata must be 'Bearer <token>'")
        return token

    def _by_token(self, token: str, context: grpc.ServicerContext) -> Caller:
        digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
        found: Client | None = None
        for known, client in self._digests:  # every entry compared: the time does not say which matched
            if hmac.compare_digest(digest, known):
                found = client
        if found is None:
            _abort(context, "invalid credentials: the bearer token is not recognised")
        return Caller(names=(found.name,), institutions=found.institutions, method="token")

    def _by_certificate(self, context: grpc.ServicerContext) -> Caller:
        identities = _certificate_identities(context)
        if not identities:
            hint = " or send 'authorization: Bearer <token>'" if self.mode.uses_tokens else ""
            _abort(
                context,
                "missing credentials: no verified client certificate (connect with mutual TLS using a "
                f"certificate signed by the configured client CA{hint})",
            )
        matched = sorted({self._by_identity[i].name for i in identities if i in self._by_identity})
        if not matched:
            shown = ", ".join(repr(i) for i in identities[:4])
            _abort(context, f"invalid credentials: client certificate {shown} is not registered")
        institutions = frozenset().union(*(c.institutions for c in self._clients if c.name in matched))
        return Caller(names=tuple(matched), institutions=institutions, method="mtls")


def _certificate_identities(context: grpc.ServicerContext) -> list[str]:
    """Subject CN and SANs of the client certificate, when gRPC verified it (mutual TLS), else []."""
    if context.peer_identity_key() is None:
        return []
    auth = context.auth_context() or {}
    out: list[str] = []
    for key in _IDENTITY_KEYS:
        for value in auth.get(key, ()):
            text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            if text and text not in out:
                out.append(text)
    return out


def _stamp(path: Path | None) -> tuple[int, int, int] | None:
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def main(argv: list[str] | None = None) -> int:
    """``python -m postguard.ingest.auth``: print a new token and the hash line for the credentials file."""
    if argv if argv is not None else sys.argv[1:]:
        print(
            "usage: python -m postguard.ingest.auth   (prints a new token and its SHA-256)", file=sys.stderr
        )
        return 2
    token, digest = mint_token()
    print(f"token:        {token}")
    print(f"token_sha256: {digest}")
    print(
        "Give the token to the client (it sends 'authorization: Bearer <token>'); put only the hash in",
        file=sys.stderr,
    )
    print("the credentials file. The token is shown once and never stored by PostGuard.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
