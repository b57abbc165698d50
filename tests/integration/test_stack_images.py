"""Posts with images through the real broker and the five services: a ~10 MB image travels whole and is
screened and decided; oversize posts are refused naming sizes; without image-screening a post with
images is held; the distributed decision equals the embedded pipeline's for the same images."""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Iterator

import grpc
import numpy as np
import pytest
from image_support import (
    chart_png,
    face_jpeg,
    photo_jpeg_with_gps,
    png_bytes,
    radiograph_png,
    text_image,
)
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient
from PIL import Image
from postguard.core import codec, topics
from postguard.core.kafka_admin import posts_record_limit
from postguard.core.settings import DEFAULT_MAX_MESSAGE_BYTES
from postguard.devtools.stack import LocalStack
from postguard.domain.validation import MAX_ATTACHMENT_BYTES
from postguard.v1 import decision_pb2, post_pb2, screening_pb2, screening_pb2_grpc
from stack_support import CLEAN_TEXT, INSTITUTION, make_post, metric_sum, new_id, scrape

pytestmark = pytest.mark.integration

IMAGE_STAGE = "image-screening"
BIG = 64 << 20
"""Client-side gRPC bounds for these tests (the server's are what is under test)."""
FINAL_TIMEOUT = 240.0


@pytest.fixture(scope="module")
def big_channel(stack: LocalStack) -> Iterator[grpc.Channel]:
    options = [("grpc.max_send_message_length", BIG), ("grpc.max_receive_message_length", BIG)]
    with grpc.insecure_channel(stack.grpc_target("ingest"), options=options) as chan:
        yield chan


@pytest.fixture
def api(big_channel: grpc.Channel) -> screening_pb2_grpc.ScreeningStub:
    return screening_pb2_grpc.ScreeningStub(big_channel)


def noise_png(size: tuple[int, int], lines: list[str] | None = None, seed: int = 5) -> bytes:
    """Random RGB noise (so PNG cannot compress it: ~3 bytes a pixel), with black-on-white text pasted in."""
    width, height = size
    pixels = np.random.default_rng(seed).integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    image = Image.fromarray(pixels, "RGB")
    if lines:
        image.paste(text_image(lines), (120, 160))
    return png_bytes(image)


def image_post(content: bytes, media_type: str, *, text: str = CLEAN_TEXT, attachment_id: str = "img-1"):
    post = make_post(text, post_id=new_id("it-img"))
    post.attachments.add(attachment_id=attachment_id, media_type=media_type, content=content)
    return post


def final_decision(
    api: screening_pb2_grpc.ScreeningStub, post: post_pb2.Post, timeout: float = FINAL_TIMEOUT
) -> decision_pb2.Decision:
    """The newest decision once it is final (provisional ones come first when OCR outlasts the deadline)."""
    request = screening_pb2.GetDecisionRequest(post_id=post.post_id, institution_id=post.institution_id)
    deadline = time.monotonic() + timeout
    while True:
        try:
            decision = api.GetDecision(request, timeout=10)
            if not decision.provisional:
                return decision
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"{post.post_id}: no final decision within {timeout:.0f}s")
        time.sleep(0.5)


def posted_content(bootstrap: str, post_id: str, timeout: float = 60.0) -> list[bytes]:
    """The attachment bytes of ``post_id``'s record on the posts topic, read back from the broker."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        max_partition_fetch_bytes=40 << 20,
        fetch_max_bytes=80 << 20,
    )
    try:
        parts = [TopicPartition(topics.POSTS, p) for p in consumer.partitions_for_topic(topics.POSTS)]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=1000).values():
                for record in records:
                    if record.key == post_id.encode():
                        return [a.content for a in codec.decode_post_proto(record.value).attachments]
        raise AssertionError(f"{post_id} not found on {topics.POSTS}")
    finally:
        consumer.close()


def test_a_ten_megabyte_image_travels_whole_and_is_screened(
    api: screening_pb2_grpc.ScreeningStub, stack: LocalStack, kafka_broker
) -> None:
    content = noise_png((1920, 1800), ["Patient: John Smith", "DOB 03/04/1951"])
    assert len(content) > 9_500_000  # noise does not compress: the bytes really are ~10 MB
    before = metric_sum(scrape(stack.metrics_url(IMAGE_STAGE)), "postguard_images_screened_total")
    post = image_post(content, "image/png")
    reply = api.Submit(post, timeout=60)
    assert reply.post_id == post.post_id and not reply.duplicate
    decision = final_decision(api, post)
    assert list(decision.incomplete_stages) == []
    assert decision.verdict in (decision_pb2.REVIEW, decision_pb2.BLOCK)
    from_image = [f for f in decision.findings if f.attachment_id == "img-1"]
    assert any(f.field == "ocr" and f.label == "PERSON" for f in from_image), [
        (f.label, f.field) for f in decision.findings
    ]
    assert all(f.attributes["box"] for f in from_image if f.field == "ocr")
    # The image on the topic is the image that was sent, byte for byte.
    [on_topic] = posted_content(kafka_broker.bootstrap_servers, post.post_id)
    assert hashlib.sha256(on_topic).hexdigest() == hashlib.sha256(content).hexdigest()
    after = metric_sum(scrape(stack.metrics_url(IMAGE_STAGE)), "postguard_images_screened_total")
    assert after >= before + 1


def test_the_redacted_copy_is_stored_and_referenced(
    api: screening_pb2_grpc.ScreeningStub, stack: LocalStack
) -> None:
    post = image_post(radiograph_png(["John Smith", "03/04/2023"]), "image/png")
    api.Submit(post, timeout=60)
    decision = final_decision(api, post)
    assert not decision.incomplete_stages
    references = dict(decision.redacted_attachments)
    assert set(references) == {"img-1"}
    reference = references["img-1"]
    assert reference.startswith("sha256:")
    digest, _, ext = reference.removeprefix("sha256:").partition(".")
    stored = (stack.redacted_dir / f"{digest}.{ext}").read_bytes()
    assert hashlib.sha256(stored).hexdigest() == digest
    with Image.open(io.BytesIO(stored)) as copy:
        assert copy.size == (640, 640)
        assert not copy.info.get("exif") and not copy.getexif()


def test_the_posts_topic_takes_records_up_to_the_message_limit(stack: LocalStack, kafka_broker) -> None:
    admin = KafkaAdminClient(bootstrap_servers=kafka_broker.bootstrap_servers)
    try:
        described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topics.POSTS)])
    finally:
        admin.close()
    value = described["topic"][topics.POSTS]["max.message.bytes"]["value"]
    assert int(value) == posts_record_limit(DEFAULT_MAX_MESSAGE_BYTES) == (16 << 20) + (64 << 10)
    assert kafka_broker.record_limit >= 2 * DEFAULT_MAX_MESSAGE_BYTES


def test_a_post_over_the_image_byte_limit_is_refused_naming_sizes(
    api: screening_pb2_grpc.ScreeningStub,
) -> None:
    content = noise_png((2200, 2100))
    assert MAX_ATTACHMENT_BYTES < len(content) < 16 << 20
    with pytest.raises(grpc.RpcError) as refused:
        api.Submit(image_post(content, "image/png"), timeout=60)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert refused.value.details() == (
        f"attachments: carry {len(content)} bytes of image content; the limit is {MAX_ATTACHMENT_BYTES} "
        "bytes (12 MiB) per post"
    )


def test_a_request_over_the_message_limit_is_refused_naming_sizes(
    api: screening_pb2_grpc.ScreeningStub,
) -> None:
    content = noise_png((2400, 2400))
    post = image_post(content, "image/png")
    size = len(post.SerializeToString())
    assert size > 16 << 20
    with pytest.raises(grpc.RpcError) as refused:
        api.Submit(post, timeout=60)
    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert refused.value.details() == f"the request is {size} bytes; the limit is {16 << 20}"


def test_a_declared_type_the_bytes_are_not_is_refused(api: screening_pb2_grpc.ScreeningStub) -> None:
    with pytest.raises(grpc.RpcError) as refused:
        api.Submit(image_post(chart_png(), "image/jpeg"), timeout=60)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert (
        "attachments[0].media_type: declares image/jpeg but the content is image/png"
        in refused.value.details()
    )


def test_without_image_screening_a_post_with_images_is_held(
    api: screening_pb2_grpc.ScreeningStub, stack: LocalStack
) -> None:
    stack.stop_service(IMAGE_STAGE)
    try:
        post = image_post(chart_png(), "image/png")
        text_only = make_post(CLEAN_TEXT, post_id=new_id("it-img-text"))
        held = api.Screen(screening_pb2.ScreenRequest(post=post, timeout_seconds=30), timeout=40)
        assert held.verdict == decision_pb2.REVIEW
        assert list(held.incomplete_stages) == [IMAGE_STAGE]
        assert held.provisional and "screening incomplete" in held.reasons
        assert not held.redacted_attachments and not held.redacted_text
        # A text-only post does not wait for image-screening.
        clean = api.Screen(screening_pb2.ScreenRequest(post=text_only, timeout_seconds=30), timeout=40)
        assert clean.verdict == decision_pb2.ALLOW and not clean.incomplete_stages
    finally:
        stack.start_service(IMAGE_STAGE)
        stack.wait_healthy([IMAGE_STAGE], timeout=240)
    # Back up, image-screening reads the post it missed and the decision is completed.
    final = final_decision(api, post)
    assert final.version >= 2 and not final.incomplete_stages


SAMPLES = {
    "radiograph": (lambda: radiograph_png(["John Smith", "03/04/2023"]), "image/png"),
    "face": (face_jpeg, "image/jpeg"),
    "chart": (chart_png, "image/png"),
    "gps-photo": (lambda: photo_jpeg_with_gps(51.5007, -0.1246), "image/jpeg"),
}


@pytest.fixture(scope="module")
def embedded():
    from postguard.domain.pipeline import ScreeningPipeline

    return ScreeningPipeline.default()


def _summary(decision) -> tuple:
    labels = sorted((f.label, f.attachment_id, f.field) for f in decision.findings)
    return decision.verdict, labels, sorted(decision.redacted_attachments)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_embedded_and_distributed_decisions_are_the_same(
    name: str, api: screening_pb2_grpc.ScreeningStub, embedded
) -> None:
    build, media_type = SAMPLES[name]
    post = image_post(build(), media_type, text="Proud of the team on the ward today.")
    api.Submit(post, timeout=60)
    distributed = codec.decision_from_proto(final_decision(api, post))
    local = embedded.screen(codec.post_from_proto(post))
    assert not distributed.incomplete_stages and not local.incomplete_stages
    assert _summary(distributed) == _summary(local)
    assert distributed.institution_id == INSTITUTION
