"""Image builders shared by every image test (unit and integration): each returns fresh bytes or a PIL image.

Deterministic: fixed numpy seeds, Pillow's bundled FreeType font (``ImageFont.load_default(size=N)``), no
network, no files. Text is drawn at 32 px by default so Tesseract can read it. The face photo is
``skimage.data.astronaut()`` (public domain, NASA); everything else is generated here.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import pillow_heif
from PIL import ExifTags, Image, ImageDraw, ImageFont, TiffImagePlugin

pillow_heif.register_heif_opener()

Color = tuple[int, int, int]
BLACK: Color = (0, 0, 0)
WHITE: Color = (255, 255, 255)
TEXT_SIZE = 32
"""Default font size (px): large enough for Tesseract at the image's own resolution."""


def font(size: int = TEXT_SIZE) -> ImageFont.FreeTypeFont:
    """Pillow's bundled FreeType font at ``size`` px."""
    return ImageFont.load_default(size=size)


def text_image(
    lines: Sequence[str],
    size: tuple[int, int] | None = None,
    fg: Color = BLACK,
    bg: Color = WHITE,
    font_size: int = TEXT_SIZE,
    origin: tuple[int, int] = (20, 20),
) -> Image.Image:
    """An RGB image with ``lines`` drawn top to bottom from ``origin``; sized to fit when ``size`` is None."""
    face = font(font_size)
    step = int(font_size * 1.5)
    if size is None:
        widest = max((face.getlength(line) for line in lines), default=0)
        size = (int(widest) + 2 * origin[0], step * max(len(lines), 1) + 2 * origin[1])
    image = Image.new("RGB", size, bg)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((origin[0], origin[1] + i * step), line, fill=fg, font=face)
    return image


def png_bytes(image: Image.Image, **params: object) -> bytes:
    """``image`` encoded as PNG (``params`` go to ``Image.save``, e.g. ``pnginfo``)."""
    out = io.BytesIO()
    image.save(out, format="PNG", **params)
    return out.getvalue()


def jpeg_bytes(image: Image.Image, quality: int = 90, **params: object) -> bytes:
    """``image`` encoded as JPEG (``params`` go to ``Image.save``, e.g. ``exif``)."""
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality, **params)
    return out.getvalue()


def webp_bytes(image: Image.Image, quality: int = 90) -> bytes:
    """``image`` encoded as WebP."""
    out = io.BytesIO()
    image.convert("RGB").save(out, format="WEBP", quality=quality)
    return out.getvalue()


def heic_bytes(image: Image.Image, quality: int = 90) -> bytes:
    """``image`` encoded as HEIC (pillow_heif)."""
    out = io.BytesIO()
    image.convert("RGB").save(out, format="HEIF", quality=quality)
    return out.getvalue()


def tiff_bytes(frames: Sequence[Image.Image], compression: str = "tiff_deflate") -> bytes:
    """A (multi-frame when ``len(frames) > 1``) TIFF of ``frames``."""
    out = io.BytesIO()
    first, *rest = [f.convert("RGB") for f in frames]
    first.save(out, format="TIFF", save_all=True, append_images=rest, compression=compression)
    return out.getvalue()


def _body_shape(width: int, height: int, seed: int) -> np.ndarray:
    """A dark noisy background with a brighter elliptical 'body' and a 'bone' stripe, as float 0..1."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    cx, cy = width / 2, height * 0.62
    body = ((x - cx) / (width * 0.33)) ** 2 + ((y - cy) / (height * 0.36)) ** 2 < 1
    bone = body & (np.abs(x - cx - 10 * np.sin(y / 40)) < width * 0.05)
    pixels = 0.08 + 0.30 * body + 0.35 * bone + rng.normal(0, 0.03, (height, width))
    return np.clip(pixels, 0, 1)


def _text_mask(lines: Sequence[str], size: tuple[int, int], font_size: int) -> np.ndarray:
    """Boolean mask of ``lines`` drawn from the top-left corner (burned-in annotations)."""
    mask = text_image(lines, size=size, fg=WHITE, bg=BLACK, font_size=font_size).convert("L")
    return np.asarray(mask) > 127


def radiograph_image(lines: Sequence[str], size: tuple[int, int] = (640, 640), seed: int = 7) -> Image.Image:
    """A radiograph-like grey image with white burned-in ``lines`` (e.g. a name and a date) at the top."""
    pixels = _body_shape(size[0], size[1], seed)
    pixels[_text_mask(lines, size, TEXT_SIZE)] = 1.0
    return Image.fromarray((pixels * 255).astype(np.uint8), mode="L").convert("RGB")


def radiograph_png(lines: Sequence[str], size: tuple[int, int] = (640, 640)) -> bytes:
    """``radiograph_image(lines)`` as PNG bytes."""
    return png_bytes(radiograph_image(lines, size))


def _rational_dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    """Degrees, minutes, seconds of ``abs(value)`` as EXIF rationals."""
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 2)
    return Fraction(degrees), Fraction(minutes), Fraction(seconds).limit_denominator(100)


def gps_exif(
    lat: float,
    lon: float,
    when: str = "2024:03:05 10:11:12",
    serial: str = "SN-48213307",
    owner: str | None = None,
    artist: str | None = None,
    user_comment: str | None = None,
) -> Image.Exif:
    """An EXIF block with a GPS IFD (position), the Exif IFD (date, serial, owner, comment) and IFD0."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ExampleCam"
    exif[ExifTags.Base.Model] = "Model 7"
    exif[ExifTags.Base.DateTime] = when
    if artist is not None:
        exif[ExifTags.Base.Artist] = artist
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
    gps[ExifTags.GPS.GPSLatitude] = tuple(TiffImagePlugin.IFDRational(f) for f in _rational_dms(lat))
    gps[ExifTags.GPS.GPSLongitudeRef] = "E" if lon >= 0 else "W"
    gps[ExifTags.GPS.GPSLongitude] = tuple(TiffImagePlugin.IFDRational(f) for f in _rational_dms(lon))
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.DateTimeOriginal] = when
    if serial:
        sub[ExifTags.Base.BodySerialNumber] = serial
    if owner is not None:
        sub[ExifTags.Base.CameraOwnerName] = owner
    if user_comment is not None:  # EXIF UserComment: 8-byte character code then the text
        sub[ExifTags.Base.UserComment] = b"ASCII\x00\x00\x00" + user_comment.encode("ascii")
    return exif


def landscape_image(size: tuple[int, int] = (640, 427), seed: int = 3) -> Image.Image:
    """A generated landscape: sky gradient, two hill lines, grass noise. No faces, no text."""
    width, height = size
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    sky = np.stack([120 + 80 * y / height, 170 + 50 * y / height, np.full_like(y, 235.0)], axis=-1)
    far = height * 0.55 + 30 * np.sin(x / 90.0)
    near = height * 0.70 + 20 * np.sin(x / 55.0 + 1.3)
    image = np.where((y > far)[..., None], [90, 130, 90], sky)
    image = np.where((y > near)[..., None], [60, 120, 40], image)
    image = image + rng.normal(0, 6, image.shape)
    return Image.fromarray(np.clip(image, 0, 255).astype(np.uint8), mode="RGB")


def photo_jpeg_with_gps(
    lat: float,
    lon: float,
    when: str = "2024:03:05 10:11:12",
    serial: str = "SN-48213307",
    owner: str | None = None,
    artist: str | None = None,
    user_comment: str | None = None,
) -> bytes:
    """A landscape JPEG whose EXIF gives a GPS position, the capture date and the camera's serial."""
    exif = gps_exif(lat, lon, when, serial, owner, artist, user_comment)
    return jpeg_bytes(landscape_image(), exif=exif)


def landscape_jpeg() -> bytes:
    """A generated landscape photo as JPEG, no metadata, no faces."""
    return jpeg_bytes(landscape_image())


def face_jpeg() -> bytes:
    """``skimage.data.astronaut()`` (Eileen Collins, NASA, public domain) as a 512x512 JPEG, no metadata."""
    from skimage import data  # test-only dependency

    return jpeg_bytes(Image.fromarray(data.astronaut()))


def face_image() -> Image.Image:
    """``skimage.data.astronaut()`` as a PIL image."""
    from skimage import data

    return Image.fromarray(data.astronaut())


def whiteboard_image(rows: Sequence[str], seed: int = 11) -> Image.Image:
    """A ward whiteboard: off-white background, dark blue marker rows ("Bed 4 - J. Smith"), slight jitter."""
    rng = np.random.default_rng(seed)
    face = font(36)
    width = int(max((face.getlength(r) for r in rows), default=200)) + 120
    height = 60 * max(len(rows), 1) + 60
    image = Image.new("RGB", (width, height), (246, 246, 240))
    draw = ImageDraw.Draw(image)
    for i, row in enumerate(rows):
        dx, dy = (int(v) for v in rng.integers(-6, 7, size=2))
        draw.text((40 + dx, 30 + 60 * i + dy), row, fill=(20, 30, 110), font=face)
    return image


def whiteboard_png(rows: Sequence[str]) -> bytes:
    """``whiteboard_image(rows)`` as PNG."""
    return png_bytes(whiteboard_image(rows))


def chart_image() -> Image.Image:
    """A bar chart titled "Clinic visits per quarter", bars Q1..Q4, no identifiers, no dates."""
    image = Image.new("RGB", (640, 480), WHITE)
    draw = ImageDraw.Draw(image)
    draw.text((120, 20), "Clinic visits per quarter", fill=BLACK, font=font(30))
    draw.line((80, 400, 600, 400), fill=BLACK, width=3)
    draw.line((80, 80, 80, 400), fill=BLACK, width=3)
    for i, (label, value) in enumerate(zip(("Q1", "Q2", "Q3", "Q4"), (180, 240, 150, 290), strict=True)):
        left = 120 + i * 120
        draw.rectangle((left, 400 - value, left + 70, 398), fill=(70, 110, 200))
        draw.text((left + 14, 410), label, fill=BLACK, font=font(30))
    return image


def chart_png() -> bytes:
    """``chart_image()`` as PNG, no text chunks."""
    return png_bytes(chart_image())


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` x ``height`` 8-bit grey pixels (a decompression bomb):
    the IDAT holds a few compressed rows only, so decoding it would also fail as truncated."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (min(width, 4096) + 1) * 4)
    chunks = _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows) + _png_chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def gif_bytes() -> bytes:
    """A small GIF (an unsupported format)."""
    out = io.BytesIO()
    Image.new("P", (16, 16), 1).save(out, format="GIF")
    return out.getvalue()


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    """The first ``keep`` fraction of ``data`` (a corrupt, truncated file)."""
    return data[: max(1, int(len(data) * keep))]


def dicom_pixels(
    burned_in_lines: Sequence[str], size: tuple[int, int] = (512, 512), frames: int = 1, seed: int = 5
) -> np.ndarray:
    """12-bit radiograph pixels (frames, rows, cols) as uint16, with the text burned in at full scale."""
    stack = []
    for k in range(frames):
        pixels = _body_shape(size[0], size[1], seed + k)
        pixels[_text_mask(burned_in_lines, size, TEXT_SIZE)] = 1.0
        stack.append((pixels * 4095).astype(np.uint16))
    return np.stack(stack)


def dicom_bytes(
    patient_name: str = "DOE^JANE",
    patient_id: str = "MRN4410021",
    burned_in_lines: Sequence[str] = (),
    private_text: str | None = None,
    sequence: bool = True,
    frames: int = 1,
    monochrome1: bool = False,
    size: tuple[int, int] = (512, 512),
) -> bytes:
    """A CR DICOM file (explicit VR little endian, 12 bits stored in 16, window 2048/4096).

    Carries PatientName, PatientID, PatientBirthDate, StudyDate, InstitutionName; with ``private_text`` a
    private block "POSTGUARD TEST" at (0009,1010) LO; with ``sequence`` a RequestAttributesSequence item
    holding RequestedProcedureID "RP" + patient_id and RequestingPhysician "HOUSE^GREGORY".
    ``monochrome1`` stores inverted values (MONOCHROME1) so the *displayed* image matches MONOCHROME2."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.sequence import Sequence as DicomSequence
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    pixels = dicom_pixels(burned_in_lines, size, frames)
    if monochrome1:
        pixels = (4095 - pixels).astype(np.uint16)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1"  # CR image storage
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[patient_id, "sop"])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid(entropy_srcs=[patient_id, "study"])
    ds.SeriesInstanceUID = generate_uid(entropy_srcs=[patient_id, "series"])
    ds.Modality = "CR"
    ds.PatientName = patient_name
    ds.PatientID = patient_id
    ds.PatientBirthDate = "19580214"
    ds.PatientSex = "F"
    ds.StudyDate = "20240305"
    ds.InstitutionName = "Example General Hospital"
    ds.BodyPartExamined = "CHEST"
    ds.StudyDescription = "CHEST PA"
    if private_text is not None:
        ds.private_block(0x0009, "POSTGUARD TEST", create=True).add_new(0x10, "LO", private_text)
    if sequence:
        item = Dataset()
        item.RequestedProcedureID = "RP" + patient_id
        item.RequestingPhysician = "HOUSE^GREGORY"
        ds.RequestAttributesSequence = DicomSequence([item])
    ds.Rows, ds.Columns = size[1], size[0]
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME1" if monochrome1 else "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.WindowCenter, ds.WindowWidth = 2048, 4096
    ds.RescaleIntercept, ds.RescaleSlope = 0, 1
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.PixelData = pixels.tobytes()
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


XMP_SAMPLE = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
    photoshop:City="{city}" exif:GPSLatitude="{lat}" xmp:CreateDate="{when}">
   <dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{description}</rdf:li></rdf:Alt></dc:description>
   <Iptc4xmpCore:CreatorContactInfo rdf:parseType="Resource">
    <Iptc4xmpCore:CiAdrCity>{city}</Iptc4xmpCore:CiAdrCity>
   </Iptc4xmpCore:CreatorContactInfo>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
"""An XMP packet with a creator (rdf:Seq), a description (rdf:Alt), attribute properties (city, GPS,
date) and a structure (CreatorContactInfo/CiAdrCity); fill it with ``str.format``."""


def xmp_packet(
    creator: str = "Jane Doe",
    description: str = "Ward round",
    city: str = "Springfield",
    lat: str = "40,42.768N",
    when: str = "2024-03-05T10:11:12",
) -> bytes:
    """``XMP_SAMPLE`` filled in, as UTF-8 bytes."""
    return XMP_SAMPLE.format(creator=creator, description=description, city=city, lat=lat, when=when).encode()


def jpeg_with_xmp(image: Image.Image, packet: bytes) -> bytes:
    """``image`` as JPEG with an APP1 XMP packet (Pillow writes the segment)."""
    return jpeg_bytes(image, xmp=packet)


def _iptc_dataset(record: int, number: int, value: str) -> bytes:
    raw = value.encode("utf-8")
    return bytes([0x1C, record, number]) + struct.pack(">H", len(raw)) + raw


def with_iptc(jpeg: bytes, datasets: Sequence[tuple[int, str]]) -> bytes:
    """``jpeg`` with a Photoshop APP13 segment holding IPTC IIM record-2 ``(dataset number, value)``
    pairs (a number may repeat, e.g. Keywords 25), inserted right after SOI."""
    iptc = _iptc_dataset(1, 90, "\x1b%G")  # coded character set: UTF-8
    iptc += b"".join(_iptc_dataset(2, number, value) for number, value in datasets)
    if len(iptc) % 2:
        iptc += b"\x00"
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    payload = b"Photoshop 3.0\x00" + resource
    segment = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def png_with_text(
    image: Image.Image,
    text: dict[str, str] | None = None,
    itxt: dict[str, str] | None = None,
    ztxt: dict[str, str] | None = None,
    exif: Image.Exif | None = None,
) -> bytes:
    """``image`` as PNG with tEXt, compressed iTXt and zTXt chunks (keyword -> text) and an eXIf chunk."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    for key, value in (itxt or {}).items():
        info.add_itxt(key, value, zip=True)
    for key, value in (ztxt or {}).items():
        info.add_text(key, value, zip=True)
    params: dict[str, object] = {"pnginfo": info}
    if exif is not None:
        params["exif"] = exif
    return png_bytes(image, **params)
