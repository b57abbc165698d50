"""Builds the demo's sample images (samples/images/*.png|jpg) used by samples/image-posts.jsonl.

Usage: .venv/bin/python samples/images/build.py   (deterministic; the files are committed)

Every picture is generated (tests/image_support.py builders); names and dates are invented. The face is
scikit-image's astronaut photo (NASA, public domain).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests"))

import image_support as images  # noqa: E402


def main() -> int:
    files = {
        "xray-burned-in.jpg": images.jpeg_bytes(images.radiograph_image(["DELACROIX, AMELIE", "11/02/2024"])),
        "ward-board.png": images.whiteboard_png(["Bed 2 - H. Nakamura", "Bed 3 - Okonkwo", "Bed 4 - empty"]),
        "garden-gps.jpg": images.photo_jpeg_with_gps(39.7684, -86.1581),
        "flu-chart.png": images.chart_png(),
        "astronaut.jpg": images.face_jpeg(),
    }
    for name, data in files.items():
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
