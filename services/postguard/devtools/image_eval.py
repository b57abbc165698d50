"""OCR word recall and face recall / false alarms on generated images (devtools/image_samples.py).

    python -m postguard.devtools.image_eval [--per-set 5] [--sets radiograph,monitor] [--psm 11]
        [--passes auto|all|plain] [--min-confidence 0.3] [--no-faces] [--no-ocr] [--misses]

OCR, per set: images, words drawn, drawn words read (case-insensitive, surrounding punctuation ignored,
each read word matched once), recall, extra read words that match nothing drawn, seconds per image.
Faces: recall over the face photos, false alarms per image over the photos without a face, seconds per
image. ``--misses`` also prints which sample missed what (the images are generated: no real data).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Sequence

from postguard.devtools.image_samples import OCR_SETS, face_samples, nonface_samples, ocr_samples
from postguard.domain.images.faces import FaceDetector
from postguard.domain.images.ocr import TesseractOcr

_PUNCT = ".,:;!?()[]\"'“”‘’"


def normalise(word: str) -> str:
    """Lower case, surrounding punctuation removed."""
    return word.strip(_PUNCT).lower()


def matched(drawn: Sequence[str], read: Sequence[str]) -> tuple[int, int, list[str]]:
    """(drawn words read, read words matching nothing, drawn words missed), each read word used once."""
    pool = Counter(normalise(w) for w in read if normalise(w))
    hits, missed = 0, []
    for word in drawn:
        key = normalise(word)
        if not key:
            continue
        if pool[key] > 0:
            pool[key] -= 1
            hits += 1
        else:
            missed.append(word)
    return hits, sum(pool.values()), missed


def eval_ocr(ocr: TesseractOcr, per_set: int, sets: Sequence[str], misses: bool) -> None:
    """Print one row per set: images, words drawn, words read, recall, extra words, seconds per image."""
    print(f"{'set':<17} {'images':>6} {'drawn':>6} {'read':>6} {'recall':>7} {'extra':>6} {'s/image':>8}")
    total_drawn = total_read = 0
    for name in sets:
        samples = ocr_samples(per_set, (name,))
        drawn = read = extra = 0
        started = time.perf_counter()
        for sample in samples:
            text = ocr.read(sample.image)
            hits, spare, missed = matched(sample.words, text.text.split())
            drawn += len(sample.words)
            read += hits
            extra += spare
            if misses and missed:
                print(f"  {name}: missed {missed}")
        seconds = (time.perf_counter() - started) / len(samples)
        total_drawn += drawn
        total_read += read
        recall = read / drawn
        print(f"{name:<17} {len(samples):>6} {drawn:>6} {read:>6} {recall:>7.3f} {extra:>6} {seconds:>8.2f}")
    print(f"{'all':<17} {'':>6} {total_drawn:>6} {total_read:>6} {total_read / total_drawn:>7.3f}")


def eval_faces(detector: FaceDetector, misses: bool) -> None:
    """Print face recall on the face photos and false alarms per image on the others."""
    faces, others = face_samples(), nonface_samples()
    started = time.perf_counter()
    found = 0
    for sample in faces:
        hit = bool(detector.detect(sample.image))
        found += hit
        if misses and not hit:
            print(f"  face missed: {sample.name}")
    alarms = 0
    alarm_images = 0
    for sample in others:
        count = len(detector.detect(sample.image))
        alarms += count
        alarm_images += count > 0
        if misses and count:
            print(f"  false alarm x{count}: {sample.name}")
    seconds = (time.perf_counter() - started) / (len(faces) + len(others))
    print(f"faces: recall {found}/{len(faces)} = {found / len(faces):.3f}")
    print(
        f"no-face images: {alarms} false alarms on {len(others)} images"
        f" = {alarms / len(others):.3f} per image ({alarm_images} images with any)"
    )
    print(f"seconds per image: {seconds:.3f}")


def main(argv: Sequence[str] | None = None) -> None:
    """Run the evaluation named by the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-set", type=int, default=5)
    parser.add_argument("--sets", default=",".join(OCR_SETS))
    parser.add_argument("--psm", type=int, default=None)
    parser.add_argument("--passes", default="auto", choices=("auto", "all", "plain"))
    parser.add_argument("--min-confidence", type=float, default=None)
    parser.add_argument("--no-ocr", action="store_true")
    parser.add_argument("--no-faces", action="store_true")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args(argv)
    options: dict[str, object] = {"passes": args.passes}
    if args.psm is not None:
        options["page_mode"] = args.psm
    if args.min_confidence is not None:
        options["min_confidence"] = args.min_confidence
    if not args.no_ocr:
        eval_ocr(TesseractOcr(**options), args.per_set, args.sets.split(","), args.misses)  # type: ignore[arg-type]
    if not args.no_faces:
        eval_faces(FaceDetector(), args.misses)


if __name__ == "__main__":
    main()
