"""Convert BTC, WNUT17, presidio PII, templates and hand-written staff posts into spaCy DocBins.

Label scheme: PERSON, LOCATION, ORG, FACILITY. ORG (companies, bands, groups in tweets) is trained so the
model does not confuse them with people or places; the runtime adapter only reports an ORG span when it
looks like a health facility. FACILITY comes from the clinical templates and from ORG / LOCATION spans
that name a place of care ("Royal Free Hospital").
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

import spacy
from postguard.domain.ner_tagging import bio_tags
from spacy.tokens import Doc, DocBin

from training.common import DEFAULT_DATA_DIR, fingerprint, split_three, write_json
from training.ner import handwritten, staff_templates
from training.ner.templates import generate

HERE = Path(__file__).resolve().parent
CONLL_MAP = {
    "PER": "PERSON",
    "LOC": "LOCATION",
    "ORG": "ORG",
    "person": "PERSON",
    "location": "LOCATION",
    "corporation": "ORG",
    "group": "ORG",
}
PRESIDIO_MAP = {"PERSON": "PERSON", "GPE": "LOCATION", "STREET_ADDRESS": "LOCATION", "ORGANIZATION": "ORG"}
# CoNLL files are pre-tokenised; re-join the pieces the way they appear in real posts ("@user", "London's")
NO_SPACE_BEFORE = frozenset(
    {",", ".", "!", "?", ":", ";", ")", "%", "'s", "'S", "n't", "'m", "'re", "'ve", "'ll", "'d"}
)
NO_SPACE_AFTER = frozenset({"@", "#", "(", "$"})
HEALTH_FACILITY = re.compile(
    r"\b(hospital|clinic|medical cent(er|re)|health|infirmary|hospice|urgent care|nhs|ward|surgery|"
    r"children'?s|memorial|mayo|kaiser)\b",
    re.IGNORECASE,
)
Example = tuple[str, list[tuple[int, int, str]]]


def read_conll(path: Path) -> list[Example]:
    """Read a token<TAB>BIO-tag file into (text, char spans), mapping labels to ours."""
    examples: list[Example] = []
    tokens: list[tuple[str, str]] = []

    def flush() -> None:
        if not tokens:
            return
        text, spans, start, label, end = "", [], None, None, 0
        prev = ""
        for tok, tag in tokens:
            if text and not (tok in NO_SPACE_BEFORE or prev in NO_SPACE_AFTER):
                text += " "
            prev = tok
            pos = len(text)
            text += tok
            prefix, _, name = tag.partition("-")
            mapped = CONLL_MAP.get(name)
            if start is not None and (prefix != "I" or mapped != label):
                spans.append((start, end, label))
                start = None
            if prefix in ("B", "I") and mapped and start is None:
                start, label = pos, mapped
            end = len(text)
        if start is not None:
            spans.append((start, end, label))
        examples.append((text, [_facility(text, s) for s in spans]))
        tokens.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].strip():
            tokens.append((parts[0].strip(), parts[-1].strip()))
        elif not line.strip():
            flush()
    flush()
    return examples


def _facility(text: str, span: tuple[int, int, str]) -> tuple[int, int, str]:
    start, end, label = span
    if label in ("ORG", "LOCATION") and HEALTH_FACILITY.search(text[start:end]):
        return (start, end, "FACILITY")
    return span


def read_presidio(path: Path) -> list[Example]:
    """Presidio synthetic sentences; entity types outside our scheme stay unlabelled."""
    out: list[Example] = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        spans = [
            _facility(
                item["full_text"], (s["start_position"], s["end_position"], PRESIDIO_MAP[s["entity_type"]])
            )
            for s in item["spans"]
            if s["entity_type"] in PRESIDIO_MAP
        ]
        out.append((item["full_text"], spans))
    return out


def to_doc(nlp: spacy.language.Language, text: str, spans: list[tuple[int, int, str]]) -> Doc | None:
    """Tokenise with the runtime tokenizer and attach entities (expanded to token boundaries)."""
    doc = nlp.make_doc(text)
    ents = []
    for start, end, label in sorted(spans):
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is None or span.text.startswith("@"):
            continue
        if ents and span.start < ents[-1].end:
            continue  # overlapping annotations: keep the first
        ents.append(span)
    # @handles are annotated inconsistently in BTC/WNUT (sometimes PER, mostly O): leave them unannotated
    # (missing), so the model is neither taught nor punished for them; handles are not names to redact here.
    taken = {i for e in ents for i in range(e.start, e.end)}
    missing = [doc[t.i : t.i + 1] for t in doc if t.text.startswith("@") and len(t) > 1 and t.i not in taken]
    try:
        doc.set_ents(ents, missing=missing, default="outside")
    except ValueError:
        return None
    for token, tag in zip(doc, bio_tags(doc), strict=True):
        token.tag_ = tag  # the same entities as BIO tags, for the tagging NER (config.cfg)
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="datasets root")
    parser.add_argument("--out", type=Path, default=HERE / "corpus", help="where the DocBins go")
    args = parser.parse_args()
    d = args.data
    sources: dict[str, list[Example]] = {
        "btc": read_conll(d / "broad_twitter_corpus" / "btc.train")
        + read_conll(d / "broad_twitter_corpus" / "btc.dev"),
        "wnut17": read_conll(d / "wnut17_emerging_entities" / "wnut17train.conll")
        + read_conll(d / "wnut17_emerging_entities" / "emerging.dev.conll"),
    }
    presidio = read_presidio(d / "presidio_synth_pii" / "synth_dataset_v2_train.json")
    templates = generate()
    nlp = spacy.blank("en")
    splits: dict[str, dict[str, list[Example]]] = {"train": {}, "dev": {}, "test": {}}
    for name, examples in sources.items():
        # de-duplicate by normalised text before splitting so no tweet sits on both sides
        unique = list({fingerprint(t): (t, s) for t, s in examples}.values())
        for split, part in zip(("train", "dev", "test"), split_three(unique, name), strict=True):
            splits[split][name] = part
    # presidio: split by template id so dev/test templates are unseen in training
    by_template: dict[str, list[Example]] = {}
    raw = json.loads((d / "presidio_synth_pii" / "synth_dataset_v2_train.json").read_text(encoding="utf-8"))
    for item, ex in zip(raw, presidio, strict=True):
        by_template.setdefault(str(item["template_id"]), []).append(ex)
    tids = sorted(by_template)
    for split, part in zip(("train", "dev", "test"), split_three(tids, "presidio"), strict=True):
        splits[split]["presidio"] = [ex for t in part for ex in by_template[t]]
    staff = staff_templates.generate()
    written = handwritten.load_splits()
    for split in splits:
        splits[split]["templates"] = templates[split]
        splits[split]["staff"] = staff[split]
        splits[split]["handwritten"] = written[split]
    args.out.mkdir(parents=True, exist_ok=True)
    stats: dict[str, dict[str, object]] = {}
    for split, by_source in splits.items():
        db = DocBin(store_user_data=True)
        labels: Counter[str] = Counter()
        counts = {}
        for source, examples in by_source.items():
            n = 0
            for text, spans in examples:
                doc = to_doc(nlp, text, spans)
                if doc is None:
                    continue
                doc.user_data["source"] = source
                db.add(doc)
                labels.update(e.label_ for e in doc.ents)
                n += 1
            counts[source] = n
        db.to_disk(args.out / f"{split}.spacy")
        stats[split] = {"docs": counts, "entities": dict(sorted(labels.items()))}
        print(f"{split}: {counts} entities={dict(labels)}")
    write_json(args.out / "stats.json", stats)


if __name__ == "__main__":
    main()
