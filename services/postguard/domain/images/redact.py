"""Redacted copies of images: boxes filled solid, and pixels re-encoded with no metadata at all.

``redact_image`` covers each box (grown by ``pad`` pixels, clipped to the image) with an opaque fill;
``encode_without_metadata`` builds a new image from the pixel values alone, so nothing of the source
file (EXIF with GPS and serial numbers, XMP, IPTC, ICC profiles, PNG text chunks, DICOM headers) can
travel with it, and encodes that as PNG or JPEG.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw

from postguard.domain.images.geometry import Box
from postguard.domain.images.geometry import pad as pad_box

FILL = (0, 0, 0)
"""The colour of a redaction bar (opaque black)."""
_KEEP_MODES = {"PNG": ("RGB", "RGBA", "L"), "JPEG": ("RGB", "L")}


def redact_image(image: Image.Image, boxes: Sequence[Box], pad: int = 3) -> Image.Image:
    """A copy of ``image`` with every box (grown by ``pad``, clipped to the image) filled solid."""
    out = image.convert("RGB") if image.mode not in ("RGB", "L") else image.copy()
    fill = FILL if out.mode == "RGB" else FILL[0]
    draw = ImageDraw.Draw(out)
    for box in boxes:
        left, top, width, height = pad_box(box, pad, out.width, out.height)
        if width > 0 and height > 0:
            draw.rectangle((left, top, left + width - 1, top + height - 1), fill=fill)
    return out


def encode_without_metadata(image: Image.Image, format: str = "PNG") -> bytes:
    """The pixels of ``image`` alone, encoded as JPEG when ``format`` is "JPEG", else PNG (DICOM, TIFF,
    HEIC and WebP sources come out as PNG): no EXIF, XMP, IPTC, ICC profile or text chunks."""
    target = "JPEG" if format.upper() in ("JPEG", "JPG") else "PNG"
    source = image if image.mode in _KEEP_MODES[target] else image.convert("RGB")
    fresh = Image.frombytes(source.mode, source.size, source.tobytes())  # no info, palette or profile
    buffer = io.BytesIO()
    if target == "JPEG":
        fresh.save(buffer, "JPEG", quality=92, optimize=True)
    else:
        fresh.save(buffer, "PNG", optimize=False)
    return buffer.getvalue()
