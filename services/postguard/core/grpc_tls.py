"""TLS and mutual TLS for PostGuard's gRPC servers and clients: credentials built from PEM files.

Servers: :func:`server_tls_from_settings` reads the ``POSTGUARD_GRPC_TLS_*`` settings (None = plaintext),
:func:`load_server_tls` checks every file at start-up (exists, is PEM of the right kind, the key is
unencrypted and matches the certificate, the client CA holds certificates) and raises
:class:`GrpcTlsError` naming the setting and the path, and :func:`server_credentials` builds credentials
that re-read the files when they change (a rotated Kubernetes Secret), keeping the old certificate if
the new files are not a valid pair. Clients: :func:`channel_credentials` for ``postguard screen --via
grpcs://`` (CA, optional client certificate, optional bearer token).
"""

from __future__ import annotations

import logging
import os
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

import grpc

from postguard.core.settings import CommonSettings

log = logging.getLogger(__name__)

CERT_SETTING = "POSTGUARD_GRPC_TLS_CERT_FILE"
KEY_SETTING = "POSTGUARD_GRPC_TLS_KEY_FILE"
CLIENT_CA_SETTING = "POSTGUARD_GRPC_TLS_CLIENT_CA_FILE"

_CERT_MARK = b"-----BEGIN CERTIFICATE-----"
_KEY_MARK = b"PRIVATE KEY-----"


class GrpcTlsError(ValueError):
    """A TLS file is missing, unreadable or not what it should be; the message names setting and path."""


@dataclass(frozen=True)
class ServerTls:
    """Where a gRPC server's TLS material lives; ``client_ca_file`` set = mutual TLS (required)."""

    cert_file: Path
    key_file: Path
    client_ca_file: Path | None = None

    @property
    def mutual(self) -> bool:
        return self.client_ca_file is not None


@dataclass(frozen=True)
class TlsMaterial:
    """The PEM bytes of a checked :class:`ServerTls`."""

    cert_chain: bytes
    private_key: bytes
    client_ca: bytes | None


def server_tls_from_settings(common: CommonSettings) -> ServerTls | None:
    """The server TLS configuration from ``POSTGUARD_GRPC_TLS_*``; None when the server is plaintext."""
    if common.grpc_tls_cert_file is None or common.grpc_tls_key_file is None:
        return None
    return ServerTls(common.grpc_tls_cert_file, common.grpc_tls_key_file, common.grpc_tls_client_ca_file)


# --- reading and checking PEM files ---------------------------------------------------------------


def _read(name: str, path: Path) -> bytes:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise GrpcTlsError(f"{name}={path}: no such file") from None
    except IsADirectoryError:
        raise GrpcTlsError(f"{name}={path}: is a directory, not a PEM file") from None
    except OSError as exc:
        raise GrpcTlsError(f"{name}={path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    if not data.strip():
        raise GrpcTlsError(f"{name}={path}: the file is empty")
    return data


def read_certificates(name: str, path: Path) -> bytes:
    """PEM certificate(s) from ``path``; ``name`` (a setting or option) is used in error messages."""
    data = _read(name, path)
    if _CERT_MARK not in data:
        what = "a private key" if _KEY_MARK in data else "no PEM certificate"
        raise GrpcTlsError(
            f"{name}={path}: expected PEM certificates (-----BEGIN CERTIFICATE-----), found {what}"
        )
    return data


def read_private_key(name: str, path: Path) -> bytes:
    """An unencrypted PEM private key from ``path`` (grpcio cannot use encrypted keys)."""
    data = _read(name, path)
    if _KEY_MARK not in data:
        what = "a certificate" if _CERT_MARK in data else "no PEM private key"
        raise GrpcTlsError(f"{name}={path}: expected a PEM private key, found {what}")
    if b"ENCRYPTED PRIVATE KEY" in data or b"Proc-Type: 4,ENCRYPTED" in data:
        raise GrpcTlsError(
            f"{name}={path}: the private key is encrypted; gRPC needs an unencrypted PEM key "
            "(protect the file with permissions or a Kubernetes Secret instead)"
        )
    return data


class _EncryptedKeyError(Exception):
    pass


def _no_password() -> bytes:
    raise _EncryptedKeyError


def check_key_pair(cert_name: str, cert_path: Path, key_name: str, key_path: Path) -> None:
    """The certificate and the key parse, and the key belongs to the certificate (OpenSSL checks)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(str(cert_path), str(key_path), password=_no_password)
    except _EncryptedKeyError:
        raise GrpcTlsError(f"{key_name}={key_path}: the private key is encrypted") from None
    except ssl.SSLError as exc:
        if exc.reason == "KEY_VALUES_MISMATCH":
            raise GrpcTlsError(
                f"{key_name}={key_path}: this private key does not belong to the certificate in "
                f"{cert_name}={cert_path}"
            ) from None
        raise GrpcTlsError(
            f"{cert_name}={cert_path} / {key_name}={key_path}: not a usable certificate and key "
            f"(OpenSSL: {exc.reason or exc.strerror or exc})"
        ) from None


def check_ca_bundle(name: str, path: Path) -> bytes:
    """A CA bundle whose certificates OpenSSL can load; returns its bytes."""
    data = read_certificates(name, path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_verify_locations(cafile=str(path))
    except ssl.SSLError as exc:
        raise GrpcTlsError(f"{name}={path}: not a usable CA bundle (OpenSSL: {exc.reason or exc})") from None
    if not context.get_ca_certs():
        raise GrpcTlsError(f"{name}={path}: holds no CA certificate (basicConstraints CA:TRUE)")
    return data


def load_server_tls(tls: ServerTls) -> TlsMaterial:
    """Read and check every file of ``tls``; :class:`GrpcTlsError` names the setting and path at fault."""
    cert = read_certificates(CERT_SETTING, tls.cert_file)
    key = read_private_key(KEY_SETTING, tls.key_file)
    check_key_pair(CERT_SETTING, tls.cert_file, KEY_SETTING, tls.key_file)
    client_ca = check_ca_bundle(CLIENT_CA_SETTING, tls.client_ca_file) if tls.client_ca_file else None
    return TlsMaterial(cert_chain=cert, private_key=key, client_ca=client_ca)


# --- server credentials -----------------------------------------------------------------------------


def _configuration(material: TlsMaterial) -> grpc.ServerCertificateConfiguration:
    return grpc.ssl_server_certificate_configuration(
        [(material.private_key, material.cert_chain)], root_certificates=material.client_ca
    )


def _stamp(paths: tuple[Path, ...]) -> tuple[tuple[int, int, int] | None, ...]:
    stamps: list[tuple[int, int, int] | None] = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            stamps.append(None)
        else:
            stamps.append((st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(stamps)


class CertificateReloader:
    """grpcio's certificate fetcher: a new configuration when the files changed and are valid, else None.

    grpcio calls it before every TLS handshake, so it only ``stat``s the files; a change that does not
    check out (half-written Secret, key of another certificate) is logged once and the current
    certificate kept. It never raises (an exception in the callback would fail the handshake).
    """

    def __init__(self, tls: ServerTls, material: TlsMaterial) -> None:
        self.tls = tls
        self.material = material
        self._paths = tuple(p for p in (tls.cert_file, tls.key_file, tls.client_ca_file) if p is not None)
        self._stamp = _stamp(self._paths)
        self._lock = threading.Lock()
        self.reloads = 0

    def __call__(self) -> grpc.ServerCertificateConfiguration | None:
        try:
            stamp = _stamp(self._paths)
            if stamp == self._stamp:
                return None
            with self._lock:
                if stamp == self._stamp:
                    return None
                self._stamp = stamp
                try:
                    material = load_server_tls(self.tls)
                except GrpcTlsError as exc:
                    log.error("gRPC TLS files changed but are not usable; keeping the current ones: %s", exc)
                    return None
                if material == self.material:
                    return None
                self.material = material
                self.reloads += 1
            log.info("gRPC TLS certificate reloaded", extra={"cert_file": str(self.tls.cert_file)})
            return _configuration(material)
        except Exception:  # never let a reload problem fail a handshake
            log.exception("gRPC TLS reload check failed; keeping the current certificate")
            return None


def server_credentials(tls: ServerTls, *, reload: bool = True) -> grpc.ServerCredentials:
    """Server credentials for ``tls`` (files checked now); mutual TLS requires and verifies client certs.

    With ``reload`` the files are re-read when they change, for new connections (existing ones keep
    the certificate they were opened with).
    """
    material = load_server_tls(tls)
    if not reload:
        return grpc.ssl_server_credentials(
            [(material.private_key, material.cert_chain)],
            root_certificates=material.client_ca,
            require_client_auth=tls.mutual,
        )
    return grpc.dynamic_ssl_server_credentials(
        _configuration(material),
        CertificateReloader(tls, material),
        require_client_authentication=tls.mutual,
    )


def describe(tls: ServerTls | None) -> str:
    """``plaintext``, ``tls`` or ``mtls`` (for logs)."""
    if tls is None:
        return "plaintext"
    return "mtls" if tls.mutual else "tls"


# --- client credentials -----------------------------------------------------------------------------


def channel_credentials(
    *,
    ca_file: Path | None = None,
    cert_file: Path | None = None,
    key_file: Path | None = None,
    token: str | None = None,
    names: tuple[str, str, str] = ("--tls-ca", "--tls-cert", "--tls-key"),
) -> grpc.ChannelCredentials:
    """Client TLS credentials: trust ``ca_file`` (None = the system roots), present ``cert_file`` /
    ``key_file`` for mutual TLS, send ``token`` as ``authorization: Bearer <token>`` on every call.

    ``names`` are what the errors call the three files (CLI options by default).
    """
    ca_name, cert_name, key_name = names
    if (cert_file is None) != (key_file is None):
        raise GrpcTlsError(f"{cert_name} and {key_name} go together (the client certificate and its key)")
    root = check_ca_bundle(ca_name, ca_file) if ca_file is not None else None
    cert = key = None
    if cert_file is not None and key_file is not None:
        cert = read_certificates(cert_name, cert_file)
        key = read_private_key(key_name, key_file)
        check_key_pair(cert_name, cert_file, key_name, key_file)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=root, private_key=key, certificate_chain=cert
    )
    if token:
        check_token(token)
        credentials = grpc.composite_channel_credentials(
            credentials, grpc.access_token_call_credentials(token)
        )
    return credentials


def check_token(token: str) -> None:
    """A bearer token must be one printable ASCII word (it travels as an HTTP/2 header value)."""
    if not token.isascii() or not token.isprintable() or any(c.isspace() for c in token):
        raise GrpcTlsError("the bearer token must be printable ASCII without spaces (token not shown)")
