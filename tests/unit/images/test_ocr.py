"""TesseractOcr: words, boxes and lines read from generated pictures, and failing closed."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from image_support import TEXT_SIZE, landscape_image, radiograph_image
from PIL import Image, ImageDraw
from postguard.devtools.image_samples import font, monitor, wristband
from postguard.domain.images.geometry import Box, overlap, union
from postguard.domain.images.ocr import (
    OcrText,
    OcrUnavailable,
    OcrWord,
    TesseractOcr,
    group_lines,
    merge_words,
)
from postguard.domain.images.redact import redact_image

pytestmark = pytest.mark.unit

NAME, DATE = "Marta Kowalczyk", "03/14/2024"


@pytest.fixture(scope="module")
def ocr() -> TesseractOcr:
    return TesseractOcr()


def drawn_box(text: str, origin: tuple[int, int], size: int) -> Box:
    """Where Pillow drew ``text`` at ``origin`` in the bundled font."""
    left, top, right, bottom = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox(origin, text, font=font(size))
    return (left, top, right - left, bottom - top)


def span(text: OcrText, needle: str) -> tuple[int, int]:
    start = text.text.index(needle)
    return start, start + len(needle)


def test_reads_a_name_and_a_date_burned_into_a_radiograph(ocr: TesseractOcr) -> None:
    text = ocr.read(radiograph_image([NAME, DATE]))
    assert text.text.splitlines() == [NAME, DATE]
    assert all(0.0 <= w.confidence <= 1.0 for w in text.words)


def test_boxes_for_a_span_cover_the_drawn_words(ocr: TesseractOcr) -> None:
    text = ocr.read(radiograph_image([NAME, DATE]))
    name_box = union(text.boxes_for(*span(text, NAME)))
    date_box = union(text.boxes_for(*span(text, DATE)))
    step = int(TEXT_SIZE * 1.5)
    assert overlap(name_box, drawn_box(NAME, (20, 20), TEXT_SIZE)) > 0.7
    assert overlap(date_box, drawn_box(DATE, (20, 20 + step), TEXT_SIZE)) > 0.7
    assert len(text.boxes_for(*span(text, "Kowalczyk"))) == 1  # one word of the name: one box


def test_redacting_the_read_boxes_leaves_neither_the_name_nor_the_date(ocr: TesseractOcr) -> None:
    image = radiograph_image([NAME, DATE])
    text = ocr.read(image)
    boxes = text.boxes_for(*span(text, NAME)) + text.boxes_for(*span(text, DATE))
    again = ocr.read(redact_image(image, boxes)).text.lower()
    for word in ("marta", "kowalczyk", "03/14/2024", "2024"):
        assert word not in again


def test_light_text_on_a_dark_monitor_is_read(ocr: TesseractOcr) -> None:
    sample = monitor(3)
    read = ocr.read(sample.image).text
    for line in sample.lines:
        assert line in read


def test_a_label_beside_a_barcode_is_read(ocr: TesseractOcr) -> None:
    sample = wristband(1)  # Tesseract alone reads only garbage next to the bars
    read = ocr.read(sample.image).text
    for line in sample.lines[:2]:
        assert line in read


def test_a_large_photo_is_read_and_boxes_are_in_its_own_pixels(ocr: TesseractOcr) -> None:
    image = landscape_image((4000, 3000))
    caption, origin = "Ward 7 with Marta Kowalczyk", (300, 2700)
    ImageDraw.Draw(image).rectangle((260, 2660, 2000, 2800), fill=(255, 255, 255))
    ImageDraw.Draw(image).text(origin, caption, font=font(64), fill=(0, 0, 0))
    text = ocr.read(image)
    assert caption in text.text
    assert overlap(union(text.boxes_for(*span(text, caption))), drawn_box(caption, origin, 64)) > 0.7


def test_a_blank_image_reads_as_no_text(ocr: TesseractOcr) -> None:
    text = ocr.read(Image.new("RGB", (300, 200), (255, 255, 255)))
    assert (text.text, text.words, text.offsets) == ("", (), ())


def word(text: str, box: Box) -> OcrWord:
    return OcrWord(text, box, 0.9)


def test_lines_join_words_and_offsets_index_the_text() -> None:
    words = [word("Bed", (10, 10, 30, 12)), word("4", (45, 11, 8, 12)), word("Smith", (10, 40, 50, 12))]
    text = OcrText.from_lines(group_lines(list(reversed(words))))
    assert text.text == "Bed 4\nSmith"
    assert [text.text[s:e] for s, e in text.offsets] == ["Bed", "4", "Smith"]
    assert text.boxes_for(4, 8) == [(45, 11, 8, 12), (10, 40, 50, 12)]  # "4\nSm" touches two words
    assert text.boxes_for(3, 4) == []  # the space between words belongs to none


def test_words_far_apart_on_one_row_are_separate_lines() -> None:
    words = [word("HR", (10, 10, 30, 12)), word("72", (500, 10, 20, 12))]
    assert OcrText.from_lines(group_lines(words)).text == "HR\n72"


def test_passes_merge_to_the_more_confident_reading_of_the_same_ink() -> None:
    def texts(words: list[OcrWord]) -> list[str]:
        return [w.text for w in words]

    split = [OcrWord("PA", (0, 0, 26, 15), 0.95), OcrWord("ERECT", (33, 0, 67, 15), 0.95)]
    assert texts(merge_words([OcrWord("PAERECT", (0, 0, 100, 15), 0.91)], split)) == ["PA", "ERECT"]
    assert texts(merge_words([OcrWord("EST", (30, 0, 40, 15), 0.96)], [word("CHEST", (0, 0, 70, 15))])) == [
        "CHEST"
    ]
    shifted = [word("B", (52, 1, 10, 10)), word("C", (100, 0, 10, 10))]
    assert texts(merge_words([word("A", (0, 0, 10, 10)), word("B", (50, 0, 10, 10))], shifted)) == [
        "A",
        "B",
        "C",
    ]


def test_a_missing_tesseract_binary_is_ocr_unavailable(tmp_path: Path) -> None:
    missing = TesseractOcr(tesseract_cmd=str(tmp_path / "no-such-tesseract"))
    with pytest.raises(OcrUnavailable, match="tesseract binary not found"):
        missing.read(radiograph_image([NAME]))


def fake_tesseract(tmp_path: Path, body: str) -> str:
    script = tmp_path / "tesseract"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_a_tesseract_that_hangs_is_stopped_and_ocr_unavailable(tmp_path: Path) -> None:
    hanging = TesseractOcr(tesseract_cmd=fake_tesseract(tmp_path, "exec sleep 60"), timeout_seconds=0.5)
    with pytest.raises(OcrUnavailable, match="timed out") as caught:
        hanging.read(radiograph_image([NAME]))
    assert NAME not in str(caught.value)


def test_a_tesseract_that_crashes_is_ocr_unavailable(tmp_path: Path) -> None:
    crashing = TesseractOcr(tesseract_cmd=fake_tesseract(tmp_path, "echo 'Error in pixRead' >&2; exit 1"))
    with pytest.raises(OcrUnavailable, match="status 1"):
        crashing.read(radiograph_image([NAME]))
