"""redact_image and encode_without_metadata: filled boxes, and re-encoded pixels carrying no metadata."""

from __future__ import annotations

import io
import struct

import pytest
from image_support import gps_exif, jpeg_bytes, landscape_image, png_with_text, radiograph_image
from PIL import Image, ImageCms
from postguard.domain.images.geometry import (
    box_attr,
    clip,
    contains,
    overlap,
    pad,
    parse_box_attr,
    scale,
    share,
    union,
)
from postguard.domain.images.redact import encode_without_metadata, redact_image

pytestmark = pytest.mark.unit

GREY = (128, 128, 128)


def test_a_box_is_filled_solid_with_its_padding_and_nothing_else() -> None:
    image = Image.new("RGB", (100, 80), GREY)
    out = redact_image(image, [(20, 10, 30, 20)], pad=3)
    assert out.getpixel((17, 7)) == (0, 0, 0) and out.getpixel((52, 32)) == (0, 0, 0)
    assert out.getpixel((16, 7)) == GREY and out.getpixel((53, 32)) == GREY
    assert out.getpixel((35, 20)) == (0, 0, 0)
    assert image.getpixel((35, 20)) == GREY  # the original is left as it was


def test_boxes_at_and_beyond_the_edges_are_clipped() -> None:
    image = Image.new("RGB", (50, 40), GREY)
    out = redact_image(image, [(-10, -10, 15, 15), (45, 35, 30, 30), (200, 200, 5, 5)], pad=2)
    assert out.size == (50, 40)
    assert out.getpixel((0, 0)) == (0, 0, 0) and out.getpixel((6, 6)) == (0, 0, 0)
    assert out.getpixel((8, 8)) == GREY
    assert out.getpixel((49, 39)) == (0, 0, 0) and out.getpixel((42, 32)) == GREY


def test_other_modes_come_out_as_rgb_with_the_box_filled() -> None:
    image = Image.new("RGBA", (40, 40), (*GREY, 255))
    out = redact_image(image, [(5, 5, 10, 10)], pad=0)
    assert out.mode == "RGB" and out.getpixel((10, 10)) == (0, 0, 0)
    grey = redact_image(Image.new("L", (40, 40), 200), [(5, 5, 10, 10)], pad=0)
    assert grey.mode == "L" and grey.getpixel((10, 10)) == 0 and grey.getpixel((30, 30)) == 200


def jpeg_segments(data: bytes) -> list[int]:
    """The marker bytes of a JPEG's segments before the scan (0xE1 = APP1/EXIF/XMP, 0xE2 = ICC...)."""
    markers, at = [], 2
    while at < len(data) and data[at] == 0xFF and data[at + 1] != 0xDA:
        markers.append(data[at + 1])
        at += 2 + struct.unpack(">H", data[at + 2 : at + 4])[0]
    return markers


def png_chunks(data: bytes) -> list[bytes]:
    kinds, at = [], 8
    while at < len(data):
        length = struct.unpack(">I", data[at : at + 4])[0]
        kinds.append(data[at + 4 : at + 8])
        at += 12 + length
    return kinds


def test_a_jpeg_with_gps_exif_comes_out_with_no_exif() -> None:
    source = jpeg_bytes(landscape_image(), exif=gps_exif(48.8584, 2.2945, serial="SN-48213307"))
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)  # the test photo does carry GPS
    clean = encode_without_metadata(Image.open(io.BytesIO(source)), "JPEG")
    reopened = Image.open(io.BytesIO(clean))
    assert reopened.format == "JPEG"
    assert len(reopened.getexif()) == 0 and not reopened.getexif().get_ifd(0x8825)
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(reopened.info)
    assert 0xE1 not in jpeg_segments(clean) and 0xE2 not in jpeg_segments(clean)
    assert b"SN-48213307" not in clean and b"Exif" not in clean
    assert reopened.size == (640, 427)


def test_an_icc_profile_is_not_carried_over() -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = jpeg_bytes(landscape_image(), icc_profile=profile)
    assert Image.open(io.BytesIO(source)).info.get("icc_profile")
    for fmt in ("JPEG", "PNG"):
        clean = Image.open(io.BytesIO(encode_without_metadata(Image.open(io.BytesIO(source)), fmt)))
        assert "icc_profile" not in clean.info


def test_a_png_with_text_chunks_and_exif_comes_out_with_pixel_chunks_only() -> None:
    image = radiograph_image(["A B"])
    source = png_with_text(
        image, text={"Comment": "Marta K."}, itxt={"Author": "Marta K."}, exif=gps_exif(1, 2)
    )
    assert b"tEXt" in source and b"eXIf" in source
    clean = encode_without_metadata(Image.open(io.BytesIO(source)))
    assert set(png_chunks(clean)) <= {b"IHDR", b"IDAT", b"IEND"}
    reopened = Image.open(io.BytesIO(clean))
    assert reopened.info == {} and len(reopened.getexif()) == 0
    assert reopened.convert("RGB").tobytes() == image.tobytes()  # PNG keeps the pixels exactly


def test_a_dicom_or_other_source_comes_out_as_png() -> None:
    clean = encode_without_metadata(Image.new("L", (20, 10), 90), "DICOM")
    reopened = Image.open(io.BytesIO(clean))
    assert reopened.format == "PNG" and reopened.size == (20, 10) and reopened.getpixel((3, 3)) == 90


def test_a_palette_image_keeps_its_colours() -> None:
    image = Image.new("RGB", (10, 10), (200, 30, 40)).convert("P")  # web palette: (204, 51, 0)
    reopened = Image.open(io.BytesIO(encode_without_metadata(image)))
    assert reopened.mode == "RGB"
    assert reopened.getpixel((5, 5)) == image.convert("RGB").getpixel((5, 5)) != (0, 0, 0)


def test_box_helpers() -> None:
    assert union([(10, 10, 5, 5), (0, 20, 2, 2)]) == (0, 10, 15, 12)
    with pytest.raises(ValueError):
        union([])
    assert pad((5, 5, 10, 10), 3, 100, 100) == (2, 2, 16, 16)
    assert pad((1, 1, 10, 10), 3, 12, 12) == (0, 0, 12, 12)
    assert clip((90, 90, 20, 20), 100, 100) == (90, 90, 10, 10)
    assert clip((200, 5, 10, 10), 100, 100)[2] == 0
    assert scale((3, 3, 3, 3), 0.5) == (1, 1, 2, 2)  # outer edges rounded outwards: still covers
    assert overlap((0, 0, 10, 10), (5, 0, 10, 10)) == pytest.approx(1 / 3)
    assert overlap((0, 0, 10, 10), (10, 0, 10, 10)) == 0.0
    assert share((0, 0, 10, 10), (8, 0, 4, 10)) == pytest.approx(0.5)
    assert share((0, 0, 10, 10), (2, 2, 3, 3)) == 1.0 and share((0, 0, 1, 1), (5, 5, 1, 1)) == 0.0
    assert contains((0, 0, 10, 10), (2, 2, 3, 3)) and not contains((0, 0, 10, 10), (8, 8, 3, 3))


def test_box_attributes_round_trip_and_bad_ones_are_refused() -> None:
    assert box_attr((1, 2, 30, 40)) == "1,2,30,40"
    assert parse_box_attr(box_attr((1, 2, 30, 40))) == (1, 2, 30, 40)
    for bad in ("1,2,3", "a,b,c,d", "1,2,-3,4", ""):
        with pytest.raises(ValueError):
            parse_box_attr(bad)
