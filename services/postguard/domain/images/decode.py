"""Image bytes -> RGB frames, refusing what cannot be screened safely (issue 10, images).

``sniff_format`` names the format from the magic bytes (never the declared media type).
``inspect_image`` reads the header only (dimensions, frame count) and refuses oversize, unsupported,
corrupt and decompression-bomb input cheaply: ingest validation calls it before a post enters Kafka.
``decode_image`` does the same checks, then decodes every frame to RGB: JPEG (and MPO), PNG, WebP, TIFF
(multi-frame), HEIC (pillow-heif) and DICOM (pydicom: rescale, VOI window, MONOCHROME1 inverted, to
8 bits). EXIF orientation is applied, transparency is flattened onto white.

Every refusal is an ``ImageRejected`` whose message names sizes, types, limits and exception classes
only, never pixel, text or metadata content.

Process-wide settings made at import: pillow-heif's opener is registered; ``PIL.Image.MAX_IMAGE_PIXELS``
is kept at least as high as the pixel limit asked for, so Pillow's own bomb check is a backstop above
ours (its ``DecompressionBombError`` / ``DecompressionBombWarning`` become ``ImageRejected``);
pydicom's reading validation is set to ignore, since its warnings may quote element values.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pillow_heif
from PIL import Image
from pydicom import config as dicom_config
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.multival import MultiValue
from pydicom.pixels import apply_color_lut, apply_modality_lut, apply_voi_lut

from postguard.domain.rule_data import RuleData, load_rule_data

pillow_heif.register_heif_opener()
dicom_config.settings.reading_validation_mode = dicom_config.IGNORE

_DATA: RuleData = load_rule_data(Path(__file__).parent / "data" / "formats.yaml")
MEDIA_TYPES: dict[str, str] = dict(item.split() for item in _DATA.phrases("media_types"))
"""Sniffed format name -> media type (supported and refused formats)."""
SUPPORTED_FORMATS: tuple[str, ...] = _DATA.phrases("supported")
SUPPORTED_MEDIA_TYPES: frozenset[str] = frozenset(
    [*(MEDIA_TYPES[f] for f in SUPPORTED_FORMATS), *_DATA.phrases("media_type_aliases")]
)
"""Media types a platform may declare for an image PostGuard decodes."""

_HEIC_BRANDS = _DATA.words("heic_brands")
_AVIF_BRANDS = _DATA.words("avif_brands")
_VIDEO_BRANDS = _DATA.words("video_brands")
_GENERIC_HEIF = frozenset({"mif1", "msf1"})
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"II+\x00", "BIGTIFF"),
    (b"MM\x00+", "BIGTIFF"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"%PDF", "PDF"),
    (b"BM", "BMP"),
)
_MORE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG2000"),
    (b"\xff\x4f\xff\x51", "JPEG2000"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "JXL"),
    (b"\xff\x0a", "JXL"),
    (b"8BPS", "PSD"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"<svg", "SVG"),
)
PILLOW_PLUGINS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "TIFF": "TIFF", "HEIC": "HEIF"}
"""Our format name -> the Pillow plugin that must open it (no other plugin is tried)."""
_FRAME_SIZES_VARY = frozenset({"TIFF", "JPEG", "HEIC"})
"""Formats whose frames may each have their own size (TIFF pages, MPO pictures, HEIF images)."""
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    EOFError,
    struct.error,
    zlib.error,
    ZeroDivisionError,
    RuntimeError,
    AttributeError,
    NotImplementedError,
    InvalidDicomError,
)
"""What third-party decoders raise on malformed input: all become ``ImageRejected`` (fail closed)."""
_PIXELS_IN_MESSAGE = re.compile(r"\((\d+) pixels\)")
_ORIENTATION_TAG = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_WHITE = (255, 255, 255, 255)


@contextmanager
def _quiet() -> Iterator[None]:
    """Decoder warnings silenced (they may describe the file's contents), Pillow's bomb warning raised.
    (``warnings.catch_warnings`` is process-wide: another thread may briefly see these filters.)"""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


class ImageRejected(ValueError):  # noqa: N818 (the shared API name)
    """An image PostGuard will not screen; ``str(exc)`` names sizes, types and limits, never content."""


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """What an attachment may be: bytes, pixels per frame (checked from the header, before any pixel
    is decoded) and frames (more frames are refused, never silently dropped)."""

    max_bytes: int = 16 * 1024 * 1024
    max_pixels: int = 40_000_000
    max_frames: int = 8


DEFAULT_LIMITS = ImageLimits()


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """What the header says: format, media type, size of frame 0 and the number of frames."""

    format: str
    media_type: str
    width: int
    height: int
    frames: int


@dataclass(frozen=True, slots=True)
class DecodedImage:
    """An image's pixel frames in RGB (DICOM: rescaled and windowed to 8 bits); size is frame 0's."""

    format: str
    media_type: str
    frames: tuple[Image.Image, ...]
    width: int
    height: int


def _ftyp_format(data: bytes) -> str | None:
    """HEIC / AVIF / MP4 from an ISO BMFF ``ftyp`` box (major and compatible brands)."""
    size = int.from_bytes(data[0:4], "big")
    end = min(max(size, 16), len(data), 256)
    brands = {data[8:12].decode("latin-1").strip()}
    brands |= {data[i : i + 4].decode("latin-1").strip() for i in range(16, end - 3, 4)}
    if brands & _HEIC_BRANDS:
        return "HEIC"
    if brands & _AVIF_BRANDS:
        return "AVIF"
    if brands & _GENERIC_HEIF:
        return "HEIC"
    return "MP4" if brands & _VIDEO_BRANDS else None


def sniff_format(data: bytes) -> str | None:
    """The format the magic bytes say ("JPEG", "PNG", "WEBP", "TIFF", "HEIC", "DICOM", or a refused one
    such as "GIF", "PDF", "AVIF"), None when unrecognised. The declared media type is not consulted."""
    if len(data) >= 132 and data[128:132] == b"DICM":
        return "DICOM"
    if data[0:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp":
        return _ftyp_format(data)
    for magic, name in (*_MAGIC, *_MORE_MAGIC):
        if data.startswith(magic):
            return name
    return None


def media_type_of(format_name: str) -> str:
    """The media type of a format name from ``sniff_format``."""
    return MEDIA_TYPES.get(format_name, "application/octet-stream")


def _why(exc: BaseException) -> str:
    """A content-free description of a decoder error: "truncated" or the exception's class name."""
    if isinstance(exc, EOFError) or "truncat" in str(exc).lower():
        return "truncated"
    return type(exc).__name__


def _corrupt(format_name: str, exc: BaseException) -> ImageRejected:
    return ImageRejected(f"corrupt {format_name} image: {_why(exc)}")


def _check_pixels(width: int, height: int, limits: ImageLimits) -> None:
    """Refuse a frame whose header declares more pixels than the limit (or no pixels at all)."""
    pixels = width * height
    if pixels > limits.max_pixels:
        raise ImageRejected(
            f"image has {pixels} pixels ({width}x{height}), limit {limits.max_pixels} (decompression bomb?)"
        )
    if pixels <= 0:
        raise ImageRejected(f"image has no pixels ({width}x{height})")


def _check_frames(frames: int, limits: ImageLimits) -> None:
    if frames > limits.max_frames:
        raise ImageRejected(f"image has {frames} frames, limit {limits.max_frames}")
    if frames < 1:
        raise ImageRejected(f"image has {frames} frames")


def _checked_format(data: bytes, limits: ImageLimits) -> str:
    """The sniffed, supported format of ``data`` within the byte limit."""
    if len(data) > limits.max_bytes:
        raise ImageRejected(f"image too large: {len(data)} bytes, limit {limits.max_bytes}")
    if not data:
        raise ImageRejected("empty image: 0 bytes")
    found = sniff_format(data)
    if found is None:
        supported = ", ".join(SUPPORTED_FORMATS)
        raise ImageRejected(
            f"not a supported image: unrecognised format ({len(data)} bytes; supported {supported})"
        )
    if found not in SUPPORTED_FORMATS:
        raise ImageRejected(f"not a supported image: media type {media_type_of(found)}")
    return found


# -- Pillow formats -------------------------------------------------------------------------------------


def _bomb(data: bytes, format_name: str, exc: Exception, limits: ImageLimits) -> ImageRejected:
    """Pillow's own bomb check fired: the message names the declared size (header parsed without
    Pillow's check, pixels never decoded) or, failing that, the pixel count Pillow reported."""
    try:
        factory = Image.OPEN[PILLOW_PLUGINS[format_name]][0]
        width, height = factory(io.BytesIO(data), None).size
        return ImageRejected(
            f"image has {width * height} pixels ({width}x{height}), limit {limits.max_pixels} "
            "(decompression bomb?)"
        )
    except _DECODE_ERRORS:
        match = _PIXELS_IN_MESSAGE.search(str(exc))
        pixels = match.group(1) if match else "too many"
        return ImageRejected(f"image has {pixels} pixels, limit {limits.max_pixels} (decompression bomb?)")


def _open_pillow(data: bytes, format_name: str, limits: ImageLimits) -> Image.Image:
    """Open (header only) with the one Pillow plugin for the sniffed format."""
    if Image.MAX_IMAGE_PIXELS is None or limits.max_pixels > Image.MAX_IMAGE_PIXELS:
        Image.MAX_IMAGE_PIXELS = limits.max_pixels
    try:
        return Image.open(io.BytesIO(data), formats=[PILLOW_PLUGINS[format_name]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(data, format_name, exc, limits) from None
    except _DECODE_ERRORS as exc:
        raise _corrupt(format_name, exc) from None


def _pillow_info(image: Image.Image, format_name: str, limits: ImageLimits) -> ImageInfo:
    """Frame count and every frame's declared size checked (headers only)."""
    try:
        frames = int(getattr(image, "n_frames", 1))
        _check_frames(frames, limits)
        width, height = image.size
        _check_pixels(width, height, limits)
        if frames > 1 and format_name in _FRAME_SIZES_VARY:
            for index in range(1, frames):
                image.seek(index)
                _check_pixels(*image.size, limits)
            image.seek(0)
    except ImageRejected:
        raise
    except _DECODE_ERRORS as exc:
        raise _corrupt(format_name, exc) from None
    return ImageInfo(format_name, media_type_of(format_name), width, height, frames)


def _to_rgb(frame: Image.Image) -> Image.Image:
    """RGB copy of a frame: high-bit-depth grey stretched to 8 bits, transparency flattened on white."""
    if frame.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        values = np.asarray(frame, dtype=np.float32)
        return Image.fromarray(_stretch(values, values.min(), values.max())).convert("RGB")
    if frame.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in frame.info:
        rgba = frame.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, _WHITE), rgba).convert("RGB")
    return frame.convert("RGB")


def _pillow_frames(image: Image.Image, info: ImageInfo) -> tuple[Image.Image, ...]:
    """Every frame decoded to RGB (EXIF orientation applied; pillow-heif applies HEIF's own)."""
    frames = []
    try:
        orientation = 1 if info.format == "HEIC" else image.getexif().get(_ORIENTATION_TAG, 1)
        for index in range(info.frames):
            image.seek(index)
            image.load()
            frame = _to_rgb(image)
            transpose = _TRANSPOSE.get(orientation) if isinstance(orientation, int) else None
            frames.append(frame.transpose(transpose) if transpose is not None else frame)
    except _DECODE_ERRORS as exc:
        raise _corrupt(info.format, exc) from None
    return tuple(frames)


# -- DICOM ----------------------------------------------------------------------------------------------


def _read_dicom(data: bytes, header_only: bool) -> Dataset:
    try:
        return dcmread(io.BytesIO(data), stop_before_pixels=header_only)
    except _DECODE_ERRORS as exc:
        raise _corrupt("DICOM", exc) from None


def _dicom_info(ds: Dataset, limits: ImageLimits) -> ImageInfo:
    """Rows, Columns, NumberOfFrames and SamplesPerPixel from the DICOM header."""
    try:
        rows, columns = int(ds.get("Rows") or 0), int(ds.get("Columns") or 0)
        frames = int(ds.get("NumberOfFrames") or 1)
        samples = int(ds.get("SamplesPerPixel") or 1)
    except _DECODE_ERRORS as exc:
        raise _corrupt("DICOM", exc) from None
    if not rows or not columns:
        raise ImageRejected("DICOM has no image: no Rows/Columns in the header")
    _check_frames(frames, limits)
    _check_pixels(columns, rows, limits)
    if samples not in (1, 3):
        raise ImageRejected(f"DICOM has {samples} samples per pixel, expected 1 or 3")
    return ImageInfo("DICOM", media_type_of("DICOM"), columns, rows, frames)


def _stretch(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """``values`` mapped linearly from [low, high] to 0..255 (clipped), as uint8."""
    scale = np.float32(255.0 / max(float(high) - float(low), 1e-9))
    return np.clip((values.astype(np.float32) - np.float32(low)) * scale, 0, 255).astype(np.uint8)


def _first(value: object) -> float:
    """The first value of a possibly multi-valued DICOM number (WindowCenter "40\\400")."""
    return float(value[0] if isinstance(value, MultiValue | list | tuple) else value)


def _grey_to_8bit(ds: Dataset, pixels: np.ndarray) -> np.ndarray:
    """One frame: modality rescale (slope/intercept or LUT), then the first VOI window (or VOI LUT, or
    the frame's full range), to 0..255; MONOCHROME1 (white = low values) inverted."""
    values = apply_modality_lut(pixels, ds)
    center, width = ds.get("WindowCenter"), ds.get("WindowWidth")
    if center is not None and width is not None and _first(width) > 0:
        low = _first(center) - 0.5 - (_first(width) - 1) / 2
        high = _first(center) - 0.5 + (_first(width) - 1) / 2
    elif "VOILUTSequence" in ds:
        values = apply_voi_lut(values, ds)
        low, high = values.min(), values.max()
    else:
        low, high = values.min(), values.max()
    out = _stretch(values, low, high)
    return 255 - out if ds.get("PhotometricInterpretation") == "MONOCHROME1" else out


def _colour_to_8bit(ds: Dataset, pixels: np.ndarray) -> np.ndarray:
    """RGB (pydicom converts YBR to RGB) or palette colour to 8 bits per channel."""
    if ds.get("PhotometricInterpretation") == "PALETTE COLOR":
        pixels = apply_color_lut(pixels, ds)
    if pixels.dtype == np.uint8:
        return pixels
    bits = 16 if ds.get("PhotometricInterpretation") == "PALETTE COLOR" else int(ds.get("BitsStored") or 16)
    return _stretch(pixels, 0, (1 << bits) - 1)


def _dicom_frames(ds: Dataset, info: ImageInfo) -> tuple[Image.Image, ...]:
    """Every frame of the pixel data as an 8-bit RGB image."""
    if "PixelData" not in ds:
        raise ImageRejected("DICOM has no pixel data")
    syntax = str(ds.file_meta.get("TransferSyntaxUID", "unknown"))
    try:
        pixels = ds.pixel_array
        if info.frames == 1:
            pixels = pixels[np.newaxis]
        palette = ds.get("PhotometricInterpretation") == "PALETTE COLOR"
        colour = palette or int(ds.get("SamplesPerPixel") or 1) == 3
        convert = _colour_to_8bit if colour else _grey_to_8bit
        out = [convert(ds, frame) for frame in pixels]  # frame by frame: one float copy at a time
    except (NotImplementedError, RuntimeError, ImportError):
        raise ImageRejected(f"DICOM transfer syntax {syntax} cannot be decoded here") from None
    except _DECODE_ERRORS as exc:
        raise _corrupt("DICOM", exc) from None
    return tuple(Image.fromarray(np.ascontiguousarray(frame)).convert("RGB") for frame in out)


# -- the API --------------------------------------------------------------------------------------------


def inspect_image(data: bytes, limits: ImageLimits = DEFAULT_LIMITS) -> ImageInfo:
    """Format, size and frame count from the header alone, refusing oversize, unsupported, corrupt
    headers and decompression bombs (raises ``ImageRejected``). Cheap: no pixel is decoded."""
    found = _checked_format(data, limits)
    with _quiet():
        if found == "DICOM":
            return _dicom_info(_read_dicom(data, header_only=True), limits)
        with _open_pillow(data, found, limits) as image:
            return _pillow_info(image, found, limits)


def decode_image(data: bytes, limits: ImageLimits = DEFAULT_LIMITS) -> DecodedImage:
    """Every frame of ``data`` in RGB, after the checks of ``inspect_image`` (raises ``ImageRejected``;
    truncated or corrupt pixel data too)."""
    found = _checked_format(data, limits)
    with _quiet():
        if found == "DICOM":
            ds = _read_dicom(data, header_only=False)
            info = _dicom_info(ds, limits)
            frames = _dicom_frames(ds, info)
        else:
            with _open_pillow(data, found, limits) as image:
                info = _pillow_info(image, found, limits)
                frames = _pillow_frames(image, info)
    return DecodedImage(info.format, info.media_type, frames, frames[0].width, frames[0].height)
