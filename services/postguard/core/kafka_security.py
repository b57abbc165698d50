"""Kafka connection security (TLS, SASL) from CommonSettings, for kafka-python clients and faust apps."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import faust
from faust.types.auth import CredentialsT
from kafka.errors import KafkaError, KafkaTimeoutError, SaslAuthenticationFailedError

from postguard.core.settings import CommonSettings

T = TypeVar("T")


class KafkaLoginError(KafkaError):
    """The brokers refused the SASL login (wrong user name, password or mechanism); not retriable."""

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


class _AuthFailureSeen(logging.Handler):
    """Notes whether kafka-python logged a refused SASL login (it logs the error, then retries)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.refused: SaslAuthenticationFailedError | None = None

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        for arg in args:
            if isinstance(arg, SaslAuthenticationFailedError):
                self.refused = arg


def connect_kafka(factory: Callable[..., T], options: Mapping[str, Any], **kwargs: Any) -> T:
    """``factory(**kwargs, **options)`` (a kafka-python client) with a refused SASL login made explicit.

    kafka-python treats a refused login at bootstrap like an unreachable broker: it logs the
    ``SaslAuthenticationFailedError`` and retries until its bootstrap timeout (30 s), then raises
    ``KafkaTimeoutError('Unable to bootstrap ...')``. This turns that timeout into :class:`KafkaLoginError`
    naming the user and mechanism (never the password) when a refusal was seen, so services fail at
    start-up with the real reason. A refused SCRAM login is often seen only as a disconnect (kafka-python
    3.0 races the broker's error reply against its close): the timeout then names the login as a suspect.
    """
    seen = _AuthFailureSeen()
    kafka_logger = logging.getLogger("kafka")
    kafka_logger.addHandler(seen)
    try:
        return factory(**kwargs, **options)
    except KafkaTimeoutError as exc:
        user = options.get("sasl_plain_username", "")
        mechanism = options.get("sasl_mechanism", "")
        if seen.refused is None:
            if not str(options.get("security_protocol", "")).startswith("SASL_"):
                raise
            # A refused SCRAM login often reaches kafka-python as a plain disconnect: say that it may be one.
            raise KafkaTimeoutError(
                f"{exc}: broker unreachable or the SASL {mechanism} login of user {user!r} refused "
                "(kafka-python may report a refused SCRAM login as a disconnect; the broker log says which)"
            ) from exc
        raise KafkaLoginError(
            f"Kafka refused the SASL {mechanism} login of user {user!r} "
            f"({seen.refused}); check POSTGUARD_KAFKA_SASL_USERNAME / POSTGUARD_KAFKA_SASL_PASSWORD / "
            "POSTGUARD_KAFKA_SASL_MECHANISM"
        ) from exc
    finally:
        kafka_logger.removeHandler(seen)
