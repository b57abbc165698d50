"""Sanity numbers for the identifier rules on public data (not a test; not the gold set).

- presidio synthetic PII sentences: per-label overlap recall / precision of the structured recognizers;
- UCI health-news tweets (outlets, no case posts): how many posts get a non-URL finding (false alarms).

Run ``.venv/bin/python tests/unit/identifiers/eval_identifiers_public.py [--datasets ../shared/datasets]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from collections import Counter
from pathlib import Path

from postguard.domain.identifiers import IdentifierDetector
from postguard.domain.types import Post

# presidio entity type -> our labels that count as finding it
PRESIDIO_TO_LABELS = {
    "PHONE_NUMBER": {"PHONE", "FAX"},
    "EMAIL_ADDRESS": {"EMAIL"},
    "US_SSN": {"SSN"},
    "IP_ADDRESS": {"IP_ADDRESS"},
    "CREDIT_CARD": {"ACCOUNT_NUMBER"},
    "IBAN_CODE": {"ACCOUNT_NUMBER"},
    "US_DRIVER_LICENSE": {"LICENSE_NUMBER"},
    "STREET_ADDRESS": {"LOCATION"},
    "ZIP_CODE": {"LOCATION"},
    "GPE": {"LOCATION"},
    "AGE": {"AGE"},
    "DOMAIN_NAME": {"URL"},
    "DATE_TIME": {"DATE"},
    "PERSON": {"PERSON"},
}


def presidio(detector: IdentifierDetector, path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    results = detector.detect_batch([Post(str(i), "i", "x", d["full_text"]) for i, d in enumerate(data)])
    gold, hit, predicted, correct = Counter(), Counter(), Counter(), Counter()
    for item, found in zip(data, results, strict=True):
        spans = item["spans"]
        for s in spans:
            labels = PRESIDIO_TO_LABELS.get(s["entity_type"])
            if labels is None:
                continue
            gold[s["entity_type"]] += 1
            hit[s["entity_type"]] += any(
                f.label in labels and f.start < s["end_position"] and s["start_position"] < f.end
                for f in found
            )
        for f in found:
            predicted[f.label] += 1
            correct[f.label] += any(
                f.label in PRESIDIO_TO_LABELS.get(s["entity_type"], ())
                and f.start < s["end_position"]
                and s["start_position"] < f.end
                for s in spans
            )
    print(f"presidio synth_dataset_v2_train ({len(data)} sentences): recall per gold type")
    for entity in sorted(gold):
        print(f"  {entity:18} n={gold[entity]:4}  recall={hit[entity] / gold[entity]:.2f}")
    print("  precision per predicted label (overlaps a gold span of a matching type)")
    for label in sorted(predicted):
        print(f"  {label:22} n={predicted[label]:4}  precision={correct[label] / predicted[label]:.2f}")


def health_news(detector: IdentifierDetector, folder: Path, sample: int = 10_000) -> None:
    texts = []
    for file in sorted(folder.glob("*.txt.gz")):
        with gzip.open(file, "rt", encoding="utf-8", errors="replace") as lines:
            texts += [parts[2] for line in lines if len(parts := line.rstrip("\n").split("|", 2)) == 3]
    random.Random(1).shuffle(texts)
    texts = texts[:sample]
    results = detector.detect_batch([Post(str(i), "i", "x", t) for i, t in enumerate(texts)])
    per_label = Counter(label for found in results for label in {f.label for f in found})
    flagged = sum(any(f.label != "URL" and f.confidence >= 0.5 for f in found) for found in results)
    print(f"UCI health-news tweets ({len(texts)} sampled): posts with a finding, per label")
    for label in sorted(per_label):
        print(f"  {label:22} {per_label[label]:5}")
    print(f"  posts with a non-URL finding at confidence >= 0.5: {flagged} ({flagged / len(texts):.1%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--datasets", type=Path, default=Path(__file__).resolve().parents[4] / "shared/datasets"
    )
    args = parser.parse_args()
    detector = IdentifierDetector()
    presidio(detector, args.datasets / "presidio_synth_pii/synth_dataset_v2_train.json")
    health_news(detector, args.datasets / "uci_health_news_tweets/Health-Tweets")


if __name__ == "__main__":
    main()
