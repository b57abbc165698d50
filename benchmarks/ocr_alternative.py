"""OCR engine comparison: Tesseract (shipped) against RapidOCR (PP-OCR models in ONNX, from PyPI).

RapidOCR is not a PostGuard dependency, so this runs in two steps:

  .venv/bin/python benchmarks/ocr_alternative.py export DIR      # the generated OCR sets, with their words
  python3 -m venv /tmp/rvenv && /tmp/rvenv/bin/pip install rapidocr_onnxruntime
  /tmp/rvenv/bin/python benchmarks/ocr_alternative.py rapidocr DIR

Prints the same table as ``python -m postguard.devtools.image_eval`` (words drawn, read, recall, extra
words, seconds per image), with the same matching (lower case, surrounding punctuation removed, each
read word used once).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

_PUNCT = ".,:;!?()[]\"'“”‘’"


def _norm(word: str) -> str:
    return word.strip(_PUNCT).lower()


def export(directory: Path) -> None:
    from postguard.devtools.image_samples import ocr_samples

    directory.mkdir(parents=True, exist_ok=True)
    truth = []
    for i, sample in enumerate(ocr_samples(5)):
        path = directory / f"{i:03d}-{sample.set_name}.png"
        sample.image.save(path)
        truth.append({"path": str(path), "set": sample.set_name, "words": list(sample.words)})
    (directory / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
    print(f"{len(truth)} images in {directory}")


def rapidocr(directory: Path) -> None:
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR()
    truth = json.loads((directory / "truth.json").read_text(encoding="utf-8"))
    engine(truth[0]["path"])  # warm-up: model load
    sets: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0, 0.0, 0])
    for case in truth:
        started = time.perf_counter()
        result, _ = engine(case["path"])
        seconds = time.perf_counter() - started
        pool = Counter(_norm(w) for line in result or [] for w in line[1].split() if _norm(w))
        hits = 0
        for word in case["words"]:
            if pool[_norm(word)] > 0:
                pool[_norm(word)] -= 1
                hits += 1
        row = sets[case["set"]]
        row[0] += len(case["words"])
        row[1] += hits
        row[2] += sum(pool.values())
        row[3] += seconds
        row[4] += 1
    print(f"{'set':<17} {'images':>6} {'drawn':>6} {'read':>6} {'recall':>7} {'extra':>6} {'s/image':>8}")
    for name, (drawn, read, extra, seconds, count) in sets.items():
        recall, per_image = read / drawn, seconds / count
        print(f"{name:<17} {count:>6} {drawn:>6} {read:>6} {recall:>7.3f} {extra:>6} {per_image:>8.2f}")
    drawn, read = sum(r[0] for r in sets.values()), sum(r[1] for r in sets.values())
    print(f"{'all':<17} {'':>6} {drawn:>6} {read:>6} {read / drawn:>7.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("export", "rapidocr"):
        raise SystemExit(__doc__)
    (export if sys.argv[1] == "export" else rapidocr)(Path(sys.argv[2]))
