"""Text burned into pixels, read with Tesseract: words, their boxes and confidences, grouped into lines.

``TesseractOcr.read`` prepares the frame (grayscale; frames over 3000 px reduced to 2000 px, boxes
mapped back to the original pixels) and reads it with ``pytesseract.image_to_data`` (``--psm 11``,
sparse text) in two passes: the plain frame, and its strokes -- light strokes lifted by a white top-hat
when the frame is mostly dark (radiograph overlays, monitors), dark strokes by a black top-hat
otherwise (text over sky, grass or photo texture, which Tesseract's global threshold turns black). A
large photo is read from its two stroke passes only. Barcode-like runs of bars are painted out first
(they garble the label text beside them). Where passes read the same ink, the more confident reading
stays. Words are grouped into lines by position, so ``OcrText.text`` can go through the text detectors
and ``boxes_for`` maps a finding's character span back to pixels. Measurements: docs/images-engines.md.

Tesseract missing, crashing or slower than ``timeout_seconds`` raises ``OcrUnavailable``: the image
stage fails closed rather than passing an unread image. Error messages name sizes and settings only.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytesseract
from PIL import Image, ImageOps

from postguard.domain.images.geometry import Box, overlap, scale, share, union
from postguard.domain.rule_data import RuleData, load_rule_data

_SETTINGS: RuleData = load_rule_data(Path(__file__).parent / "data" / "ocr.yaml")
# pytesseract reads the binary's path from a module global: calls are serialised so each instance's
# ``tesseract_cmd`` is the one used (Tesseract itself runs multi-threaded inside one call).
_CALL_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class OcrWord:
    """One word read from the pixels: its text, its box in frame pixels and Tesseract's confidence (0..1)."""

    text: str
    box: Box
    confidence: float


@dataclass(frozen=True, slots=True)
class OcrText:
    """The words read from one frame: ``text`` joins a line's words with " " and lines with "\\n";
    ``offsets[i]`` is the ``[start, end)`` of ``words[i]`` in ``text``."""

    text: str
    words: tuple[OcrWord, ...]
    offsets: tuple[tuple[int, int], ...]

    def boxes_for(self, start: int, end: int) -> list[Box]:
        """The boxes of the words overlapping the character span ``[start, end)`` of ``text``."""
        return [
            word.box
            for word, (w_start, w_end) in zip(self.words, self.offsets, strict=True)
            if w_start < end and start < w_end
        ]

    @classmethod
    def from_lines(cls, lines: Sequence[Sequence[OcrWord]]) -> OcrText:
        """Join lines of words (each in reading order) into one text with word offsets."""
        parts: list[str] = []
        words: list[OcrWord] = []
        offsets: list[tuple[int, int]] = []
        cursor = 0
        for number, line in enumerate(lines):
            if number:
                parts.append("\n")
                cursor += 1
            for index, word in enumerate(line):
                if index:
                    parts.append(" ")
                    cursor += 1
                parts.append(word.text)
                words.append(word)
                offsets.append((cursor, cursor + len(word.text)))
                cursor += len(word.text)
        return cls("".join(parts), tuple(words), tuple(offsets))


class OcrUnavailable(RuntimeError):  # noqa: N818 (the name api.md gives)
    """Tesseract is missing, failed or timed out: the image cannot be read, so the stage fails closed."""


class TesseractOcr:
    """Tesseract OCR through pytesseract, with the preprocessing measured in docs/images-engines.md."""

    def __init__(
        self,
        lang: str = "eng",
        timeout_seconds: float = 30.0,
        min_confidence: float = _SETTINGS.number("min_confidence"),
        *,
        tesseract_cmd: str = "tesseract",
        page_mode: int = int(_SETTINGS.number("page_mode")),
        passes: str = "auto",
    ) -> None:
        """``timeout_seconds`` bounds a whole ``read`` (all passes). ``passes``: "auto" (the measured
        choice of frame versions), "all" (every version) or "plain" (the frame alone)."""
        if passes not in {"auto", "all", "plain"}:
            raise ValueError(f"unknown passes setting ({len(passes)} characters)")
        self.lang = lang
        self.timeout_seconds = timeout_seconds
        self.min_confidence = min_confidence
        self.tesseract_cmd = tesseract_cmd
        self.page_mode = page_mode
        self.passes = passes

    def read(self, image: Image.Image) -> OcrText:
        """Every word read from ``image`` (boxes in its pixels), grouped into lines; raises OcrUnavailable."""
        deadline = time.monotonic() + self.timeout_seconds  # one budget for all passes of the frame
        grey, factor = prepare(image)
        words: list[OcrWord] = []
        for frame, scale_of_pass in self._passes(grey, factor):
            words = merge_words(words, self._words(mask_barcodes(frame), scale_of_pass, deadline))
        return OcrText.from_lines(group_lines(words))

    def _passes(self, grey: Image.Image, factor: float) -> list[tuple[Image.Image, float]]:
        """The versions of the frame Tesseract reads, each with its scale to the original (measured in
        docs/images-engines.md): plain and strokes; strokes only for a large photo (its texture makes
        the plain pass slow and noisy); a small frame also at twice the size (small text)."""
        if self.passes == "plain":
            return [(grey, factor)]
        if self.passes == "all":
            both = [strokes(grey, light=True), strokes(grey, light=False)]
            return [(grey, factor)] + [(frame, factor) for frame in both]
        dark = _mostly_dark(grey)
        if factor < 1.0:
            return [(strokes(grey, light=False), factor), (strokes(grey, light=True), factor)]
        out = [(grey, factor), (strokes(grey, light=dark), factor)]
        if max(grey.size) < _SETTINGS.number("upscale_below_px"):
            up = _SETTINGS.number("upscale_factor")
            large = grey.resize((round(grey.width * up), round(grey.height * up)), Image.Resampling.BICUBIC)
            out.append((strokes(large, light=dark), factor * up))
        return out

    def _words(self, frame: Image.Image, factor: float, deadline: float) -> list[OcrWord]:
        """One Tesseract pass: the confident words, boxes scaled back by ``1 / factor``."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise OcrUnavailable(f"tesseract timed out after {self.timeout_seconds:g} s")
        data = self._image_to_data(frame, remaining)
        out = []
        for text, conf, left, top, width, height in zip(
            data["text"], data["conf"], data["left"], data["top"], data["width"], data["height"], strict=True
        ):
            confidence = float(conf) / 100.0
            if not text.strip() or confidence < self.min_confidence:
                continue
            box = scale((int(left), int(top), int(width), int(height)), 1.0 / factor)
            out.append(OcrWord(text.strip(), box, round(confidence, 3)))
        return out

    def _image_to_data(self, frame: Image.Image, timeout: float) -> dict[str, Any]:
        """pytesseract.image_to_data with this instance's binary, language, page mode and timeout."""
        config = f"--psm {self.page_mode}"
        with _CALL_LOCK:
            previous = pytesseract.pytesseract.tesseract_cmd
            pytesseract.pytesseract.tesseract_cmd = self.tesseract_cmd
            try:
                return pytesseract.image_to_data(
                    frame,
                    lang=self.lang,
                    config=config,
                    timeout=timeout,
                    output_type=pytesseract.Output.DICT,
                )
            except pytesseract.TesseractNotFoundError as exc:
                raise OcrUnavailable(
                    "tesseract binary not found (set tesseract_cmd or run `make ocr`)"
                ) from exc
            except pytesseract.TesseractError as exc:
                raise OcrUnavailable(f"tesseract failed with status {exc.status}") from exc
            except RuntimeError as exc:  # pytesseract's "Tesseract process timeout"
                raise OcrUnavailable(f"tesseract timed out after {self.timeout_seconds:g} s") from exc
            except OSError as exc:
                raise OcrUnavailable(f"tesseract could not run ({type(exc).__name__})") from exc
            finally:
                pytesseract.pytesseract.tesseract_cmd = previous


def prepare(image: Image.Image) -> tuple[Image.Image, float]:
    """The frame in grayscale, reduced when very large, and the factor applied (resized = original * f)."""
    grey = image.convert("L")
    longest = max(grey.size)
    factor = 1.0
    if longest > _SETTINGS.number("downscale_above_px"):
        factor = _SETTINGS.number("downscale_to_px") / longest
        size = (max(1, round(grey.width * factor)), max(1, round(grey.height * factor)))
        grey = grey.resize(size, Image.Resampling.LANCZOS)
    return grey, factor


def strokes(grey: Image.Image, light: bool) -> Image.Image:
    """Thin strokes (text) as dark ink on white, with everything wider than the kernel removed.

    ``light``: light strokes on a dark ground (burned-in radiograph text, monitors), by a white
    top-hat; else dark strokes on any ground, by a black top-hat. Either removes anatomy, sky, grass
    and gradients, which otherwise turn black in Tesseract's global threshold and hide the text."""
    size = int(_SETTINGS.number("tophat_kernel_px"))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    operation = cv2.MORPH_TOPHAT if light else cv2.MORPH_BLACKHAT
    found = cv2.morphologyEx(np.asarray(grey, dtype=np.uint8), operation, kernel)
    stretched = cv2.normalize(found, None, 0, 255, cv2.NORM_MINMAX)
    return ImageOps.invert(Image.fromarray(stretched))


def mask_barcodes(grey: Image.Image) -> Image.Image:
    """The frame with barcode-like runs of tall thin dark bars painted over with the paper's grey.

    A barcode beside a label's text makes Tesseract read the text and the bars as one garbled line."""
    pixels = np.asarray(grey, dtype=np.uint8)
    _, ink = cv2.threshold(pixels, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    ratio, min_height = _SETTINGS.number("bar_min_aspect"), _SETTINGS.number("bar_min_height_px")
    bars = [
        tuple(int(v) for v in stats[i, :4])
        for i in range(1, count)
        if stats[i, 3] >= ratio * stats[i, 2] and stats[i, 3] >= min_height
    ]
    runs = [run for run in _bar_runs(sorted(bars)) if len(run) >= _SETTINGS.number("bar_min_count")]
    if not runs:
        return grey
    out = pixels.copy()
    paper = int(np.median(pixels[ink == 0])) if (ink == 0).any() else 255
    for run in runs:
        left, top, width, height = union(run)
        out[top : top + height, left : left + width] = paper
    return Image.fromarray(out)


def _bar_runs(bars: list[Box]) -> list[list[Box]]:
    """Bars (sorted by left edge) grouped into runs: similar top and height, small gaps between them."""
    runs: list[list[Box]] = []
    for bar in bars:
        for run in runs:
            last = run[-1]
            same_row = abs(bar[1] - last[1]) < 0.2 * last[3] and abs(bar[3] - last[3]) < 0.3 * last[3]
            if same_row and bar[0] - (last[0] + last[2]) < 0.5 * last[3]:
                run.append(bar)
                break
        else:
            runs.append([bar])
    return runs


def _mostly_dark(grey: Image.Image) -> bool:
    """True when the frame's mean brightness is under the threshold (light text on a dark ground)."""
    histogram = grey.histogram()
    mean = sum(value * count for value, count in enumerate(histogram)) / max(1, sum(histogram))
    return mean < _SETTINGS.number("dark_mean_below")


def merge_words(kept: list[OcrWord], new: list[OcrWord]) -> list[OcrWord]:
    """``kept`` (earlier passes) plus ``new`` (one more pass). Words of the two that cover the same ink
    form groups; in each group the side with more confident characters (confidence x length) stays,
    so "CHEST" beats "EST" and "PA" + "ERECT" beat "PAERECT". Words that clash with nothing stay."""
    groups = _clash_groups(kept, new)
    dropped_old: set[int] = set()
    dropped_new: set[int] = set()
    for old_ids, new_ids in groups:
        if sum(_weight(new[j]) for j in new_ids) > sum(_weight(kept[i]) for i in old_ids):
            dropped_old |= old_ids
        else:
            dropped_new |= new_ids
    return [w for i, w in enumerate(kept) if i not in dropped_old] + [
        w for j, w in enumerate(new) if j not in dropped_new
    ]


def _clash_groups(kept: list[OcrWord], new: list[OcrWord]) -> list[tuple[set[int], set[int]]]:
    """Connected groups of (kept indexes, new indexes) linked by reading the same ink."""
    links = {j: {i for i, old in enumerate(kept) if _same_place(old, word)} for j, word in enumerate(new)}
    groups: list[tuple[set[int], set[int]]] = []
    for j, olds in links.items():
        if not olds:
            continue
        joined = [g for g in groups if g[0] & olds]
        merged = (set(olds).union(*(g[0] for g in joined)), {j}.union(*(g[1] for g in joined)))
        groups = [g for g in groups if not g[0] & olds] + [merged]
    return groups


def _same_place(a: OcrWord, b: OcrWord) -> bool:
    """Two passes read the same ink: the boxes overlap well, the smaller lies mostly in the larger, or
    they touch and say the same thing."""
    common = share(a.box, b.box)
    return overlap(a.box, b.box) > 0.3 or common >= 0.5 or (common > 0 and a.text.lower() == b.text.lower())


def _weight(word: OcrWord) -> float:
    return word.confidence * len(word.text)


def group_lines(words: Sequence[OcrWord]) -> list[list[OcrWord]]:
    """Words grouped into lines: same row (vertical centres inside the row's band), split at wide gaps."""
    rows: list[list[OcrWord]] = []
    for word in sorted(words, key=lambda w: w.box[1] + w.box[3] / 2):
        centre = word.box[1] + word.box[3] / 2
        if rows and _row_top(rows[-1]) <= centre <= _row_bottom(rows[-1]):
            rows[-1].append(word)
        else:
            rows.append([word])
    lines: list[list[OcrWord]] = []
    for row in rows:
        lines.extend(_split_at_gaps(sorted(row, key=lambda w: w.box[0])))
    return lines


def _row_top(row: list[OcrWord]) -> float:
    return min(w.box[1] for w in row)


def _row_bottom(row: list[OcrWord]) -> float:
    return max(w.box[1] + w.box[3] for w in row)


def _split_at_gaps(row: list[OcrWord]) -> list[list[OcrWord]]:
    """A row cut wherever the gap between neighbouring words exceeds a multiple of the row height."""
    limit = _SETTINGS.number("line_gap_heights") * max(w.box[3] for w in row)
    lines = [[row[0]]]
    for previous, word in itertools.pairwise(row):
        if word.box[0] - (previous.box[0] + previous.box[2]) > limit:
            lines.append([word])
        else:
            lines[-1].append(word)
    return lines
