"""Validation of attachment image bytes: size per post, supported formats, declared vs actual type."""

from __future__ import annotations

import os

import pytest
from image_support import (
    bomb_png,
    chart_image,
    dicom_bytes,
    heic_bytes,
    jpeg_bytes,
    png_bytes,
    tiff_bytes,
    webp_bytes,
)
from postguard.domain.images.decode import inspect_image
from postguard.domain.types import Attachment, Post
from postguard.domain.validation import (
    MAX_ATTACHMENT_BYTES,
    ImageValidationError,
    PostValidationError,
    post_from_mapping,
    validate_post,
)

pytestmark = pytest.mark.unit

SECRET = "Jane Doe MRN 1234567"


def _post(*attachments: Attachment) -> Post:
    return Post(post_id="p-1", institution_id="demo", platform="x", text="Our ward", attachments=attachments)


def _png() -> bytes:
    return png_bytes(chart_image())


def _image(media_type: str, content: bytes, attachment_id: str = "img-1") -> Attachment:
    return Attachment(attachment_id=attachment_id, media_type=media_type, content=content)


@pytest.mark.parametrize(
    ("build", "media_type"),
    [
        (lambda: jpeg_bytes(chart_image()), "image/jpeg"),
        (_png, "image/png"),
        (lambda: webp_bytes(chart_image()), "image/webp"),
        (lambda: tiff_bytes([chart_image()]), "image/tiff"),
        (lambda: heic_bytes(chart_image()), "image/heic"),
        (lambda: dicom_bytes("Doe^Jane", "MRN1234567", ["Doe Jane"]), "application/dicom"),
    ],
    ids=["jpeg", "png", "webp", "tiff", "heic", "dicom"],
)
def test_each_supported_format_is_accepted_and_sniffed(build, media_type: str) -> None:
    content = build()
    assert inspect_image(content).media_type == media_type
    post = _post(_image(media_type, content))
    assert validate_post(post) is post


def test_declared_aliases_and_an_undeclared_type_are_accepted() -> None:
    jpeg = jpeg_bytes(chart_image())
    validate_post(_post(_image("image/jpg", jpeg)))
    validate_post(_post(_image("IMAGE/JPEG", jpeg)))
    validate_post(_post(_image("", jpeg)))


def test_a_post_over_the_byte_limit_is_refused_naming_sizes() -> None:
    half = MAX_ATTACHMENT_BYTES // 2
    big = _png() + os.urandom(half)  # a PNG header, then noise: the limit is checked first
    post = _post(_image("image/png", big, "a"), _image("image/png", big, "b"))
    with pytest.raises(ImageValidationError) as refused:
        validate_post(post)
    total = 2 * len(big)
    assert refused.value.field == "attachments"
    assert str(refused.value) == (
        f"attachments: carry {total} bytes of image content; the limit is {MAX_ATTACHMENT_BYTES} bytes "
        "(12 MiB) per post"
    )


def test_exactly_at_the_limit_is_not_refused_for_size() -> None:
    content = _png()
    content += b"\x00" * (MAX_ATTACHMENT_BYTES - len(content))
    validate_post(_post(_image("image/png", content)))


def test_bytes_that_are_no_supported_image_are_refused() -> None:
    gif = b"GIF89a" + bytes(64)
    with pytest.raises(ImageValidationError) as refused:
        validate_post(_post(_image("image/gif", gif)))
    assert refused.value.field == "attachments[0].content"
    assert str(refused.value) == "attachments[0].content: not a supported image: media type image/gif"
    text_bytes = SECRET.encode()
    with pytest.raises(ImageValidationError) as refused:
        validate_post(_post(_image("image/png", text_bytes)))
    assert SECRET not in str(refused.value)


def test_a_declared_type_the_bytes_are_not_is_refused() -> None:
    dicom = dicom_bytes("Doe^Jane", "MRN1234567", ["Doe Jane"])
    post = _post(_image("image/jpeg", _png()), _image("image/png", dicom, "scan"))
    with pytest.raises(ImageValidationError) as refused:
        validate_post(post)
    assert refused.value.field == "attachments[0].media_type"
    assert "declares image/jpeg but the content is image/png" in str(refused.value)
    with pytest.raises(ImageValidationError) as refused:
        validate_post(_post(_image("image/png", dicom, "scan")))
    assert "declares image/png but the content is application/dicom" in str(refused.value)
    assert "Doe" not in str(refused.value) and "MRN" not in str(refused.value)


def test_attachments_with_content_need_distinct_ids() -> None:
    png = _png()
    with pytest.raises(ImageValidationError) as refused:
        validate_post(_post(_image("image/png", png, "same"), _image("image/png", png, "same")))
    assert refused.value.field == "attachments[1].attachment_id"
    # Without content the ids are not used for redacted copies: left as before.
    validate_post(_post(Attachment(attachment_id="same"), Attachment(attachment_id="same")))
    # Attachments without an id are named by position.
    validate_post(_post(_image("image/png", png, ""), _image("image/png", png, "")))


def test_a_header_over_the_pixel_limit_is_refused_before_decoding() -> None:
    with pytest.raises(ImageValidationError) as refused:
        validate_post(_post(_image("image/png", bomb_png(30_000, 30_000))))
    assert refused.value.field == "attachments[0].content"
    assert "900000000 pixels (30000x30000)" in str(refused.value)


def test_truncated_headers_are_refused() -> None:
    with pytest.raises(ImageValidationError) as refused:
        validate_post(_post(_image("image/jpeg", b"\xff\xd8\xff\xe0" + bytes(8))))
    assert "JPEG" in str(refused.value)


def test_image_refusals_are_post_validation_errors() -> None:
    assert issubclass(ImageValidationError, PostValidationError)


def test_the_mapping_path_checks_the_bytes_too() -> None:
    raw = {
        "post_id": "p-1",
        "institution_id": "demo",
        "platform": "x",
        "text": "Our ward",
        "attachments": [{"attachment_id": "a", "media_type": "image/png", "content": b"not an image"}],
    }
    with pytest.raises(ImageValidationError):
        post_from_mapping(raw)
