"""Image screening speed: images/s per core and latency per image at 1 and 12 megapixels.

Usage: .venv/bin/python benchmarks/bench_images.py [--images 12] [--sizes 1,12] [--core 0] [--no-models]

Each image is a generated photo-like picture (gradient, noise and shapes) with a few lines of burned-in
text (a name, a date, a bed number) at a size proportional to the picture, encoded as JPEG. Every image
goes through the whole image stage (decode, metadata, OCR, faces, the text detectors on the read text,
the redacted copy) one post at a time, as the embedded pipeline and the image-screening service run it.
Prints, per size: images/s on one CPU (CPU time of this process and its Tesseract children), wall p50 and
p95 per image, and the share of time in OCR. Text-only posts do not pass through this stage at all.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "services"))

LINES = ["Bed 4  J. Alvarez", "Adm 03/14/2024", "MRN 4471203", "Ward 7B"]


def picture(megapixels: float, seed: int) -> bytes:
    """A JPEG of about ``megapixels`` with burned-in text lines (4:3)."""
    rng = np.random.default_rng(seed)
    height = int((megapixels * 1e6 * 3 / 4) ** 0.5)
    width = int(height * 4 / 3)
    ramp = np.linspace(40, 200, width, dtype=np.float32)[None, :, None]
    noise = rng.normal(0, 12, (height, width, 1)).astype(np.float32)
    pixels = np.clip(ramp + noise + np.array([10, 0, -10], dtype=np.float32), 0, 255).astype(np.uint8)
    pixels = np.broadcast_to(pixels, (height, width, 3)).copy()
    image = Image.fromarray(pixels, "RGB")
    draw = ImageDraw.Draw(image)
    size = max(24, height // 30)
    font = ImageFont.load_default(size=size)
    for _ in range(6):
        x, y = int(rng.integers(0, width - 200)), int(rng.integers(0, height - 200))
        draw.ellipse((x, y, x + height // 8, y + height // 8), fill=(90, 120, 160))
    for i, line in enumerate(LINES):
        draw.rectangle(
            (size, size + i * size * 2 - 4, size + size * 12, size + i * size * 2 + size + 8), fill="white"
        )
        draw.text((size + 4, size + i * size * 2), line, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (Tesseract runs as a child process)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=12, help="images per size (default 12)")
    parser.add_argument("--sizes", default="1,12", help="megapixels, comma-separated (default 1,12)")
    parser.add_argument("--core", type=int, default=0, help="pin to this CPU (-1: no pinning)")
    parser.add_argument("--no-models", action="store_true", help="rules only for the read text")
    args = parser.parse_args(argv)
    if args.core >= 0 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.core})  # Tesseract children inherit the pin
        os.environ["OMP_THREAD_LIMIT"] = "1"

    from postguard.domain.pipeline import ScreeningPipeline
    from postguard.domain.types import Attachment, Post

    pipeline = ScreeningPipeline.default(use_models=not args.no_models)
    print(
        f"image screening, one post per image, {'rules only' if args.no_models else 'with models'}",
        flush=True,
    )
    print(f"{'size':>6} {'images':>6} {'img/CPU-s':>9} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>9}  verdicts")
    for megapixels in (float(s) for s in args.sizes.split(",")):
        images = [picture(megapixels, seed) for seed in range(args.images + 1)]
        posts = [
            Post(
                f"img-{i}",
                "demo-hospital",
                "x",
                "Our team today.",
                attachments=(Attachment("a1", "image/jpeg", content=data),),
            )
            for i, data in enumerate(images)
        ]
        pipeline.screen(posts[0])  # warm-up: models, Tesseract's data, OpenCV's cascade
        walls, verdicts = [], {}
        cpu0 = cpu_seconds()
        for post in posts[1:]:
            started = time.perf_counter()
            decision = pipeline.screen(post)
            walls.append(time.perf_counter() - started)
            verdicts[str(decision.verdict)] = verdicts.get(str(decision.verdict), 0) + 1
        cpu = cpu_seconds() - cpu0
        p95 = sorted(walls)[max(0, int(len(walls) * 0.95 + 0.5) - 1)]
        p50 = statistics.median(walls)
        print(
            f"{megapixels:>4.0f}MP {len(walls):>6} {len(walls) / cpu:>9.2f} {p50 * 1e3:>8.0f} "
            f"{p95 * 1e3:>8.0f} {sum(map(len, images)) // len(images):>9}  {verdicts}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
