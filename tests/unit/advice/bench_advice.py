"""Benchmark and sanity check of the advice rules (not a test): throughput and label rates on real corpora.

Run: .venv/bin/python tests/unit/advice/bench_advice.py
Reads the third-party corpora in ../shared/datasets (never data/gold); prints numbers, asserts nothing.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import random
import re
import tarfile
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from postguard.domain.advice import AdviceClassifier
from postguard.domain.types import ContentLabel, Post

DATASETS = Path(os.environ.get("POSTGUARD_DATASETS", "/work/shared/datasets"))


def health_tweets(limit: int) -> list[str]:
    texts: list[str] = []
    for path in sorted((DATASETS / "uci_health_news_tweets" / "Health-Tweets").glob("*.txt.gz")):
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
            texts += [line.rstrip("\n").split("|", 2)[-1] for line in fh if line.count("|") >= 2]
    random.Random(7).shuffle(texts)
    return texts[:limit]


def chatdoctor_replies(limit: int) -> list[str]:
    rows = json.loads((DATASETS / "chatdoctor_genmedgpt5k" / "chatdoctor5k_train.json").read_text("utf-8"))
    return [r["output"] for r in rows[:limit]]


def medquad_answers(limit: int) -> list[str]:
    """First ~280 characters (whole sentences) of NIH Q&A answers: general health education."""
    texts: list[str] = []
    with tarfile.open(DATASETS / "medquad" / "medquad_train_xml.tar.gz") as tar:
        members = [m for m in tar.getmembers() if m.name.endswith(".xml")]
        random.Random(7).shuffle(members)
        for member in members:
            fh = tar.extractfile(member)
            if fh is None:
                continue
            for answer in re.findall(r"<Answer>(.*?)</Answer>", fh.read().decode("utf-8", "replace"), re.S):
                sentences = re.split(r"(?<=[.!?])\s+", " ".join(answer.split()))
                post = ""
                for sentence in sentences:
                    if len(post) + len(sentence) > 280:
                        break
                    post = f"{post} {sentence}".strip()
                if len(post) > 40:
                    texts.append(post)
            if len(texts) >= limit:
                break
    return texts[:limit]


def davidson(limit: int) -> dict[str, list[str]]:
    names = {"0": "hate", "1": "offensive", "2": "neither"}
    out: dict[str, list[str]] = {v: [] for v in names.values()}
    with (DATASETS / "davidson_hate_offensive" / "labeled_data_train.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            bucket = out[names[row["class"]]]
            if len(bucket) < limit:
                bucket.append(row["tweet"])
    return out


def label_rates(classifier: AdviceClassifier, texts: Iterable[str]) -> tuple[int, Counter[str]]:
    posts = [Post(post_id=str(i), institution_id="bench", platform="x", text=t) for i, t in enumerate(texts)]
    counts: Counter[str] = Counter()
    for findings in classifier.classify_batch(posts):
        counts.update({f.label for f in findings})
    return len(posts), counts


def report(name: str, n: int, counts: Counter[str]) -> None:
    rates = "  ".join(f"{label.value[:14]}={counts[label.value] / n:6.1%}" for label in ContentLabel)
    print(f"{name:<24} n={n:<5} {rates}")


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target is stated
    started = time.perf_counter()
    classifier = AdviceClassifier()
    print(f"build: {time.perf_counter() - started:.2f}s")

    # Throughput on ~200-character posts: health tweets padded to 200 chars with a second tweet.
    tweets = health_tweets(6000)
    posts_text = [(a + " " + b)[:200] for a, b in zip(tweets[::2], tweets[1::2], strict=False)]
    posts = [
        Post(post_id=str(i), institution_id="bench", platform="x", text=t) for i, t in enumerate(posts_text)
    ]
    classifier.classify_batch(posts[:200])  # warm-up
    best = 0.0
    for _ in range(3):
        t0 = time.perf_counter()
        classifier.classify_batch(posts)
        best = max(best, len(posts) / (time.perf_counter() - t0))
    mean_len = sum(map(len, posts_text)) / len(posts_text)
    print(
        f"throughput: {best:,.0f} posts/s (best of 3, {len(posts)} posts, mean {mean_len:.0f} chars, 1 core)"
    )

    report("health news tweets", *label_rates(classifier, tweets[:3000]))
    report("medquad answers", *label_rates(classifier, medquad_answers(1000)))
    report("chatdoctor replies", *label_rates(classifier, chatdoctor_replies(1000)))
    for name, texts in davidson(1000).items():
        report(f"davidson {name}", *label_rates(classifier, texts))


if __name__ == "__main__":
    main()
