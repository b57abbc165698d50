"""Copy the best trained textcat pipeline into the package and stamp its meta."""

from __future__ import annotations

import argparse
from pathlib import Path

from training.common import MODELS_DIR, package

HERE = Path(__file__).resolve().parent


PUBLIC_SOURCES = [
    {"name": "ChatDoctor GenMedGPT-5k", "license": "Apache-2.0 (ChatGPT-generated)"},
    {"name": "MedQuAD", "license": "CC BY 4.0"},
    {"name": "UCI Health News in Twitter", "license": "CC BY 4.0"},
    {"name": "Reddit advice (EMNLP 2020)", "license": "MIT"},
    {"name": "Davidson hate/offensive", "license": "MIT"},
    {"name": "HateXplain (MBIB copy)", "license": "MIT / GPL-3.0"},
]
"""The public corpus of ``training.textcat.convert`` (licences in the textcat README)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--src", type=Path, default=HERE / "output" / "model-best")
    parser.add_argument("--dest", type=Path, default=MODELS_DIR / "textcat")
    args = parser.parse_args()
    package(
        args.src,
        args.dest,
        "postguard_textcat",
        "PostGuard content classifiers: PERSONAL_ADVICE and UNPROFESSIONAL (multilabel bag-of-words)",
        PUBLIC_SOURCES,
    )


if __name__ == "__main__":
    main()
