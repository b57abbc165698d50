"""Kafka connection security (TLS, SASL) from CommonSettings for kafka-python and faust; explicit refusals."""

from __future__ import annotations

import logging
import socket
import ssl
import struct
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import faust
from faust.types.auth import CredentialsT
from kafka.errors import (
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    SaslAuthenticationFailedError,
)

try:  # kafka-python >= 3.0
    from kafka.net.sasl import get_sasl_mechanism
except ImportError:  # pragma: no cover - kafka-python 2.x
    from kafka.sasl import get_sasl_mechanism  # type: ignore[no-redef]

from postguard.core.settings import CommonSettings

T = TypeVar("T")


log = logging.getLogger(__name__)


class KafkaLoginError(KafkaError):
    """The brokers refused the SASL login (wrong user name, password or mechanism); not retriable."""

    retriable = False


class KafkaTlsError(KafkaError):
    """TLS with the brokers failed: their certificate is not trusted (CA, host name) or they refused
    ours (mutual TLS), or the port does not speak TLS; not retriable."""

    retriable = False


def ssl_context(common: CommonSettings) -> ssl.SSLContext:
    """A client TLS context that verifies the brokers (custom CA if given) and presents a client cert."""
    cafile = str(common.kafka_ssl_cafile) if common.kafka_ssl_cafile else None
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
    if common.kafka_ssl_certfile and common.kafka_ssl_keyfile:
        context.load_cert_chain(str(common.kafka_ssl_certfile), str(common.kafka_ssl_keyfile))
    return context


def kafka_python_options(common: CommonSettings) -> dict[str, Any]:
    """Keyword arguments for kafka-python's KafkaProducer / KafkaConsumer / KafkaAdminClient."""
    protocol = common.kafka_security_protocol
    options: dict[str, Any] = {"security_protocol": protocol}
    if common.kafka_uses_tls:
        options["ssl_context"] = ssl_context(common)
    if protocol.startswith("SASL_"):
        options.update(
            sasl_mechanism=common.kafka_sasl_mechanism,
            sasl_plain_username=common.kafka_sasl_username,
            sasl_plain_password=common.kafka_sasl_password.get_secret_value(),
        )
    return options


def faust_credentials(common: CommonSettings) -> CredentialsT | None:
    """faust's ``broker_credentials`` for the configured protocol (None for PLAINTEXT)."""
    protocol = common.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return None
    if protocol == "SSL":
        return faust.SSLCredentials(ssl_context(common))
    credentials = faust.SASLCredentials(
        username=common.kafka_sasl_username,
        password=common.kafka_sasl_password.get_secret_value(),
        mechanism=common.kafka_sasl_mechanism,
        ssl_context=ssl_context(common) if protocol == "SASL_SSL" else None,
    )
    return credentials


# --- preflight: one blocking TLS + SASL exchange with definite answers ----------------------------

_PREFLIGHT_TIMEOUT = 10.0
"""Seconds per bootstrap server for connect, handshake and each reply; past it the check is inconclusive."""

_METADATA, _API_VERSIONS, _SASL_HANDSHAKE, _SASL_AUTHENTICATE = 3, 18, 17, 36
_SASL_ERRORS = {
    33: "UNSUPPORTED_SASL_MECHANISM",
    34: "ILLEGAL_SASL_STATE (is this a SASL listener?)",
    58: "SASL_AUTHENTICATION_FAILED",
}


class _InconclusiveError(Exception):
    """The broker could not be reached or did not answer in time: leave it to the client's retries."""


def _servers(bootstrap_servers: str | list[str] | tuple[str, ...]) -> list[tuple[str, int]]:
    """``host:port`` entries (``[v6]:port`` too; port 9092 when missing) as (host, port) pairs."""
    entries = bootstrap_servers.split(",") if isinstance(bootstrap_servers, str) else list(bootstrap_servers)
    out = []
    for entry in (e.strip() for e in entries if e.strip()):
        if entry.startswith("["):
            host, _, rest = entry[1:].partition("]")
            port = rest.removeprefix(":")
        elif entry.count(":") == 1:
            host, port = entry.split(":")
        else:
            host, port = entry, ""
        out.append((host, int(port) if port.isdigit() else 9092))
    return out


def _probe_context(options: Mapping[str, Any]) -> ssl.SSLContext:
    """The context kafka-python will use: ``ssl_context``, else one built from its ``ssl_*`` options."""
    context = options.get("ssl_context")
    if context is not None:
        return context
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = bool(options.get("ssl_check_hostname", True))
    if options.get("ssl_cafile"):
        context.load_verify_locations(options["ssl_cafile"])
    else:
        context.load_default_certs()
    if options.get("ssl_certfile"):
        context.load_cert_chain(
            options["ssl_certfile"], options.get("ssl_keyfile"), options.get("ssl_password")
        )
    return context


class _Wire:
    """Kafka requests on a blocking socket (non-flexible versions: header v1, response header v0)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.correlation_id = 0

    def call(self, api_key: int, api_version: int, body: bytes) -> bytes:
        self.correlation_id += 1
        client_id = b"postguard-preflight"
        header = struct.pack(">hhih", api_key, api_version, self.correlation_id, len(client_id)) + client_id
        self.sock.sendall(struct.pack(">i", len(header) + len(body)) + header + body)
        (size,) = struct.unpack(">i", self._read(4))
        payload = self._read(size)
        (correlation_id,) = struct.unpack(">i", payload[:4])
        if correlation_id != self.correlation_id:
            raise _InconclusiveError(f"reply {correlation_id} to request {self.correlation_id}")
        return payload[4:]

    def _read(self, n: int) -> bytes:
        chunks, got = [], 0
        while got < n:
            chunk = self.sock.recv(n - got)
            if not chunk:
                raise ConnectionError("the broker closed the connection")
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)


def _string(value: str) -> bytes:
    data = value.encode()
    return struct.pack(">h", len(data)) + data


def _login(wire: _Wire, host: str, options: Mapping[str, Any], where: str) -> None:
    """SaslHandshake v1 + SaslAuthenticate v1 with kafka-python's own mechanism (PLAIN, SCRAM-*)."""
    mechanism = str(options.get("sasl_mechanism") or "PLAIN")
    user = str(options.get("sasl_plain_username") or "")
    who = f"SASL {mechanism} login of user {user!r}"
    reply = wire.call(_SASL_HANDSHAKE, 1, _string(mechanism))
    (error,) = struct.unpack(">h", reply[:2])
    if error:
        raise KafkaLoginError(
            f"Kafka at {where} refused the {who} ({_SASL_ERRORS.get(error, f'error {error}')}); "
            "check POSTGUARD_KAFKA_SASL_MECHANISM and POSTGUARD_KAFKA_SECURITY_PROTOCOL"
        )
    client = get_sasl_mechanism(mechanism)(host=host, **dict(options))
    while not client.is_done():
        token = client.auth_bytes()
        reply = wire.call(_SASL_AUTHENTICATE, 1, struct.pack(">i", len(token)) + token)
        error, message_len = struct.unpack(">hh", reply[:4])
        message = reply[4 : 4 + message_len].decode(errors="replace") if message_len > 0 else ""
        if error:
            raise KafkaLoginError(
                f"Kafka at {where} refused the {who} "
                f"({_SASL_ERRORS.get(error, f'error {error}')}: {message or 'no message'}); check "
                "POSTGUARD_KAFKA_SASL_USERNAME / POSTGUARD_KAFKA_SASL_PASSWORD / "
                "POSTGUARD_KAFKA_SASL_MECHANISM"
            )
        rest = reply[4 + max(message_len, 0) :]
        (token_len,) = struct.unpack(">i", rest[:4])
        try:
            client.receive(rest[4 : 4 + max(token_len, 0)])
        except Exception as exc:  # e.g. a SCRAM server signature that does not verify
            raise KafkaLoginError(f"the {who} at {where} failed: {exc}") from exc
    if not client.is_authenticated():
        raise KafkaLoginError(f"Kafka at {where} did not accept the {who}")


def _expect_no_login(wire: _Wire, where: str) -> None:
    """Metadata v1 for no topic: answered by a TLS-only listener, closed by one that wants SASL first.

    A SASL listener answers ApiVersions before the login but drops any other request; kafka-python
    would only see disconnects until its bootstrap timeout.
    """
    try:
        wire.call(_METADATA, 1, struct.pack(">i", 0))  # v1: an empty list means no topics (v0: all)
    except (ConnectionError, ssl.SSLEOFError, ssl.SSLZeroReturnError) as exc:
        raise KafkaLoginError(
            f"Kafka at {where} answered ApiVersions but closed the connection at the first other request "
            f"({exc}): the listener wants a SASL login; set POSTGUARD_KAFKA_SECURITY_PROTOCOL=SASL_SSL and "
            "POSTGUARD_KAFKA_SASL_* for it"
        ) from exc


def _tls_error(where: str, exc: ssl.SSLError, handshake_done: bool) -> KafkaTlsError:
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = f"certificate verify failed: {exc.verify_message}" if exc.verify_message else str(exc)
        hint = (
            "the certificate is not for this host name / IP: connect with a name it lists"
            if "mismatch" in reason.lower()
            else "its CA is not trusted: set POSTGUARD_KAFKA_SSL_CAFILE to the CA that signs the brokers"
        )
        return KafkaTlsError(f"TLS to Kafka at {where}: broker certificate refused ({reason}); {hint}")
    if isinstance(exc, (ssl.SSLEOFError, ssl.SSLZeroReturnError)) and not handshake_done:
        return KafkaTlsError(
            f"TLS to Kafka at {where}: the broker closed the connection during the handshake ({exc}); "
            "is this a TLS (SSL / SASL_SSL) listener? check POSTGUARD_KAFKA_SECURITY_PROTOCOL"
        )
    text = str(exc)
    if "certificate" in text.lower():
        return KafkaTlsError(
            f"TLS to Kafka at {where}: the broker refused the client certificate ({text}); it needs one "
            "signed by a CA it trusts: POSTGUARD_KAFKA_SSL_CERTFILE / POSTGUARD_KAFKA_SSL_KEYFILE"
        )
    return KafkaTlsError(f"TLS to Kafka at {where} failed: {text}")


def _preflight_one(host: str, port: int, options: Mapping[str, Any], timeout: float) -> None:
    protocol = str(options.get("security_protocol", "PLAINTEXT"))
    where = f"{host}:{port}"
    try:
        raw = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        raise _InconclusiveError(f"{where}: {exc}") from exc
    handshake_done = False
    try:
        sock: socket.socket = raw
        if protocol in ("SSL", "SASL_SSL"):
            sock = _probe_context(options).wrap_socket(raw, server_hostname=host)
            handshake_done = True
        wire = _Wire(sock)
        if protocol.startswith("SASL_"):
            _login(wire, host, options, where)
        else:
            wire.call(_API_VERSIONS, 0, b"")  # TLS 1.3: a refused client certificate shows up on this read
            _expect_no_login(wire, where)
    except (ssl.SSLEOFError, ssl.SSLZeroReturnError) as exc:
        if handshake_done:  # closed after a good handshake (TLS 1.3 refusals come as alerts, not EOF)
            raise _InconclusiveError(f"{where}: {exc}") from exc
        raise _tls_error(where, exc, handshake_done) from exc
    except ssl.SSLError as exc:
        raise _tls_error(where, exc, handshake_done) from exc
    except (OSError, struct.error) as exc:  # reset, closed, timed out, short reply: not a definite answer
        raise _InconclusiveError(f"{where}: {type(exc).__name__}: {exc}") from exc
    finally:
        raw.close()


def preflight(
    bootstrap_servers: str | list[str] | tuple[str, ...],
    options: Mapping[str, Any],
    *,
    timeout: float = _PREFLIGHT_TIMEOUT,
) -> bool:
    """Check TLS and the SASL login of ``options`` against the bootstrap servers, with blocking reads.

    Raises :class:`KafkaTlsError` or :class:`KafkaLoginError` when a broker answers with a definite refusal
    (untrusted certificate, refused client certificate, wrong password or mechanism). True when a broker let
    this client in; False when none could be reached or answered in time (the client's own retries then
    decide). PLAINTEXT needs no check (True). kafka-python itself cannot tell these cases apart: it retries
    a refused login until its bootstrap timeout and, when the broker's error reply arrives together with
    its close (kafka-python 3.0 drops bytes read with the EOF), sees only a disconnect.
    """
    if str(options.get("security_protocol", "PLAINTEXT")) == "PLAINTEXT":
        return True
    for host, port in _servers(bootstrap_servers):
        try:
            _preflight_one(host, port, options, timeout)
            return True
        except _InconclusiveError as exc:
            log.debug("kafka preflight inconclusive: %s", exc)
    return False


# --- kafka-python clients with the real reason of a refusal -----------------------------------


class _AuthFailureSeen(logging.Handler):
    """Notes a refused SASL login or a failed TLS handshake that kafka-python logged (then it retries)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.refused: SaslAuthenticationFailedError | None = None
        self.tls_failure: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        for arg in args:
            if isinstance(arg, SaslAuthenticationFailedError):
                self.refused = arg
            elif isinstance(arg, KafkaConnectionError) and "Handshake failed" in str(arg):
                self.tls_failure = str(arg)


def connect_kafka(factory: Callable[..., T], options: Mapping[str, Any], **kwargs: Any) -> T:
    """``factory(**kwargs, **options)`` (a kafka-python client), a refused TLS or SASL login made explicit.

    Before the client starts, :func:`preflight` does one TLS + SASL exchange with blocking reads, so an
    untrusted broker certificate, a refused client certificate or a wrong password raise
    :class:`KafkaTlsError` / :class:`KafkaLoginError` at once, naming the user and mechanism (never the
    password), instead of kafka-python retrying until its bootstrap timeout (30 s) and then raising
    ``KafkaTimeoutError('Unable to bootstrap ...')``. When no broker answered the preflight (not up yet), the
    client's own bootstrap decides; a refusal it logged meanwhile still becomes the explicit error.
    """
    bootstrap = kwargs.get("bootstrap_servers", options.get("bootstrap_servers", "localhost:9092"))
    budget = kwargs.get("bootstrap_timeout_ms", options.get("bootstrap_timeout_ms"))
    timeout = _PREFLIGHT_TIMEOUT if budget is None else max(1.0, min(_PREFLIGHT_TIMEOUT, budget / 1000))
    preflight(bootstrap, options, timeout=timeout)
    seen = _AuthFailureSeen()
    kafka_logger = logging.getLogger("kafka")
    kafka_logger.addHandler(seen)
    try:
        return factory(**kwargs, **options)
    except KafkaTimeoutError as exc:
        user = options.get("sasl_plain_username", "")
        mechanism = options.get("sasl_mechanism", "")
        protocol = str(options.get("security_protocol", ""))
        if seen.refused is not None:
            raise KafkaLoginError(
                f"Kafka refused the SASL {mechanism} login of user {user!r} "
                f"({seen.refused}); check POSTGUARD_KAFKA_SASL_USERNAME / POSTGUARD_KAFKA_SASL_PASSWORD / "
                "POSTGUARD_KAFKA_SASL_MECHANISM"
            ) from exc
        if seen.tls_failure is not None:
            raise KafkaTlsError(
                f"{exc}: TLS with the brokers failed ({seen.tls_failure}); check POSTGUARD_KAFKA_SSL_CAFILE "
                "(and POSTGUARD_KAFKA_SSL_CERTFILE / _KEYFILE where the brokers require client certificates)"
            ) from exc
        if not protocol.startswith("SASL_"):
            raise
        # A refused login often reaches kafka-python as a plain disconnect: say that it may be one.
        raise KafkaTimeoutError(
            f"{exc}: broker unreachable or the SASL {mechanism} login of user {user!r} refused "
            "(kafka-python may report a refused login as a disconnect; the broker log says which)"
        ) from exc
    finally:
        kafka_logger.removeHandler(seen)
