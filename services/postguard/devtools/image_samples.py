"""Generated test images for the OCR and face evaluation (``python -m postguard.devtools.image_eval``).

Every image is drawn here with Pillow and numpy from a seed, or taken from scikit-image's bundled sample
photos (test-only dependency), so the evaluation needs no network and no real patient data. Names,
dates and record numbers are invented. Each OCR sample carries the words drawn on it; each face sample
says whether it shows a face.

Sets: ``radiograph`` (white burned-in text on a dark noisy body shape; ``small_radiograph``: 512 px),
``whiteboard`` (dark rows on an off-white board, slightly rotated and blurred), ``wristband`` (a small
label with a barcode), ``monitor`` (coloured text on black with waveforms), ``photo12mp`` (a 4000x3000
textured photo with a small caption).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FIRST = ("John", "Maria", "Aisha", "Wei", "Olga", "Pedro", "Fatima", "Liam", "Grace", "Tomas", "Priya")
LAST = ("Smith", "Garcia", "Okafor", "Chen", "Novak", "Silva", "Haddad", "Murphy", "Kowalski", "Patel")
WARD_WORDS = ("NPO", "falls", "risk", "O2", "2L", "isolation", "discharge", "today", "rehab", "consult")


@dataclass(frozen=True, slots=True)
class OcrSample:
    """One generated image and the words drawn on it (whitespace-separated, as drawn)."""

    set_name: str
    image: Image.Image
    lines: tuple[str, ...]

    @property
    def words(self) -> tuple[str, ...]:
        """Every drawn word, in drawing order."""
        return tuple(w for line in self.lines for w in line.split())


@dataclass(frozen=True, slots=True)
class FaceSample:
    """One photo and whether it shows at least one face a person would call a portrait-size face."""

    name: str
    image: Image.Image
    has_face: bool


def font(size: int) -> ImageFont.FreeTypeFont:
    """Pillow's bundled FreeType font at ``size`` pixels."""
    return ImageFont.load_default(size=size)  # type: ignore[return-value]


def _date(rng: random.Random) -> str:
    year, month, day = rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice((f"{month:02d}/{day:02d}/{year}", f"{year}-{month:02d}-{day:02d}"))


def _name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST), rng.choice(LAST)


def draw_lines(
    image: Image.Image,
    lines: tuple[str, ...],
    xy: tuple[int, int],
    size: int,
    fill: object,
    gap: float = 1.35,
) -> None:
    """Draw ``lines`` one under another from ``xy`` in the bundled font."""
    draw = ImageDraw.Draw(image)
    x, y = xy
    for line in lines:
        draw.text((x, y), line, font=font(size), fill=fill)
        y += int(size * gap)


def radiograph(seed: int = 0, size: tuple[int, int] = (1024, 1024), lines: tuple[str, ...] = ()) -> OcrSample:
    """A dark noisy image with a grey body-like shape and white burned-in text in the corners."""
    rng = random.Random(seed)
    width, height = size
    noise = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    body = ((xx - width / 2) / (width * 0.36)) ** 2 + ((yy - height * 0.55) / (height * 0.42)) ** 2
    pixels = np.where(body < 1, 120 - 60 * body, 12).astype(np.float32)
    ribs = (np.sin(yy / (height / 28)) > 0.6) & (body < 0.8) & (np.abs(xx - width / 2) > width * 0.05)
    pixels += ribs * 45
    pixels += noise.normal(0, 14, pixels.shape)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).convert("RGB")
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    if not lines:
        first, last = _name(rng)
        lines = (
            f"{last.upper()}, {first.upper()}",
            f"DOB {_date(rng)}",
            f"MRN {rng.randint(10**7, 10**8 - 1)}",
        )
    text_size = max(14, height // 45)
    draw_lines(image, lines, (int(width * 0.03), int(height * 0.03)), text_size, (235, 235, 235))
    corner = (f"CHEST PA {rng.choice(('ERECT', 'SUPINE'))}",)
    draw_lines(image, corner, (int(width * 0.62), int(height * 0.93)), text_size, (235, 235, 235))
    return OcrSample("radiograph", image, (*lines, *corner))


def whiteboard(seed: int = 0, rows: tuple[str, ...] = ()) -> OcrSample:
    """An off-white board with dark rows like ``Bed 4 - J. Smith NPO``, slightly rotated and soft."""
    rng = random.Random(seed)
    width, height = 1280, 900
    shade = np.linspace(250, 222, width)[None, :].repeat(height, 0)
    shade += np.random.default_rng(seed).normal(0, 3, shade.shape)
    image = Image.fromarray(np.clip(shade, 0, 255).astype(np.uint8)).convert("RGB")
    if not rows:
        rows = tuple(
            f"Bed {bed} - {_name(rng)[0][0]}. {_name(rng)[1]} {rng.choice(WARD_WORDS)}" for bed in range(3, 9)
        )
    ink = rng.choice(((20, 30, 120), (25, 25, 25), (150, 20, 20)))
    draw_lines(image, rows, (70, 60), 44, ink, gap=1.9)
    image = image.rotate(rng.uniform(-2.5, 2.5), resample=Image.Resampling.BICUBIC, fillcolor=(200, 200, 200))
    return OcrSample("whiteboard", image.filter(ImageFilter.GaussianBlur(0.8)), rows)


def _barcode(draw: ImageDraw.ImageDraw, rng: random.Random, box: tuple[int, int, int, int]) -> None:
    x, top, right, bottom = box
    while x < right:
        bar = rng.randint(2, 6)
        draw.rectangle((x, top, x + bar - 1, bottom), fill=(10, 10, 10))
        x += bar + rng.randint(2, 5)


def wristband(seed: int = 0) -> OcrSample:
    """A patient-wristband-like label (name, date of birth, record number, barcode) on a skin-tone arm."""
    rng = random.Random(seed)
    image = Image.new("RGB", (1000, 420), (196, 150, 120))
    band = Image.new("RGB", (880, 210), (248, 248, 240))
    first, last = _name(rng)
    lines = (
        f"{last.upper()}, {first}",
        f"DOB: {_date(rng)} {rng.choice('MF')}",
        f"MRN {rng.randint(10**6, 10**7)}",
    )
    draw_lines(band, lines, (24, 18), 34, (15, 15, 15), gap=1.45)
    _barcode(ImageDraw.Draw(band), rng, (560, 30, 850, 180))
    image.paste(band, (60, 105))
    image = image.rotate(rng.uniform(-4, 4), resample=Image.Resampling.BICUBIC, fillcolor=(196, 150, 120))
    return OcrSample("wristband", image.filter(ImageFilter.GaussianBlur(0.6)), lines)


def monitor(seed: int = 0) -> OcrSample:
    """A bedside-monitor-like screen: coloured labels and numbers on black, with waveform traces."""
    rng = random.Random(seed)
    image = Image.new("RGB", (1280, 800), (5, 8, 10))
    draw = ImageDraw.Draw(image)
    for row, colour in enumerate(((60, 230, 90), (60, 200, 240), (240, 220, 60))):
        base = 180 + row * 200
        points = [
            (x, base + int(40 * np.sin(x / (14 + row * 5)) * rng.uniform(0.7, 1))) for x in range(40, 820, 6)
        ]
        draw.line(points, fill=colour, width=3)
    first, last = _name(rng)
    header = (f"BED {rng.randint(1, 30)} {last.upper()} {first.upper()}",)
    draw_lines(image, header, (40, 24), 34, (230, 230, 230))
    vitals = (
        f"HR {rng.randint(55, 120)}",
        f"SpO2 {rng.randint(88, 100)}",
        f"NIBP {rng.randint(95, 160)}/{rng.randint(55, 95)}",
    )
    for row, (text, colour) in enumerate(
        zip(vitals, ((60, 230, 90), (60, 200, 240), (240, 220, 60)), strict=True)
    ):
        draw_lines(image, (text,), (900, 150 + row * 200), 56, colour)
    return OcrSample("monitor", image, header + vitals)


def photo12mp(seed: int = 0) -> OcrSample:
    """A 4000x3000 textured photo-like image, one small caption near the bottom (odd seeds: light on dark)."""
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    width, height = 4000, 3000
    small = noise.integers(40, 220, (12, 16, 3)).astype(np.uint8)
    image = Image.fromarray(small).resize((width, height), Image.Resampling.BICUBIC)
    grain = noise.normal(0, 8, (height // 4, width // 4, 3))
    image = Image.fromarray(
        np.clip(np.asarray(image, dtype=np.float32) + np.kron(grain, np.ones((4, 4, 1))), 0, 255).astype(
            np.uint8
        )
    )
    first, last = _name(rng)
    caption = (f"Ward 7 night team with {first} {last} {_date(rng)}",)
    paper, ink = ((250, 250, 250), (20, 20, 20)) if seed % 2 == 0 else ((25, 25, 30), (245, 245, 245))
    ImageDraw.Draw(image).rectangle((120, height - 220, 2200, height - 120), fill=paper)
    draw_lines(image, caption, (150, height - 205), 56, ink)
    return OcrSample("photo12mp", image, caption)


def small_radiograph(seed: int = 0) -> OcrSample:
    """A 512x512 radiograph: burned-in text 14 px high (the OCR upscales small frames)."""
    sample = radiograph(seed, (512, 512))
    return OcrSample("small_radiograph", sample.image, sample.lines)


OCR_SETS: dict[str, Callable[[int], OcrSample]] = {
    "radiograph": radiograph,
    "small_radiograph": small_radiograph,
    "whiteboard": whiteboard,
    "wristband": wristband,
    "monitor": monitor,
    "photo12mp": photo12mp,
}


def ocr_samples(per_set: int = 5, sets: tuple[str, ...] = tuple(OCR_SETS)) -> list[OcrSample]:
    """``per_set`` seeded images of each named set."""
    return [OCR_SETS[name](seed) for name in sets for seed in range(per_set)]


def chart(seed: int = 0) -> Image.Image:
    """A bar chart with axis labels and no identifiers."""
    rng = random.Random(seed)
    image = Image.new("RGB", (900, 600), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.line((80, 520, 860, 520), fill=(0, 0, 0), width=2)
    draw.line((80, 40, 80, 520), fill=(0, 0, 0), width=2)
    for i, label in enumerate(("Q1", "Q2", "Q3", "Q4")):
        top = rng.randint(120, 460)
        draw.rectangle((130 + i * 180, top, 230 + i * 180, 519), fill=(40, 90 + 30 * i, 200))
        draw.text((160 + i * 180, 535), label, font=font(28), fill=(0, 0, 0))
    draw.text((250, 10), "Vaccinations per quarter", font=font(30), fill=(0, 0, 0))
    return image


def landscape(seed: int = 0, size: tuple[int, int] = (1200, 800)) -> Image.Image:
    """A generated sky, hills and grass picture with no faces."""
    width, height = size
    noise = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    sky = np.stack([90 + 80 * yy / height, 150 + 60 * yy / height, 235 + 0 * yy], axis=-1)
    hill = height * 0.55 + height * 0.08 * np.sin(xx / width * 6 + seed)
    ground = np.stack([40 + 0 * yy, 120 - 40 * (yy / height), 40 + 0 * yy], axis=-1)
    pixels = np.where((yy > hill)[..., None], ground + noise.normal(0, 18, ground.shape), sky)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def skimage_photo(name: str) -> Image.Image:
    """A photo bundled with scikit-image (test-only dependency), as RGB."""
    import skimage.data  # test-only dependency: bundled public-domain sample photos

    return Image.fromarray(getattr(skimage.data, name)()).convert("RGB")


def astronaut() -> Image.Image:
    """skimage.data.astronaut(): Eileen Collins, NASA portrait (public domain), one frontal face."""
    return skimage_photo("astronaut")


def _variants(base: Image.Image, name: str) -> list[FaceSample]:
    """Rescales, crops, rotations, mirror, lighting and JPEG-like softening of a face photo."""
    out = [
        FaceSample(name, base, True),
        FaceSample(f"{name}-mirror", base.transpose(Image.Transpose.FLIP_LEFT_RIGHT), True),
    ]
    for side in (256, 1024, 2000):
        out.append(
            FaceSample(f"{name}-{side}px", base.resize((side, side * base.height // base.width)), True)
        )
    for angle in (-15, -8, 8, 15):
        out.append(
            FaceSample(f"{name}-rot{angle}", base.rotate(angle, resample=Image.Resampling.BICUBIC), True)
        )
    grey = base.convert("L").convert("RGB")
    out.append(FaceSample(f"{name}-grey", grey, True))
    out.append(FaceSample(f"{name}-dark", base.point(lambda v: int(v * 0.45)), True))
    out.append(FaceSample(f"{name}-soft", base.filter(ImageFilter.GaussianBlur(2)), True))
    return out


def _on_background(face: Image.Image, canvas: tuple[int, int], at: tuple[int, int], seed: int) -> Image.Image:
    background = landscape(seed, canvas)
    background.paste(face, at)
    return background


def face_samples() -> list[FaceSample]:
    """Photos with one portrait-size face: astronaut variants, a crop, a 12 MP picture holding the face,
    and scikit-image's LFW faces (25x25 px, upscaled and framed)."""
    base = astronaut()
    out = _variants(base, "astronaut")
    head = base.crop((120, 0, 300, 230))
    out.append(FaceSample("astronaut-headcrop", head.resize((360, 460)), True))
    out.append(
        FaceSample(
            "astronaut-in-12mp", _on_background(base.resize((1400, 1400)), (4000, 3000), (1300, 800), 1), True
        )
    )
    out.append(FaceSample("astronaut-in-landscape", _on_background(base, (1600, 1000), (900, 300), 2), True))
    return out + _lfw(faces=True)


def _lfw(faces: bool, count: int = 20) -> list[FaceSample]:
    import skimage.data

    crops = skimage.data.lfw_subset()  # first 100 are faces, the next 100 are not
    picked = crops[:count] if faces else crops[100 : 100 + count]
    out = []
    for i, crop in enumerate(picked):
        tile = Image.fromarray((crop * 255).astype(np.uint8)).resize((160, 160), Image.Resampling.BICUBIC)
        frame = Image.new("L", (260, 260), 128)
        frame.paste(tile, (50, 50))
        out.append(FaceSample(f"lfw-{'face' if faces else 'nonface'}-{i}", frame.convert("RGB"), faces))
    return out


NONFACE_PHOTOS = ("coffee", "chelsea", "rocket", "moon", "coins", "clock", "horse", "page", "text", "retina")
NONFACE_MORE = ("hubble_deep_field", "immunohistochemistry", "grass", "brick", "gravel", "logo")


def nonface_samples() -> list[FaceSample]:
    """Images without a face: scikit-image photos (not ``camera``: it shows a man), charts, landscapes,
    radiographs, whiteboards, monitors, wristbands, a 12 MP photo, and LFW's non-face crops."""
    out = [FaceSample(name, skimage_photo(name), False) for name in NONFACE_PHOTOS + NONFACE_MORE]
    for seed in range(3):
        out.append(FaceSample(f"chart-{seed}", chart(seed), False))
        out.append(FaceSample(f"landscape-{seed}", landscape(seed), False))
        for name in ("radiograph", "whiteboard", "wristband", "monitor"):
            out.append(FaceSample(f"{name}-{seed}", OCR_SETS[name](seed).image, False))
    out.append(FaceSample("photo12mp-0", photo12mp(0).image, False))
    return out + _lfw(faces=False)
