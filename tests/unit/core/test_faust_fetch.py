"""Stream services' Kafka client settings reach the clients faust builds (faust fixes a 1.5 s fetch wait)."""

from __future__ import annotations

import asyncio
import inspect

import aiokafka
import pytest
from postguard.core.faust_app import create_faust_app
from postguard.core.faust_fetch import fetch_max_wait_ms, use_fetch_max_wait
from postguard.core.settings import CommonSettings
from postguard.core.stream_settings import StreamServiceSettings

pytestmark = pytest.mark.unit


def _worker_consumer(tmp_path, wait_seconds: float) -> aiokafka.AIOKafkaConsumer:
    settings = StreamServiceSettings(data_dir=tmp_path, fetch_max_wait_seconds=wait_seconds)
    app = create_faust_app("fetch-wait-test", CommonSettings(kafka_bootstrap_servers="127.0.0.1:1"), settings)
    # Building the consumer object opens no connection (that happens in start()); aiokafka wants a loop.

    async def build() -> aiokafka.AIOKafkaConsumer:
        return app.consumer._thread._create_worker_consumer(app.transport)

    return asyncio.run(build())


def test_the_setting_is_the_wait_of_the_consumer_faust_creates(tmp_path) -> None:
    assert _worker_consumer(tmp_path, 0.05)._fetch_max_wait_ms == 50
    assert _worker_consumer(tmp_path, 0.25)._fetch_max_wait_ms == 250
    assert fetch_max_wait_ms() == 250


def test_aiokafka_hands_that_attribute_to_its_fetcher() -> None:
    # The hook sets a private attribute; a faust/aiokafka upgrade that renames it must fail here.
    assert "fetch_max_wait_ms=self._fetch_max_wait_ms" in inspect.getsource(aiokafka.AIOKafkaConsumer.start)


def test_a_wait_that_is_not_positive_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        use_fetch_max_wait(0)


def test_the_producer_linger_setting_reaches_faust(tmp_path) -> None:
    settings = StreamServiceSettings(data_dir=tmp_path, producer_linger_seconds=0.007)
    app = create_faust_app("linger-test", CommonSettings(kafka_bootstrap_servers="127.0.0.1:1"), settings)
    assert app.conf.producer_linger == pytest.approx(0.007)
    assert app.producer.linger_ms == 7
