"""decode.py: every supported format decodes to RGB frames; oversize, bombs, corrupt and unsupported input
is refused with a message naming sizes and types only."""

from __future__ import annotations

import io
import re

import image_support as img
import numpy as np
import pydicom
import pytest
from PIL import Image
from postguard.domain.images.decode import (
    SUPPORTED_MEDIA_TYPES,
    ImageLimits,
    ImageRejected,
    decode_image,
    inspect_image,
    sniff_format,
)
from pydicom.encaps import encapsulate
from pydicom.uid import JPEGBaseline8Bit, JPEGLSLossless

pytestmark = pytest.mark.unit

SECRET = "LOPEZ MARIA 4410021"
"""A marker written into files that must never appear in a refusal message."""
_MESSAGE = re.compile(
    r"(image too large: \d+ bytes, limit \d+"
    r"|image has \d+ pixels \(\d+x\d+\), limit \d+ \(decompression bomb\?\)"
    r"|image has \d+ pixels, limit \d+ \(decompression bomb\?\)"
    r"|image has \d+ frames, limit \d+"
    r"|not a supported image: media type [a-z]+/[a-z0-9.+-]+"
    r"|not a supported image: unrecognised format \(\d+ bytes; supported [A-Z, ]+\)"
    r"|corrupt (JPEG|PNG|WEBP|TIFF|HEIC|DICOM) image: (truncated|[A-Za-z]+)"
    r"|DICOM [a-z ]+[A-Za-z/ 0-9.]*)"
)
"""Every refusal message has one of these shapes: numbers, format names and media types only."""


DEFAULT = ImageLimits()


def rejected(data: bytes, limits: ImageLimits = DEFAULT, *, header_only: bool = False) -> str:
    """The message ``decode_image`` (or ``inspect_image``) refuses ``data`` with; checks its shape."""
    with pytest.raises(ImageRejected) as caught:
        (inspect_image if header_only else decode_image)(data, limits)
    message = str(caught.value)
    assert _MESSAGE.fullmatch(message), message
    assert "LOPEZ" not in message and "4410021" not in message
    return message


def array(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.int16)


# -- formats ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "fmt", "media_type"),
    [
        (lambda im: img.jpeg_bytes(im, quality=95), "JPEG", "image/jpeg"),
        (img.png_bytes, "PNG", "image/png"),
        (img.webp_bytes, "WEBP", "image/webp"),
        (lambda im: img.tiff_bytes([im]), "TIFF", "image/tiff"),
        (img.heic_bytes, "HEIC", "image/heic"),
    ],
)
def test_each_pillow_format_decodes_to_the_same_rgb_pixels(build, fmt: str, media_type: str) -> None:
    chart = img.chart_image()
    data = build(chart)
    assert sniff_format(data) == fmt
    info = inspect_image(data)
    assert (info.format, info.media_type, info.frames) == (fmt, media_type, 1)
    assert (info.width, info.height) == (640, 480)
    decoded = decode_image(data)
    assert (decoded.format, decoded.media_type, decoded.width, decoded.height) == (fmt, media_type, 640, 480)
    assert len(decoded.frames) == 1 and decoded.frames[0].mode == "RGB"
    # the blue bar of Q1 and the white background survive every codec (lossy ones approximately)
    diff = np.abs(array(decoded.frames[0]) - array(chart))
    assert diff.mean() < 4, diff.mean()
    assert tuple(array(decoded.frames[0])[300, 150]) == pytest.approx((70, 110, 200), abs=25)
    assert media_type in SUPPORTED_MEDIA_TYPES


def test_multi_frame_tiff_keeps_every_page_with_its_own_size() -> None:
    pages = [img.chart_image(), img.landscape_image(), img.text_image(["page three"])]
    decoded = decode_image(img.tiff_bytes(pages))
    assert [f.size for f in decoded.frames] == [p.size for p in pages]
    assert inspect_image(img.tiff_bytes(pages)).frames == 3
    for frame, page in zip(decoded.frames, pages, strict=True):
        assert np.array_equal(array(frame), array(page))  # deflate is lossless


def test_multi_image_heic_decodes_every_image() -> None:
    out = io.BytesIO()
    img.chart_image().save(out, format="HEIF", save_all=True, append_images=[img.landscape_image()])
    decoded = decode_image(out.getvalue())
    assert decoded.format == "HEIC" and [f.size for f in decoded.frames] == [(640, 480), (640, 427)]


def test_dicom_is_windowed_to_8_bit_rgb_with_burned_in_text_white() -> None:
    data = img.dicom_bytes(burned_in_lines=["DOE, JANE"])
    assert sniff_format(data) == "DICOM"
    info = inspect_image(data)
    assert (info.format, info.media_type, info.width, info.height, info.frames) == (
        "DICOM",
        "application/dicom",
        512,
        512,
        1,
    )
    decoded = decode_image(data)
    frame = array(decoded.frames[0])
    assert decoded.frames[0].mode == "RGB"
    text = img.dicom_pixels(["DOE, JANE"])[0] == 4095
    assert frame[text].min() >= 250  # full scale -> white
    assert frame[:, :, 0][~text][:2000].mean() < 60  # dark background, not blown out


def test_dicom_monochrome1_is_inverted_so_it_looks_like_monochrome2() -> None:
    normal = decode_image(img.dicom_bytes(burned_in_lines=["DOE"]))
    inverted = decode_image(img.dicom_bytes(burned_in_lines=["DOE"], monochrome1=True))
    assert np.abs(array(normal.frames[0]) - array(inverted.frames[0])).max() <= 1


def test_dicom_rescale_and_window_are_applied() -> None:
    ds = pydicom.dcmread(io.BytesIO(img.dicom_bytes(size=(64, 64))))
    ds.PixelData = (np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) % 1000).tobytes()
    ds.RescaleSlope, ds.RescaleIntercept = 2, -1000  # stored 0..999 -> -1000..998
    ds.WindowCenter, ds.WindowWidth = 0, 1000  # -500..500 shown
    out = io.BytesIO()
    ds.save_as(out)
    frame = array(decode_image(out.getvalue()).frames[0])[:, :, 0].reshape(-1)
    stored = np.arange(64 * 64) % 1000
    assert frame[stored == 100].max() == 0  # -800: below the window
    assert frame[stored == 900].min() == 255  # 800: above the window
    assert frame[stored == 500].mean() == pytest.approx(128, abs=2)  # 0: the centre


def test_multi_frame_dicom_decodes_every_frame() -> None:
    decoded = decode_image(img.dicom_bytes(burned_in_lines=["DOE"], frames=3, size=(128, 96)))
    assert len(decoded.frames) == 3 and {f.size for f in decoded.frames} == {(128, 96)}
    assert inspect_image(img.dicom_bytes(frames=3, size=(128, 96))).frames == 3


def _recoded_dicom(syntax: str) -> bytes:
    ds = pydicom.dcmread(io.BytesIO(img.dicom_bytes(size=(64, 64))))
    frame = Image.fromarray((np.arange(64 * 64).reshape(64, 64) % 256).astype(np.uint8))
    jpeg = io.BytesIO()
    frame.save(jpeg, format="JPEG", quality=95)
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
    del ds.WindowCenter, ds.WindowWidth
    ds.PixelData = encapsulate([jpeg.getvalue()])
    ds["PixelData"].VR = "OB"
    ds.file_meta.TransferSyntaxUID = syntax
    out = io.BytesIO()
    ds.save_as(out)
    return out.getvalue()


def test_jpeg_compressed_dicom_decodes_and_an_undecodable_transfer_syntax_is_refused() -> None:
    assert decode_image(_recoded_dicom(JPEGBaseline8Bit)).frames[0].size == (64, 64)
    message = rejected(_recoded_dicom(JPEGLSLossless))
    assert message == f"DICOM transfer syntax {JPEGLSLossless} cannot be decoded here"


def test_exif_orientation_is_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    data = img.jpeg_bytes(Image.new("RGB", (80, 40), "white"), exif=exif)
    decoded = decode_image(data)
    assert (decoded.width, decoded.height) == (40, 80)


def test_transparency_is_flattened_onto_white_and_16_bit_grey_is_stretched() -> None:
    rgba = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    rgba.paste((0, 0, 0, 255), (10, 10, 20, 20))
    frame = array(decode_image(img.png_bytes(rgba)).frames[0])
    assert tuple(frame[0, 0]) == (255, 255, 255) and tuple(frame[15, 15]) == (0, 0, 0)
    grey = Image.fromarray(np.tile(np.arange(0, 4000, 100, dtype=np.uint16), (10, 1)))
    assert grey.mode.startswith("I;16")
    frame = array(decode_image(img.png_bytes(grey)).frames[0])
    assert frame[0, 0, 0] == 0 and frame[0, -1, 0] == 255


# -- refusals -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header_only", [True, False])
def test_a_decompression_bomb_is_refused_from_the_header(header_only: bool) -> None:
    # the IDAT holds a few rows only: decoding pixels would fail as truncated, so a bomb message proves
    # the refusal came from the header
    assert rejected(img.bomb_png(20000, 20000), header_only=header_only) == (
        "image has 400000000 pixels (20000x20000), limit 40000000 (decompression bomb?)"
    )
    assert rejected(img.bomb_png(7000, 7000), header_only=header_only) == (
        "image has 49000000 pixels (7000x7000), limit 40000000 (decompression bomb?)"
    )


def test_pillows_own_bomb_error_and_warning_become_rejections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    limits = ImageLimits(max_pixels=500)
    for size in ((100, 100), (50, 30)):  # over twice Pillow's limit (error), over it (warning)
        data = img.png_bytes(Image.new("RGB", size))
        assert rejected(data, limits) == (
            f"image has {size[0] * size[1]} pixels ({size[0]}x{size[1]}), limit 500 (decompression bomb?)"
        )
    assert Image.MAX_IMAGE_PIXELS == 1000  # never lowered below what the caller set


def test_pillows_limit_is_raised_to_a_larger_pixel_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    decoded = decode_image(img.png_bytes(Image.new("RGB", (100, 100))), ImageLimits(max_pixels=20_000))
    assert decoded.width == 100 and Image.MAX_IMAGE_PIXELS == 20_000


def test_dicom_bomb_is_refused_from_the_header() -> None:
    ds = pydicom.dcmread(io.BytesIO(img.dicom_bytes(size=(64, 64))))
    ds.Rows, ds.Columns = 30000, 30000  # the pixel data stays 64x64: only the header is read
    out = io.BytesIO()
    ds.save_as(out)
    assert rejected(out.getvalue(), header_only=True) == (
        "image has 900000000 pixels (30000x30000), limit 40000000 (decompression bomb?)"
    )


def test_a_later_tiff_page_over_the_pixel_limit_is_refused() -> None:
    data = img.tiff_bytes([Image.new("RGB", (20, 20)), Image.new("RGB", (100, 100))])
    assert rejected(data, ImageLimits(max_pixels=1000), header_only=True) == (
        "image has 10000 pixels (100x100), limit 1000 (decompression bomb?)"
    )


def test_oversize_bytes_are_refused_before_anything_is_parsed() -> None:
    data = img.png_bytes(img.text_image([SECRET]))
    assert rejected(data, ImageLimits(max_bytes=1000), header_only=True) == (
        f"image too large: {len(data)} bytes, limit 1000"
    )


@pytest.mark.parametrize(
    ("frames", "build"),
    [
        (9, lambda n: img.tiff_bytes([img.text_image([str(i)]) for i in range(n)])),
        (9, lambda n: img.dicom_bytes(frames=n, size=(32, 32))),
    ],
)
def test_more_frames_than_the_limit_are_refused_not_truncated(frames: int, build) -> None:
    assert rejected(build(frames), header_only=True) == f"image has {frames} frames, limit 8"
    assert rejected(build(frames)) == f"image has {frames} frames, limit 8"
    assert len(decode_image(build(8)).frames) == 8  # at the limit every frame is kept


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (img.gif_bytes(), "image/gif"),
        (b"%PDF-1.7\n" + SECRET.encode(), "application/pdf"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "image/avif"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42", "video/mp4"),
        (b"BM" + bytes(60), "image/bmp"),
    ],
)
def test_unsupported_formats_are_refused_naming_the_sniffed_type(data: bytes, media_type: str) -> None:
    assert rejected(data, header_only=True) == f"not a supported image: media type {media_type}"
    assert rejected(data) == f"not a supported image: media type {media_type}"


def test_random_bytes_are_refused_as_unrecognised() -> None:
    data = np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    assert sniff_format(data) is None
    supported = "JPEG, PNG, WEBP, TIFF, HEIC, DICOM"
    assert rejected(data) == f"not a supported image: unrecognised format (4096 bytes; supported {supported})"


def _with_secret_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010E] = SECRET  # ImageDescription
    return exif


@pytest.mark.parametrize(
    ("fmt", "data"),
    [
        ("JPEG", img.jpeg_bytes(img.text_image([SECRET]), exif=_with_secret_exif())),
        ("PNG", img.png_bytes(img.text_image([SECRET]))),
        ("WEBP", img.webp_bytes(img.text_image([SECRET]))),
        ("TIFF", img.tiff_bytes([img.text_image([SECRET])])),
        ("HEIC", img.heic_bytes(img.text_image([SECRET]))),
        ("DICOM", img.dicom_bytes(patient_name="LOPEZ^MARIA", patient_id="4410021")),
    ],
)
@pytest.mark.parametrize("keep", [0.6, 0.1])
def test_truncated_files_are_refused_as_corrupt_without_content(fmt: str, data: bytes, keep: float) -> None:
    with pytest.raises(ImageRejected) as caught:
        decode_image(img.truncated(data, keep))
    message = str(caught.value)
    assert _MESSAGE.fullmatch(message), message
    assert "LOPEZ" not in message and "4410021" not in message
    assert message.startswith(f"corrupt {fmt} image: ") or message.startswith("DICOM has no")


def test_empty_input_is_refused() -> None:
    with pytest.raises(ImageRejected, match=r"^empty image: 0 bytes$"):
        inspect_image(b"")


def test_the_declared_type_is_not_trusted_only_magic_bytes() -> None:
    png = img.png_bytes(img.chart_image())
    assert sniff_format(png) == "PNG" and sniff_format(img.jpeg_bytes(img.chart_image())) == "JPEG"
    assert sniff_format(img.dicom_bytes(size=(16, 16))) == "DICOM"
    assert sniff_format(b"DICM" + png) is None  # "DICM" counts only at offset 128


def test_colour_dicom_keeps_its_colours() -> None:
    ds = pydicom.dcmread(io.BytesIO(img.dicom_bytes(size=(32, 16))))
    rgb = np.zeros((16, 32, 3), dtype=np.uint8)
    rgb[:, :16] = (200, 30, 40)
    rgb[:, 16:] = (10, 220, 90)
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
    del ds.WindowCenter, ds.WindowWidth
    ds.PixelData = rgb.tobytes()
    out = io.BytesIO()
    ds.save_as(out)
    frame = array(decode_image(out.getvalue()).frames[0])
    assert tuple(frame[5, 5]) == (200, 30, 40) and tuple(frame[5, 20]) == (10, 220, 90)
