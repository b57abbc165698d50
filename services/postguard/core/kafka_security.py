"""Kafka connection security (TLS, SASL) from CommonSettings, for kafka-python clients and faust apps."""

from __future__ import annotations

import ssl
from typing import Any

import faust
from faust.types.auth import CredentialsT

from postguard.core.settings import CommonSettings


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
