"""Copy the best trained NER pipeline into the package and stamp its meta (then run evaluate --calibrate)."""

from __future__ import annotations

import argparse
from pathlib import Path

from training.common import MODELS_DIR, package

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--src", type=Path, default=HERE / "output" / "model-best")
    parser.add_argument("--dest", type=Path, default=MODELS_DIR / "ner")
    args = parser.parse_args()
    package(
        args.src,
        args.dest,
        "postguard_ner",
        "PostGuard identifier NER: PERSON, LOCATION, FACILITY, ORG in informal social-media English",
        [
            {"name": "Broad Twitter Corpus", "license": "CC BY 4.0"},
            {"name": "WNUT17 Emerging Entities", "license": "CC BY 4.0"},
            {"name": "presidio-research synth_dataset_v2", "license": "MIT (+ CC BY-SA 3.0 US names)"},
            {"name": "PostGuard clinical-post templates filled with Faker", "license": "project-generated"},
            {
                "name": "PostGuard staff-post templates (staff_templates.yaml) filled with Faker names of 26 "
                "locales (MIT) and GeoNames places from the repo gazetteer (CC BY 4.0)",
                "license": "project-generated; names MIT, places CC BY 4.0 (attribution: GeoNames.org)",
            },
            {
                "name": "PostGuard hand-written annotated staff posts and clinical-note fragments "
                "(data/train/ner_train_*.txt), with names swapped from the staff-template pools",
                "license": "written for this project",
            },
        ],
    )


if __name__ == "__main__":
    main()
