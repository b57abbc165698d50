"""The metadata inside image bytes, and which of it identifies someone (issue 10, images).

``read_metadata`` lists every textual tag as a ``MetadataEntry`` with a family-prefixed tag:
EXIF (IFD0, the Exif IFD and the GPS IFD: "EXIF:GPSLatitude", "EXIF:BodySerialNumber", "EXIF:UserComment"),
XMP packets found in the bytes, parsed with ``xml.etree`` (no defusedxml needed; packets declaring a
DOCTYPE or entities are not expanded but passed on whole, as free text "XMP:UnparsedPacket"),
IPTC ("IPTC:By-line"), JPEG comments, PNG text chunks (tEXt, zTXt, iTXt, eXIf) and the DICOM header
(every element but pixel data and binary values; private ones as "DICOM:(0009,1010)", sequence items as
"DICOM:RequestAttributesSequence[0].RequestedProcedureID").

``metadata_findings`` flags identifier-carrying tags by name and DICOM private tags holding text, with
the rules of ``identifiers/attachments.py`` (``tag_finding``; tag names in
``identifiers/data/attachments.yaml``); ``free_text_entries`` lists the comments and descriptions the
text recognizers should read. Values are never logged or put in reasons or exception messages.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image, IptcImagePlugin
from pydicom import dcmread
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

from postguard.domain.identifiers.attachments import METADATA_PREFIX, is_free_text, tag_finding
from postguard.domain.images.decode import PILLOW_PLUGINS, DecodedImage, ImageRejected
from postguard.domain.rule_data import RuleData, load_rule_data
from postguard.domain.types import Finding

IMAGE_METADATA_DETECTOR = "image-metadata"

_DATA: RuleData = load_rule_data(Path(__file__).parent / "data" / "metadata.yaml")
_IPTC_NAMES: dict[tuple[int, int], str] = {
    (int(number.split(":")[0]), int(number.split(":")[1])): name
    for number, name in (item.split() for item in _DATA.phrases("iptc_datasets"))
}
_TEXT_VRS = frozenset(vr.upper() for vr in _DATA.words("dicom_text_vrs"))
_PRIVATE_TEXT_VRS = frozenset(vr.upper() for vr in _DATA.words("dicom_private_text_vrs"))
_MAX_ENTRIES = int(_DATA.number("max_entries"))
_MAX_DEPTH = int(_DATA.number("max_depth"))
_MAX_TEXT_BYTES = int(_DATA.number("max_text_bytes"))
_MAX_XMP_PACKETS = int(_DATA.number("max_xmp_packets"))

_EXIF_POINTERS = frozenset({ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo, ExifTags.IFD.Interop})
_UCS2_TAGS = frozenset({"XPTitle", "XPComment", "XPAuthor", "XPKeywords", "XPSubject"})
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_XML_NS = "{http://www.w3.org/XML/1998/namespace}"
_XMP_START = re.compile(rb"<x:x[am]pmeta\b")
_XMP_END = re.compile(rb"</x:x[am]pmeta\s*>")
_MARKUP = re.compile(r"<[^>]*>")
_QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")
_URI = re.compile(r"^[A-Za-z][\w+.-]*:\S*$")
_PRINTABLE_UN = re.compile(rb"^[\x20-\x7e]*[A-Za-z][\x20-\x7e]*$")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_XMP_PNG_KEYWORD = "XML:com.adobe.xmp"
_RAW_PROFILE = re.compile(r"^\s*(\w+)\s+(\d+)\s+([0-9a-fA-F\s]+)$")


@dataclass(frozen=True, slots=True)
class MetadataEntry:
    """One textual metadata tag of an image: ``tag`` is family-prefixed ("EXIF:GPSLatitude",
    "DICOM:(0009,1010)"); ``value`` is its text (never logged)."""

    tag: str
    value: str


def _entry(tag: str, value: str) -> MetadataEntry | None:
    """An entry for a non-blank value (NULs and surrounding blanks dropped)."""
    text = value.replace("\x00", "").strip()
    return MetadataEntry(tag, text) if text else None


# -- EXIF -----------------------------------------------------------------------------------------------


def _decode_text(raw: bytes) -> str:
    """Bytes of unknown encoding as text: UTF-8, else Latin-1."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _user_comment(raw: bytes) -> str:
    """EXIF UserComment: an 8-byte character code ("ASCII", "UNICODE", "JIS", none) then the text."""
    code, body = raw[:8], raw[8:]
    if code.startswith(b"UNICODE"):
        little = body[1:2] == b"\x00" or body.startswith(b"\xff\xfe")
        return body.decode("utf-16-le" if little else "utf-16-be", errors="replace")
    return _decode_text(body if code.rstrip(b"\x00 ") in (b"ASCII", b"JIS", b"") else raw)


def _exif_text(name: str, value: object, gps: bool) -> str | None:
    """The text of an EXIF value; None for binary blobs (MakerNote, thumbnails) and, outside the GPS
    IFD, plain numbers."""
    if isinstance(value, tuple) and value and all(isinstance(v, int) for v in value) and name in _UCS2_TAGS:
        value = bytes(value)
    if isinstance(value, bytes):
        if name == "UserComment":
            return _user_comment(value)
        if name in _UCS2_TAGS:
            return value.decode("utf-16-le", errors="replace")
        return value.decode("ascii") if _PRINTABLE_UN.match(value.rstrip(b"\x00 ")) else None
    if isinstance(value, str):
        return value
    if gps and isinstance(value, tuple):
        return " ".join(_number(v) for v in value)
    return _number(value) if gps else None


def _number(value: object) -> str:
    """A rational or number as text ("46.08"); other values as str."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, ZeroDivisionError):
        return str(value)
    return f"{number:g}" if number != int(number) else str(int(number))


def _exif_entries(exif: Image.Exif) -> list[MetadataEntry]:
    """Entries of IFD0, the Exif IFD and the GPS IFD (the interoperability IFD and thumbnail are skipped)."""
    ifds = (
        (exif, ExifTags.TAGS, False),
        (exif.get_ifd(ExifTags.IFD.Exif), ExifTags.TAGS, False),
        (exif.get_ifd(ExifTags.IFD.GPSInfo), ExifTags.GPSTAGS, True),
    )
    found = []
    for ifd, names, gps in ifds:
        for number, value in ifd.items():
            if not gps and number in _EXIF_POINTERS:
                continue
            name = names.get(number, f"0x{number:04X}")
            text = _exif_text(name, value, gps)
            entry = _entry(f"EXIF:{name}", text) if text is not None else None
            if entry is not None:
                found.append(entry)
    return found


def _exif_from_bytes(raw: bytes) -> list[MetadataEntry]:
    """Entries of a raw EXIF block ("Exif\\0\\0" header optional)."""
    exif = Image.Exif()
    exif.load(raw)
    return _exif_entries(exif)


# -- XMP ------------------------------------------------------------------------------------------------


def _xmp_packets(data: bytes) -> Iterator[bytes]:
    """The ``<x:xmpmeta>`` packets stored uncompressed anywhere in the file (JPEG APP1, TIFF, WebP,
    HEIF, PNG iTXt): found by scanning, not by trusting one container's layout."""
    position = 0
    for _ in range(_MAX_XMP_PACKETS):
        start = _XMP_START.search(data, position)
        end = _XMP_END.search(data, start.end()) if start else None
        if start is None or end is None:
            return
        yield data[start.start() : end.end()]
        position = end.end()


def _xmp_name(tag: str, prefixes: dict[str, str]) -> str:
    """ "{uri}local" as "prefix:local" with the packet's own prefixes."""
    if tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        return f"{prefixes.get(uri, uri.rstrip('/#').rsplit('/', 1)[-1])}:{local}"
    return tag


def _xmp_property(node: ET.Element, path: str, prefixes: dict[str, str], depth: int) -> list[MetadataEntry]:
    """Entries of one XMP property: a simple value, an array (rdf:Bag/Seq/Alt items joined by "; ")
    or a structure (its fields as "path/prefix:field")."""
    if depth > _MAX_DEPTH:
        return []
    items = [li for array in node if array.tag.startswith(_RDF) for li in array if li.tag == _RDF + "li"]
    if items:
        texts = [(li.text or "").strip() for li in items]
        entry = _entry("XMP:" + path, "; ".join(t for t in texts if t))
        nested = [_xmp_fields(li, path, prefixes, depth + 1) for li in items if len(li) or _fields_of(li)]
        return [*([entry] if entry else []), *(e for group in nested for e in group)]
    if len(node) or _fields_of(node):
        return _xmp_fields(node, path, prefixes, depth + 1)
    entry = _entry("XMP:" + path, node.text or "")
    return [entry] if entry else []


def _fields_of(node: ET.Element) -> list[tuple[str, str]]:
    """A node's attributes that are XMP properties (not rdf: or xml: attributes)."""
    return [(k, v) for k, v in node.attrib.items() if not k.startswith((_RDF, _XML_NS))]


def _xmp_fields(node: ET.Element, path: str, prefixes: dict[str, str], depth: int) -> list[MetadataEntry]:
    """Entries of a structure or rdf:Description: its property attributes and child properties."""
    base = path + "/" if path else ""
    found = [_entry("XMP:" + base + _xmp_name(k, prefixes), v) for k, v in _fields_of(node)]
    entries = [e for e in found if e is not None]
    for child in node:
        if child.tag == _RDF + "Description":  # rdf:parseType="Resource"-less nested structure
            entries.extend(_xmp_fields(child, path, prefixes, depth + 1))
        elif not child.tag.startswith(_RDF):
            entries.extend(_xmp_property(child, base + _xmp_name(child.tag, prefixes), prefixes, depth))
    return entries


def _quoted_text(markup: re.Match[str]) -> str:
    """What a tag or declaration quotes (attribute values, entity text), namespace URIs dropped."""
    quoted = (a or b for a, b in _QUOTED.findall(markup.group(0)))
    return " " + " ".join(q for q in quoted if q and not _URI.match(q)) + " "


def _xmp_entries(packet: bytes) -> list[MetadataEntry]:
    """Entries of one XMP packet; a packet that declares a DOCTYPE/entities or does not parse is
    passed on whole (markup dropped) as free text, so its words are still screened."""
    try:
        if b"<!DOCTYPE" in packet or b"<!ENTITY" in packet:
            raise ET.ParseError("declarations are not expanded")
        prefixes: dict[str, str] = {}
        for _, (prefix, uri) in ET.iterparse(io.BytesIO(packet), events=("start-ns",)):
            prefixes.setdefault(uri, prefix)
        root = ET.fromstring(packet)
    except ET.ParseError:
        entry = _entry("XMP:UnparsedPacket", _MARKUP.sub(_quoted_text, _decode_text(packet)))
        return [entry] if entry else []
    return [e for d in root.iter(_RDF + "Description") for e in _xmp_fields(d, "", prefixes, 0)]


# -- IPTC, JPEG comments, PNG chunks --------------------------------------------------------------------


def _iptc_entries(image: Image.Image) -> list[MetadataEntry]:
    """IPTC IIM datasets of a JPEG (Photoshop APP13) or TIFF, by dataset name ("IPTC:By-line")."""
    info = IptcImagePlugin.getiptcinfo(image) or {}
    found = []
    for key, value in info.items():
        if key[0] != 2 or key[1] == 0:  # the envelope record and the record version are not content
            continue
        name = _IPTC_NAMES.get(key, f"{key[0]}:{key[1]}")
        values = value if isinstance(value, list) else [value]
        entry = _entry("IPTC:" + name, "; ".join(_decode_text(v) for v in values))
        if entry is not None:
            found.append(entry)
    return found


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(type, payload) of each PNG chunk, stopping at IEND or at a chunk that runs past the end."""
    position = len(_PNG_SIGNATURE)
    while position + 8 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        payload = data[position + 8 : position + 8 + length]
        if kind == b"IEND" or len(payload) < length:
            return
        yield kind, payload
        position += 12 + length


def _inflate(raw: bytes) -> bytes:
    """zlib-decompressed text, at most max_text_bytes of it."""
    return zlib.decompressobj().decompress(raw, _MAX_TEXT_BYTES)


def _png_text(kind: bytes, payload: bytes) -> tuple[str, str] | None:
    """(keyword, text) of a tEXt, zTXt or iTXt chunk; None for other chunks."""
    keyword, _, rest = payload.partition(b"\x00")
    if kind == b"tEXt":
        return keyword.decode("latin-1"), rest.decode("latin-1")
    if kind == b"zTXt":
        return keyword.decode("latin-1"), _inflate(rest[1:]).decode("latin-1")
    if kind == b"iTXt" and len(rest) >= 2:
        compressed, text = rest[0], rest[2:].split(b"\x00", 2)[-1]
        return keyword.decode("latin-1"), (_inflate(text) if compressed else text).decode("utf-8", "replace")
    return None


def _raw_profile_exif(text: str) -> list[MetadataEntry]:
    """EXIF kept by ImageMagick as a hex "Raw profile type exif" PNG text."""
    match = _RAW_PROFILE.match(text)
    if not match or match.group(1).lower() not in ("exif", "app1"):
        return []
    return _exif_from_bytes(bytes.fromhex("".join(match.group(3).split())))


def _png_entries(data: bytes) -> list[MetadataEntry]:
    """Text chunks as "PNG:<keyword>", an iTXt XMP packet as XMP, eXIf and raw-profile EXIF as EXIF."""
    found: list[MetadataEntry] = []
    for kind, payload in _png_chunks(data):
        if kind == b"eXIf":
            found.extend(_exif_from_bytes(payload))
            continue
        text = _png_text(kind, payload)
        if text is None:
            continue
        keyword, value = text
        if keyword == _XMP_PNG_KEYWORD:
            found.extend(_xmp_entries(value.encode("utf-8")))
        elif keyword.startswith("Raw profile type"):
            found.extend(_raw_profile_exif(value))
        elif (entry := _entry("PNG:" + keyword, value)) is not None:
            found.append(entry)
    return found


def _pillow_entries(data: bytes, format_name: str) -> list[MetadataEntry]:
    """EXIF, IPTC and comments of a JPEG, WebP, TIFF or HEIC (headers only), PNG chunks of a PNG."""
    if format_name == "PNG":
        return _png_entries(data)
    with Image.open(io.BytesIO(data), formats=[PILLOW_PLUGINS[format_name]]) as image:
        found = _exif_entries(image.getexif())
        if format_name in ("JPEG", "TIFF"):
            found.extend(_iptc_entries(image))
        comment = image.info.get("comment")
        if isinstance(comment, bytes | str) and format_name == "JPEG":
            entry = _entry("JPEG:Comment", comment if isinstance(comment, str) else _decode_text(comment))
            found.extend([entry] if entry else [])
    return found


# -- DICOM ----------------------------------------------------------------------------------------------


def _dicom_value(element: DataElement, vr: str, private: bool) -> str | None:
    """A DICOM element's value as text: textual VRs (private ones: free-text VRs, or UN bytes that are
    printable text), multi-values joined by backslash; None for binary and numeric private values."""
    value = element.value
    if private and vr == "UN" and isinstance(value, bytes):
        raw = value.rstrip(b"\x00 ")
        return raw.decode("ascii") if _PRINTABLE_UN.match(raw) else None
    if vr not in (_PRIVATE_TEXT_VRS if private else _TEXT_VRS) or value is None:
        return None
    if isinstance(value, MultiValue | list | tuple):
        return "\\".join(str(v) for v in value)
    return str(value)


def _dicom_entries(ds: Dataset, prefix: str, depth: int, budget: list[int]) -> list[MetadataEntry]:
    """Entries of a dataset or sequence item ("Seq[0]." prefixes), pixel data and binary VRs skipped."""
    found: list[MetadataEntry] = []
    for element in ds:
        if budget[0] <= 0:
            break
        private = element.tag.is_private
        name = f"({element.tag.group:04X},{element.tag.element:04X})" if private else element.keyword
        name = name or f"({element.tag.group:04X},{element.tag.element:04X})"
        if element.VR == "SQ":
            if depth < _MAX_DEPTH:
                for index, item in enumerate(element.value or ()):
                    found.extend(_dicom_entries(item, f"{prefix}{name}[{index}].", depth + 1, budget))
            continue
        text = None if element.tag.group == 0x7FE0 else _dicom_value(element, element.VR, private)
        entry = _entry(f"DICOM:{prefix}{name}", text) if text is not None else None
        if entry is not None:
            found.append(entry)
            budget[0] -= 1
    return found


def _dicom_metadata(data: bytes) -> list[MetadataEntry]:
    """Every textual element of the DICOM header, incl. private tags and sequence items."""
    ds = dcmread(io.BytesIO(data), stop_before_pixels=True)
    return _dicom_entries(ds, "", 0, [_MAX_ENTRIES])


# -- the API --------------------------------------------------------------------------------------------


def _unique(entries: Iterable[MetadataEntry]) -> list[MetadataEntry]:
    """Entries in order, repeats (the same XMP read twice) dropped, at most max_entries."""
    return list(dict.fromkeys(entries))[:_MAX_ENTRIES]


def read_metadata(data: bytes, decoded: DecodedImage) -> list[MetadataEntry]:
    """Every textual metadata tag in ``data`` (already accepted by ``decode_image``: ``decoded`` gives
    the format). Raises ``ImageRejected`` (naming the format and the error class only) when the
    metadata cannot be read: metadata that cannot be read cannot be screened."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's and pydicom's warnings may quote values
            if decoded.format == "DICOM":
                return _unique(_dicom_metadata(data))
            xmp = (e for packet in _xmp_packets(data) for e in _xmp_entries(packet))
            return _unique([*_pillow_entries(data, decoded.format), *xmp])
    except ImageRejected:
        raise
    except Exception as exc:  # a malformed block anywhere: fail closed, naming no content
        raise ImageRejected(f"unreadable metadata in {decoded.format} image: {type(exc).__name__}") from None


def metadata_findings(entries: Sequence[MetadataEntry], attachment_id: str) -> list[Finding]:
    """IDENTIFIER findings for identifier-carrying tags and DICOM private tags with text (placeholder
    values skipped): field "metadata:<tag>", span the whole value, detector "image-metadata"; the
    reason names the tag's family and name, never the value."""
    found = (tag_finding(e.tag, e.value, attachment_id, IMAGE_METADATA_DETECTOR) for e in entries)
    return [f for f in found if f is not None]


def free_text_entries(entries: Sequence[MetadataEntry]) -> list[tuple[str, str]]:
    """``(field, text)`` of the free-text tags (comments, descriptions, captions, DICOM private text,
    unparsed XMP) for the text recognizers; field is "metadata:<tag>"."""
    return [(METADATA_PREFIX + e.tag, e.value) for e in entries if is_free_text(e.tag, e.value)]
