"""Cost of attachment screening: detect_batch posts/s with and without two attachments per post, one core.

Not a test (pytest does not collect it): run ``.venv/bin/python tests/unit/identifiers/bench_attachments.py``.
Each post gets a DICOM image (30 tags, 3 identifying, an alt text) and a phone photo (EXIF with GPS, a
free-text ImageDescription, an alt text): four extra texts for the recognizers plus ~45 tag lookups.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.types import Attachment, Post

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_identifiers import make_posts

DICOM_TAGS = {
    **{f"Tag{i}": f"value {i}" for i in range(27)},
    "PatientName": "DOE^JANE",
    "StudyDate": "20240304",
    "Modality": "CR",
}
EXIF_TAGS = {
    "Make": "Apple",
    "Model": "iPhone 15",
    "ExposureTime": "1/120",
    "FNumber": "1.8",
    "ISO": "64",
    "DateTimeOriginal": "2024:03:04 10:15:02",
    "GPSLatitude": "40 deg 26' 46.30\" N",
    "GPSLongitude": "79 deg 58' 56.00\" W",
    "ImageDescription": "Team photo on the ward after the night shift",
    **{f"Extra{i}": "x" for i in range(6)},
}


def with_attachments(post: Post, i: int) -> Post:
    return replace(
        post,
        attachments=(
            Attachment(
                f"img-{i}-1", "application/dicom", alt_text=f"Hip X-ray, {i % 12 + 1}/4", metadata=DICOM_TAGS
            ),
            Attachment(f"img-{i}-2", "image/jpeg", alt_text="Our nurses at the handover", metadata=EXIF_TAGS),
        ),
    )


def rate(detector: IdentifierDetector, posts: list[Post], batch: int) -> tuple[float, int]:
    started, found = time.perf_counter(), 0
    for i in range(0, len(posts), batch):
        found += sum(len(f) for f in detector.detect_batch(posts[i : i + batch]))
    return len(posts) / (time.perf_counter() - started), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=3_000)
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    plain = make_posts(args.posts)
    attached = [with_attachments(p, i) for i, p in enumerate(plain)]
    detector = IdentifierDetector()
    detector.detect_batch(attached[:200])  # warm-up
    for name, posts in (("text only", plain), ("text + 2 attachments", attached)):
        per_second, found = rate(detector, posts, args.batch)
        print(
            f"identifier-detection, {name}: {len(posts)} posts = {per_second:.0f} posts/s, {found} findings"
        )


if __name__ == "__main__":
    main()
