"""Build the content-classifier corpus (labels PERSONAL_ADVICE, UNPROFESSIONAL) as spaCy DocBins.

PERSONAL_ADVICE: ChatDoctor doctor replies and Reddit advice sentences are positive; MedQuAD answers,
UCI health-news tweets and Reddit non-advice sentences are negative. UNPROFESSIONAL: Davidson
hate/offensive and HateXplain hatespeech/offensive are positive, their normal rows negative.
Cross labels: medical sources are UNPROFESSIONAL=0, hate sources PERSONAL_ADVICE=0; Reddit sentences
are casual but civil, so UNPROFESSIONAL=0 too, except those that swear (left missing: not annotated).
Large sources are capped per class.
Every source is de-duplicated and split 80/10/10 on its own, so dev/test mix the same sources as train;
project-written post templates (templates.py) are split by template.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import html
import json
import random
import re
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from training.common import DEFAULT_DATA_DIR, SEED, fingerprint, sample, split_three, write_json
from training.textcat.templates import generate

HERE = Path(__file__).resolve().parent
ADVICE, UNPRO = "PERSONAL_ADVICE", "UNPROFESSIONAL"
CAP = 4000
URL = re.compile(r"https?://\S+|www\.\S+")
MENTION = re.compile(r"(^|\s)(RT\s+)?@\w+:?")
PROFANITY = re.compile(
    r"(fuck|shit|bitch|damn|crap|ass\b|asshole|dick|piss|bastard|retard|idiot|stupid|hell\b)", re.I
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
Row = tuple[str, dict[str, float]]


def clip(text: str, rng: random.Random) -> str:
    """Cut long answers to a post-sized prefix at a sentence boundary (so length is not a cue)."""
    text = " ".join(text.split())
    limit = rng.randint(120, 480)
    out = ""
    for sent in SENTENCE_END.split(text):
        if out and len(out) + len(sent) > limit:
            break
        out = f"{out} {sent}".strip()
    return out


def clean_tweet(text: str) -> str:
    """Unescape entities and drop retweet markers, @mentions and URLs."""
    text = MENTION.sub(" ", html.unescape(text))
    return " ".join(URL.sub(" ", text).split())


def _reddit_cats(text: str, advice: float) -> dict[str, float]:
    """Reddit sentences are casual but mostly civil: UNPROFESSIONAL=0 unless they swear (then unknown)."""
    if PROFANITY.search(text):
        return {ADVICE: advice}
    return {ADVICE: advice, UNPRO: 0.0}


def advice_sources(d: Path) -> dict[str, list[Row]]:
    """Per-source rows for the PERSONAL_ADVICE label."""
    rng = random.Random(SEED)
    chat = json.loads((d / "chatdoctor_genmedgpt5k" / "chatdoctor5k_train.json").read_text(encoding="utf-8"))
    out: dict[str, list[Row]] = {
        "chatdoctor": [
            (clip(c["output"], rng), {ADVICE: 1.0, UNPRO: 0.0}) for c in chat if c["output"].strip()
        ]
    }
    answers = []
    with tarfile.open(d / "medquad" / "medquad_train_xml.tar.gz") as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            if not member.name.endswith(".xml"):
                continue
            root = ET.parse(tar.extractfile(member)).getroot()
            answers += [a.text for a in root.iter("Answer") if a.text and a.text.strip()]
    answers = list({fingerprint(a): a for a in answers}.values())
    out["medquad"] = [(clip(a, rng), {ADVICE: 0.0, UNPRO: 0.0}) for a in sample(answers, CAP, "medquad")]
    tweets = []
    for path in sorted((d / "uci_health_news_tweets" / "Health-Tweets").glob("*.txt.gz")):
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
            tweets += [clean_tweet(line.split("|", 2)[-1]) for line in fh if line.count("|") >= 2]
    tweets = [t for t in tweets if len(t) > 20]
    out["health_news"] = [(t, {ADVICE: 0.0, UNPRO: 0.0}) for t in sample(tweets, CAP, "health_news")]
    pos, neg = [], []
    for name in ("askparents_train", "askparents_dev", "needadvice_train", "needadvice_dev"):
        with (d / "reddit_advice_emnlp2020" / f"{name}.tsv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                (pos if row["DS_Label"] == "1" else neg).append(row["Sentence"])
    out["reddit_advice"] = [(t, _reddit_cats(t, 1.0)) for t in sample(pos, 2000, "reddit-pos")] + [
        (t, _reddit_cats(t, 0.0)) for t in sample(neg, 2000, "reddit-neg")
    ]
    return out


def tone_sources(d: Path) -> dict[str, list[Row]]:
    """Per-source rows for the UNPROFESSIONAL label."""
    pos, neg = [], []
    with (d / "davidson_hate_offensive" / "labeled_data_train.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            text = clean_tweet(row["tweet"])
            if text:
                (neg if row["class"] == "2" else pos).append(text)
    davidson = [(t, {UNPRO: 1.0, ADVICE: 0.0}) for t in sample(pos, CAP, "davidson-pos")]
    davidson += [(t, {UNPRO: 0.0, ADVICE: 0.0}) for t in neg]
    pos, neg = [], []
    for name in ("hatexplain_train.csv", "hatexplain_val.csv"):
        with (d / "hatexplain" / name).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                (neg if row["category"] == "0" else pos).append(row["text"])
    hatexplain = [(t, {UNPRO: 1.0, ADVICE: 0.0}) for t in sample(pos, CAP, "hatexplain-pos")]
    hatexplain += [(t, {UNPRO: 0.0, ADVICE: 0.0}) for t in sample(neg, CAP, "hatexplain-neg")]
    return {"davidson": davidson, "hatexplain": hatexplain}


def _stats(part: list[Row]) -> dict[str, int]:
    return {
        "docs": len(part),
        **{f"{label}=1": sum(1 for _, c in part if c.get(label) == 1.0) for label in (ADVICE, UNPRO)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="datasets root")
    parser.add_argument("--out", type=Path, default=HERE / "corpus", help="where the DocBins go")
    args = parser.parse_args()
    sources = advice_sources(args.data) | tone_sources(args.data)
    nlp = spacy.blank("en")
    bins = {s: DocBin(store_user_data=True) for s in ("train", "dev", "test")}
    stats: dict[str, dict[str, dict[str, int]]] = {s: {} for s in bins}
    for name, rows in sources.items():
        unique = list({fingerprint(t): (t, c) for t, c in rows if t.strip()}.values())
        for split, part in zip(("train", "dev", "test"), split_three(unique, name), strict=True):
            for text, cats in part:
                doc = nlp.make_doc(text)
                doc.cats = cats
                doc.user_data["source"] = name
                bins[split].add(doc)
            stats[split][name] = _stats(part)
    for split, part in generate().items():
        part = list({fingerprint(t): (t, c) for t, c in part}.values())
        for text, cats in part:
            doc = nlp.make_doc(text)
            doc.cats = cats
            doc.user_data["source"] = "post_templates"
            bins[split].add(doc)
        stats[split]["post_templates"] = _stats(part)
    args.out.mkdir(parents=True, exist_ok=True)
    for split, db in bins.items():
        db.to_disk(args.out / f"{split}.spacy")
        print(split, stats[split])
    write_json(args.out / "stats.json", stats)


if __name__ == "__main__":
    main()
