"""Kafka security settings: validation at start-up and the options handed to kafka-python and faust."""

from __future__ import annotations

import ssl

import pytest
from postguard.core.kafka_security import faust_credentials, kafka_python_options
from postguard.core.settings import CommonSettings
from pydantic import ValidationError

pytestmark = pytest.mark.unit


def settings(**values: str) -> CommonSettings:
    return CommonSettings(_env_file=None, **values)


def test_plaintext_is_the_default_and_adds_no_tls_or_sasl() -> None:
    common = settings()
    assert kafka_python_options(common) == {"security_protocol": "PLAINTEXT"}
    assert faust_credentials(common) is None


def test_sasl_without_credentials_is_refused_with_the_variable_names() -> None:
    with pytest.raises(ValidationError, match="POSTGUARD_KAFKA_SASL_USERNAME"):
        settings(kafka_security_protocol="SASL_SSL")


def test_client_certificate_needs_its_key() -> None:
    with pytest.raises(ValidationError, match="go together"):
        settings(kafka_security_protocol="SSL", kafka_ssl_certfile="/etc/tls.crt")


def test_unknown_protocol_is_refused() -> None:
    with pytest.raises(ValidationError):
        settings(kafka_security_protocol="SASL_TLS")


def test_sasl_ssl_gives_kafka_python_a_verifying_context_and_scram_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POSTGUARD_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("POSTGUARD_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("POSTGUARD_KAFKA_SASL_USERNAME", "postguard")
    monkeypatch.setenv("POSTGUARD_KAFKA_SASL_PASSWORD", "s3cret")
    common = CommonSettings()
    options = kafka_python_options(common)
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "postguard"
    assert options["sasl_plain_password"] == "s3cret"
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert "s3cret" not in repr(common)  # the password is a SecretStr: never printed with the settings


def test_faust_gets_matching_credentials() -> None:
    sasl = faust_credentials(
        settings(kafka_security_protocol="SASL_PLAINTEXT", kafka_sasl_username="u", kafka_sasl_password="p")
    )
    assert str(sasl.protocol.value) == "SASL_PLAINTEXT"
    assert sasl.mechanism.value == "PLAIN" and sasl.username == "u"
    sasl_ssl = faust_credentials(
        settings(
            kafka_security_protocol="SASL_SSL",
            kafka_sasl_mechanism="SCRAM-SHA-256",
            kafka_sasl_username="u",
            kafka_sasl_password="p",
        )
    )
    assert sasl_ssl.protocol.value == "SASL_SSL" and sasl_ssl.mechanism.value == "SCRAM-SHA-256"
    tls = faust_credentials(settings(kafka_security_protocol="SSL"))
    assert tls.protocol.value == "SSL"


def test_missing_ca_file_fails_at_start_up_not_on_first_message(tmp_path) -> None:
    common = settings(kafka_security_protocol="SSL", kafka_ssl_cafile=str(tmp_path / "absent-ca.pem"))
    with pytest.raises(FileNotFoundError):
        kafka_python_options(common)
