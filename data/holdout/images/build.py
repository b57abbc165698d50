"""Generates the image hold-out deterministically from cases.yaml and checks the cases file.

Every image is drawn from scratch (Pillow, numpy, pydicom; faces from scikit-image's bundled public
sample photos) with a random generator seeded from the case id, so the same Pillow / pydicom / numpy
versions always give the same bytes. Nothing is downloaded and no binary is committed.

Usage: python data/holdout/images/build.py OUT_DIR   # write every image to OUT_DIR
       python data/holdout/images/build.py --check   # validate cases.yaml only

MEASUREMENT ONLY: nobody writing detection rules may read cases.yaml or the generated images.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from PIL.PngImagePlugin import PngInfo

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases.yaml"
SETS = ("clinical", "ward", "metadata", "faces", "clean")
EXPECT = ("held", "clean")
FORMATS = {"jpeg": ("image/jpeg", "jpg"), "png": ("image/png", "png"), "dicom": ("application/dicom", "dcm")}
CASE_KEYS = {"id", "set", "expect", "labels", "neutral", "caption", "platform", "image"}
IMAGE_KEYS = {
    "scene", "size", "format", "quality", "noise", "blur", "rotate", "invert", "grey", "index",
    "text", "faces", "exif", "png_text", "dicom",
}  # fmt: skip
DARK_SCENES = {
    "xray_chest", "xray_hand", "xray_spine", "ct_head", "ct_abdomen", "ct_phantom", "mri_knee", "mammo",
    "us_fan", "monitor", "banner",
}  # fmt: skip
EXIF_TAGS = {"Make": 0x010F, "Model": 0x0110, "Software": 0x0131, "Artist": 0x013B, "Copyright": 0x8298,
             "ImageDescription": 0x010E}  # fmt: skip
EXIF_IFD_TAGS = {"DateTimeOriginal": 0x9003, "BodySerialNumber": 0xA431}


@dataclass(frozen=True)
class BuiltImage:
    """One generated attachment: its case, file path, bytes and media type."""

    case: dict[str, Any]
    path: Path
    content: bytes
    media_type: str


def load_cases(path: Path = CASES) -> list[dict[str, Any]]:
    """The cases in ``path`` (a YAML list)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def validate(cases: list[dict[str, Any]]) -> list[str]:
    """Every problem in the cases: keys, sets, labels, held/clean consistency, the 2/3 positive mix."""
    from postguard.domain.types import IdentifierLabel

    known = set(IdentifierLabel.__members__)
    problems, seen = [], set()
    for case in cases:
        cid = str(case.get("id", "?"))
        if cid in seen:
            problems.append(f"{cid}: duplicate id")
        seen.add(cid)
        if extra := set(case) - CASE_KEYS:
            problems.append(f"{cid}: unknown keys {sorted(extra)}")
        if extra := set(case.get("image", {})) - IMAGE_KEYS:
            problems.append(f"{cid}: unknown image keys {sorted(extra)}")
        if case.get("set") not in SETS or case.get("expect") not in EXPECT:
            problems.append(f"{cid}: bad set or expect")
        labels, neutral = case.get("labels", []), case.get("neutral", [])
        if bad := (set(labels) | set(neutral)) - known:
            problems.append(f"{cid}: unknown labels {sorted(bad)}")
        if set(labels) & set(neutral):
            problems.append(f"{cid}: a label is both expected and neutral")
        if (case.get("expect") == "held") != bool(labels):
            problems.append(f"{cid}: held cases need labels, clean cases none")
        if not str(case.get("caption", "")).strip():
            problems.append(f"{cid}: no caption")
        image = case.get("image", {})
        if image.get("format", "jpeg") not in FORMATS or len(image.get("size", ())) != 2:
            problems.append(f"{cid}: bad format or size")
        if abs(float(image.get("rotate", 0))) > 3:
            problems.append(f"{cid}: rotation over 3 degrees")
        for block in image.get("text", []):
            if not 18 <= int(block.get("size", 24)) <= 48:
                problems.append(f"{cid}: font size outside 18-48")
    held = sum(c.get("expect") == "held" for c in cases)
    if not 0.55 <= held / max(len(cases), 1) <= 0.75:
        problems.append(f"{held}/{len(cases)} cases held: the mix should be about 2/3 positive")
    return problems


def _rng(case_id: str) -> np.random.Generator:
    return np.random.default_rng(int(hashlib.sha256(case_id.encode()).hexdigest()[:16], 16))


def _grid(w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    return x / w, y / h


def _ellipse(x: np.ndarray, y: np.ndarray, cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
    return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1


def _medical(scene: str, w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """A greyscale float image (0-255) that looks like a radiograph, CT, MRI or ultrasound."""
    x, y = _grid(w, h)
    img = np.full((h, w), 12.0, np.float32)
    if scene == "xray_chest":
        img += 90 * _ellipse(x, y, 0.5, 0.55, 0.42, 0.45)
        img -= 60 * (_ellipse(x, y, 0.33, 0.5, 0.12, 0.28) | _ellipse(x, y, 0.67, 0.5, 0.12, 0.28))
        img += 120 * (np.abs(x - 0.5) < 0.03) * (y > 0.15)
        for k in range(8):
            img += (
                45
                * (np.abs(y - (0.25 + 0.07 * k) - 0.08 * np.abs(x - 0.5)) < 0.008)
                * (np.abs(x - 0.5) < 0.38)
            )
    elif scene in ("xray_hand", "xray_spine"):
        img += 70 * _ellipse(x, y, 0.5, 0.55, 0.3, 0.45)
        for k in range(5):
            cx = 0.3 + 0.1 * k if scene == "xray_hand" else 0.5
            cy = 0.35 if scene == "xray_hand" else 0.15 + 0.15 * k
            img += 110 * _ellipse(
                x, y, cx, cy, 0.03 if scene == "xray_hand" else 0.09, 0.16 if scene == "xray_hand" else 0.05
            )
    elif scene in ("ct_head", "ct_abdomen", "ct_phantom"):
        img += 200 * _ellipse(x, y, 0.5, 0.5, 0.38, 0.42) - 150 * _ellipse(x, y, 0.5, 0.5, 0.35, 0.39)
        img += 70 * _ellipse(x, y, 0.5, 0.5, 0.35, 0.39)
        if scene == "ct_abdomen":
            img += 60 * _ellipse(x, y, 0.38, 0.45, 0.12, 0.1) + 120 * _ellipse(x, y, 0.5, 0.7, 0.06, 0.05)
        if scene == "ct_head":
            img += 40 * _ellipse(x, y, 0.6, 0.4, 0.06, 0.05)
    elif scene == "mri_knee":
        img += 110 * _ellipse(x, y, 0.5, 0.3, 0.2, 0.22) + 110 * _ellipse(x, y, 0.5, 0.72, 0.18, 0.24)
        img += 60 * (np.abs(y - 0.52) < 0.02) * (np.abs(x - 0.5) < 0.22)
    elif scene == "mammo":
        img += 140 * _ellipse(x, y, 0.0, 0.5, 0.75, 0.48) * (0.6 + 0.4 * rng.random((h, w)))
    elif scene == "us_fan":
        angle, radius = np.arctan2(x - 0.5, y - 0.05), np.hypot(x - 0.5, (y - 0.05) * h / w)
        fan = (np.abs(angle) < 0.6) & (radius > 0.08) & (radius < 0.85)
        img = fan * (40 + 70 * rng.random((h, w))) + 8.0
        img -= fan * 35 * _ellipse(x, y, 0.5, 0.55, 0.16, 0.14)
    return img.astype(np.float32)


def _colour_scene(scene: str, w: int, h: int, rng: np.random.Generator) -> Image.Image:
    """An RGB background: paper, boards, labels, screens, posters, charts, places and things."""
    flat = {
        "paper": "#f7f6f1", "whiteboard": "#fbfbfb", "sticky": "#fbe96b", "wristband": "#f4f4f4",
        "tube_label": "#ffffff", "monitor": "#06080a", "ehr": "#eef1f5", "door": "#c69c6d",
        "cot_card": "#dbeeff", "plain": "#c8b8a8", "infographic": "#e8f4fb", "poster": "#fff4e0",
        "bar_chart": "#ffffff", "logo": "#ffffff", "banner": "#123a7a", "ward_room": "#d8dcd2",
        "crowd": "#8c8f99", "food": "#6b4a2f", "equipment": "#dfe3e6", "landscape": "#7fb2e5",
        "building": "#9cc3e6",
    }  # fmt: skip
    img = Image.new("RGB", (w, h), flat[scene])
    d = ImageDraw.Draw(img)
    r = lambda a, b: int(rng.integers(a, b))  # noqa: E731
    if scene == "ehr":
        d.rectangle([0, 0, w, int(h * 0.09)], fill="#1f4e8c")
        d.rectangle([0, int(h * 0.09), int(w * 0.015), h], fill="#c9d3e0")
    elif scene == "door":
        d.rectangle([int(w * 0.15), int(h * 0.14), int(w * 0.85), int(h * 0.48)], fill="#ffffff")
    elif scene in ("wristband", "tube_label"):
        for i in range(40):
            bx = int(w * 0.62) + i * 7
            d.rectangle([bx, int(h * 0.65), bx + r(1, 5), int(h * 0.9)], fill="#000000")
    elif scene == "bar_chart":
        for i in range(4):
            top = r(int(h * 0.25), int(h * 0.6))
            d.rectangle(
                [int(w * (0.12 + 0.2 * i)), top, int(w * (0.24 + 0.2 * i)), int(h * 0.85)], fill="#2e86c1"
            )
    elif scene in ("infographic", "poster"):
        d.ellipse([int(w * 0.3), int(h * 0.55), int(w * 0.7), int(h * 0.8)], fill="#7cc6a4")
    elif scene == "logo":
        d.ellipse([int(w * 0.25), int(h * 0.15), int(w * 0.75), int(h * 0.65)], fill="#1f4e8c")
        d.rectangle([int(w * 0.46), int(h * 0.22), int(w * 0.54), int(h * 0.58)], fill="#ffffff")
        d.rectangle([int(w * 0.32), int(h * 0.36), int(w * 0.68), int(h * 0.44)], fill="#ffffff")
    elif scene == "landscape":
        d.polygon([(0, h), (0, int(h * 0.6)), (int(w * 0.3), int(h * 0.45)), (int(w * 0.6), int(h * 0.62)),
                   (w, int(h * 0.5)), (w, h)], fill="#4f7d3a")  # fmt: skip
        d.ellipse([int(w * 0.75), int(h * 0.1), int(w * 0.85), int(h * 0.1) + int(w * 0.1)], fill="#ffd75e")
    elif scene == "building":
        d.rectangle([int(w * 0.15), int(h * 0.2), int(w * 0.85), h], fill="#b7aa98")
        for i in range(6):
            for j in range(4):
                x0, y0 = int(w * (0.2 + 0.105 * i)), int(h * (0.3 + 0.16 * j))
                d.rectangle([x0, y0, x0 + int(w * 0.06), y0 + int(h * 0.09)], fill="#41607d")
    elif scene == "food":
        d.ellipse([int(w * 0.15), int(h * 0.1), int(w * 0.85), int(h * 0.9)], fill="#f2f2f2")
        d.ellipse([int(w * 0.3), int(h * 0.25), int(w * 0.7), int(h * 0.75)], fill="#d08a2b")
        for _ in range(25):
            cx, cy = r(int(w * 0.35), int(w * 0.65)), r(int(h * 0.3), int(h * 0.7))
            d.ellipse([cx, cy, cx + 14, cy + 10], fill="#f6f0d8")
    elif scene == "equipment":
        d.rectangle([int(w * 0.48), int(h * 0.05), int(w * 0.5), int(h * 0.95)], fill="#9aa3a8")
        d.rounded_rectangle([int(w * 0.35), int(h * 0.35), int(w * 0.63), int(h * 0.6)], 20, fill="#f8f8f8",
                            outline="#6b7780", width=6)  # fmt: skip
        d.rectangle([int(w * 0.4), int(h * 0.4), int(w * 0.58), int(h * 0.48)], fill="#2a3238")
    elif scene in ("ward_room", "crowd"):
        d.rectangle([0, int(h * 0.7), w, h], fill="#a89f91" if scene == "ward_room" else "#3c3f48")
        if scene == "ward_room":
            d.rectangle([int(w * 0.05), int(h * 0.55), int(w * 0.45), int(h * 0.75)], fill="#ffffff")
    return img


@functools.cache
def _sample(name: str) -> np.ndarray:
    """scikit-image's bundled sample ``name`` (astronaut: NASA, public domain; lfw_subset), read once."""
    from skimage import data

    return getattr(data, name)()


def _face_tile(src: str, index: int, width: int) -> Image.Image:
    """A face from scikit-image's bundled samples (the astronaut's head, or one LFW-subset face)."""
    if src == "astronaut":
        tile = Image.fromarray(_sample("astronaut")[20:260, 130:350])
    else:
        tile = Image.fromarray((_sample("lfw_subset")[index] * 255).astype(np.uint8)).convert("RGB")
    height = round(width * tile.height / tile.width)
    return tile.resize((width, height), Image.Resampling.BICUBIC)


def _base(case_id: str, image: dict[str, Any]) -> Image.Image:
    """The scene before text, faces and effects."""
    scene, (w, h) = image["scene"], image["size"]
    rng = _rng(case_id)
    if scene == "astronaut":
        img = Image.fromarray(_sample("astronaut")).resize((w, h))
    elif scene == "astronaut_body":
        img = Image.fromarray(_sample("astronaut")[260:512]).resize((w, h))
    elif scene == "lfw_nonface":
        tile = (_sample("lfw_subset")[int(image.get("index", 150))] * 255).astype(np.uint8)
        img = Image.fromarray(tile).convert("RGB").resize((w, h), Image.Resampling.BICUBIC)
    elif scene in DARK_SCENES and scene not in ("monitor", "banner"):
        grey = _medical(scene, w, h, rng)
        if image.get("invert"):
            grey = 255 - grey
        img = Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8)).convert("RGB")
    else:
        img = _colour_scene(scene, w, h, rng)
    if image.get("grey"):
        img = img.convert("L").convert("RGB")
    return img


def _place(at: Any, box: tuple[int, int], size: tuple[int, int]) -> tuple[int, int]:
    (bw, bh), (w, h), m = box, size, int(0.03 * min(size))
    if isinstance(at, list):
        return int(at[0] * w), int(at[1] * h)
    x = {"tl": m, "bl": m, "tr": w - bw - m, "br": w - bw - m}.get(at, (w - bw) // 2)
    y = {"tl": m, "tr": m, "top": m, "bl": h - bh - m, "br": h - bh - m, "bottom": h - bh - m}.get(
        at, (h - bh) // 2
    )
    return x, y


def render(case: dict[str, Any]) -> Image.Image:
    """The case's picture: scene, faces, text blocks, then rotation, blur and noise."""
    image = case["image"]
    img = _base(case["id"], image)
    for face in image.get("faces", []):
        tile = _face_tile(face["src"], int(face.get("index", 0)), int(face["w"]))
        img.paste(tile, (int(face["x"] * img.width), int(face["y"] * img.height)))
    draw = ImageDraw.Draw(img)
    dark = image["scene"] in DARK_SCENES and not image.get("invert")
    for block in image.get("text", []):
        font = ImageFont.load_default(size=int(block.get("size", 24)))
        text = "\n".join(block["lines"])
        left, top, right, bottom = draw.multiline_textbbox((0, 0), text, font=font, spacing=6)
        xy = _place(block.get("at", "tl"), (right - left, bottom - top), img.size)
        colour = block.get("color", "#f0f0f0" if dark else "#101010")
        draw.multiline_text(xy, text, font=font, fill=colour, spacing=6)
    if angle := float(image.get("rotate", 0)):
        corner = img.getpixel((0, 0))
        img = img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=corner)
    if blur := float(image.get("blur", 0)):
        img = img.filter(ImageFilter.GaussianBlur(blur))
    if noise := float(image.get("noise", 0)):
        arr = np.asarray(img, dtype=np.float32)
        arr += noise * _rng(case["id"] + "/noise").standard_normal(arr.shape, dtype=np.float32)
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    return img


def _exif(img: Image.Image, tags: dict[str, Any]) -> Image.Exif:
    exif = img.getexif()
    for name, value in tags.items():
        if name in EXIF_TAGS:
            exif[EXIF_TAGS[name]] = value
        elif name in EXIF_IFD_TAGS:
            exif.get_ifd(0x8769)[EXIF_IFD_TAGS[name]] = value
        elif name == "GPS":
            gps = exif.get_ifd(0x8825)
            for ref_tag, val_tag, value_deg, refs in ((1, 2, value[0], "NS"), (3, 4, value[1], "EW")):
                deg = abs(float(value_deg))
                d, m = int(deg), int((deg % 1) * 60)
                s = round(((deg % 1) * 60 - m) * 60, 2)
                gps[ref_tag] = refs[0] if float(value_deg) >= 0 else refs[1]
                gps[val_tag] = (float(d), float(m), s)
        else:
            raise ValueError(f"unknown EXIF tag name {name}")
    return exif


def _dicom(case: dict[str, Any], img: Image.Image) -> bytes:
    import pydicom
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

    pixels = np.asarray(img.convert("L"), dtype=np.uint8)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[case["id"], "sop"])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = pydicom.Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid(entropy_srcs=[case["id"], "study"])
    ds.SeriesInstanceUID = generate_uid(entropy_srcs=[case["id"], "series"])
    for keyword, value in case["image"].get("dicom", {}).items():
        setattr(ds, keyword, value)
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PixelData = pixels.tobytes()
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def encode(case: dict[str, Any]) -> tuple[bytes, str]:
    """The case's file bytes and media type."""
    image = case["image"]
    fmt = image.get("format", "jpeg")
    img = render(case)
    out = io.BytesIO()
    if fmt == "dicom":
        return _dicom(case, img), FORMATS[fmt][0]
    if fmt == "png":
        info = PngInfo()
        for key, value in image.get("png_text", {}).items():
            info.add_text(key, value)
        img.save(out, "PNG", pnginfo=info)
    else:
        extra = {"exif": _exif(img, image["exif"]).tobytes()} if image.get("exif") else {}
        img.save(out, "JPEG", quality=int(image.get("quality", 85)), **extra)
    return out.getvalue(), FORMATS[fmt][0]


def build_all(out_dir: Path, cases: list[dict[str, Any]] | None = None) -> list[BuiltImage]:
    """Write every case's image into ``out_dir``; returns them in case order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    built = []
    for case in load_cases() if cases is None else cases:
        content, media_type = encode(case)
        path = out_dir / f"{case['id']}.{FORMATS[case['image'].get('format', 'jpeg')][1]}"
        path.write_bytes(content)
        built.append(BuiltImage(case, path, content, media_type))
    return built


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", type=Path, help="where to write the images")
    parser.add_argument("--check", action="store_true", help="validate cases.yaml only")
    args = parser.parse_args()
    cases = load_cases()
    problems = validate(cases)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    if args.check or args.out_dir is None:
        held = sum(c["expect"] == "held" for c in cases)
        print(f"ok: {len(cases)} cases, {held} held, {len(cases) - held} clean")
        return 0
    built = build_all(args.out_dir, cases)
    total = sum(len(b.content) for b in built)
    print(f"wrote {len(built)} images ({total / 1e6:.1f} MB) to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
