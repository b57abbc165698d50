"""Seconds per image of the OCR and face detector at 1 and 12 megapixels (the image stage's parts).

Usage: .venv/bin/python benchmarks/bench_image_parts.py [--runs 3] [--json out.json]

Images come from postguard.devtools.image_samples (generated, no real data): at 1 MP a 1024x1024
radiograph with burned-in text and a 1024x1024 portrait; at 12 MP a 4000x3000 textured photo with a
caption and the same portrait inside a 4000x3000 landscape. Printed per part and size: the median and
the worst wall-clock seconds over the runs, and the load average (other work on the machine slows
Tesseract, which uses every core).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable

from PIL import Image
from postguard.devtools.image_samples import astronaut, landscape, photo12mp, radiograph
from postguard.domain.images.faces import FaceDetector
from postguard.domain.images.ocr import TesseractOcr


def images() -> dict[str, Image.Image]:
    """The four benchmark images by name."""
    portrait_12mp = landscape(1, (4000, 3000))
    portrait_12mp.paste(astronaut().resize((1400, 1400)), (1300, 800))
    return {
        "text-1mp": radiograph(0).image,
        "portrait-1mp": astronaut().resize((1024, 1024)),
        "text-12mp": photo12mp(0).image,
        "portrait-12mp": portrait_12mp,
    }


def timed(work: Callable[[], object], runs: int) -> list[float]:
    """Wall-clock seconds of ``runs`` calls."""
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    """Time each part on each image and print a table (and JSON when asked)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    ocr, faces = TesseractOcr(), FaceDetector()
    rows = []
    print(f"cpus {os.cpu_count()}, load average before {os.getloadavg()[0]:.1f}")
    print(f"{'part':<6} {'image':<14} {'pixels':>10} {'median s':>9} {'worst s':>8}")
    for name, image in images().items():
        for part, work in (("ocr", ocr.read), ("faces", faces.detect)):
            seconds = timed(lambda work=work, image=image: work(image), args.runs)
            row = {"part": part, "image": name, "pixels": image.width * image.height}
            row |= {"median_s": round(statistics.median(seconds), 3), "worst_s": round(max(seconds), 3)}
            rows.append(row)
            print(f"{part:<6} {name:<14} {row['pixels']:>10} {row['median_s']:>9.3f} {row['worst_s']:>8.3f}")
    print(f"load average after {os.getloadavg()[0]:.1f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(rows, out, indent=2)


if __name__ == "__main__":
    main()
