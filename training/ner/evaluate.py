"""Evaluate the identifier NER per label on the dev/test splits; calibrate per-label confidence on dev.

    python -m training.ner.evaluate [--model DIR] [--corpus DIR] [--calibrate] [--write] [--errors N]

Exact-span P/R/F1 per model label (predicted @handles are ignored: the runtime adapter drops them),
plus "overlap" recall (a gold entity counts as found when a predicted entity of the same label overlaps
it, which is what redaction needs). Without the corpus it prints the committed metrics.json instead.
"""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin

from training.common import (
    MODELS_DIR,
    Counts,
    evaluation_arguments,
    print_committed_metrics_if_no_corpus,
    print_table,
    write_json,
)

HERE = Path(__file__).resolve().parent
MODEL_DIR = MODELS_DIR / "ner"
LABELS = ("PERSON", "LOCATION", "FACILITY", "ORG")


def load_split(nlp: spacy.language.Language, corpus: Path, split: str) -> list[tuple[Doc, Doc]]:
    """(gold doc, predicted doc) pairs for ``split``."""
    gold = list(DocBin().from_disk(corpus / f"{split}.spacy").get_docs(nlp.vocab))
    pred = nlp.pipe([g.text for g in gold], batch_size=256)
    return list(zip(gold, pred, strict=True))


def score(pairs: list[tuple[Doc, Doc]], source: str | None = None) -> dict[str, dict]:
    """Per-label exact-span counts and overlap recall."""
    exact = {label: Counts() for label in LABELS}
    overlap_hit = dict.fromkeys(LABELS, 0)
    for gold, pred in pairs:
        if source and gold.user_data.get("source") != source:
            continue
        g = {(e.start_char, e.end_char, e.label_) for e in gold.ents}
        p = {(e.start_char, e.end_char, e.label_) for e in pred.ents if not e.text.startswith("@")}
        for s, e, label in g:
            if label not in exact:
                continue
            if (s, e, label) in p:
                exact[label].tp += 1
            else:
                exact[label].fn += 1
            overlap_hit[label] += any(ps < e and s < pe and pl == label for ps, pe, pl in p)
        for item in p - g:
            if item[2] in exact:
                exact[item[2]].fp += 1
    out = {}
    for label, c in exact.items():
        row = c.as_dict()
        row["overlap_recall"] = round(overlap_hit[label] / row["support"], 4) if row["support"] else 0.0
        out[label] = row
    return out


def main() -> None:
    args = evaluation_arguments(
        __doc__,
        MODEL_DIR,
        HERE / "corpus",
        calibrate_help="write dev precision per label to calibration.json",
        errors_help="print this many dev docs with wrong entities",
    )
    if print_committed_metrics_if_no_corpus("ner", args, "ner-corpus"):
        return
    nlp = spacy.load(args.model)
    metrics: dict[str, object] = {"model": "ner", "match": "exact character span and label"}
    splits = {"dev": load_split(nlp, args.corpus, "dev"), "test": load_split(nlp, args.corpus, "test")}
    for split, pairs in splits.items():
        table = score(pairs)
        print_table(f"[ner] {split} ({len(pairs)} docs), all sources", table)
        sources = sorted({g.user_data.get("source", "?") for g, _ in pairs})
        by_source = {s: score(pairs, s) for s in sources}
        for s, rows in by_source.items():
            print(
                f"  [{s}] "
                + "  ".join(
                    f"{lb} F1={m['f1']:.2f}(n={m['support']})" for lb, m in rows.items() if m["support"]
                )
            )
        metrics[split] = {"docs": len(pairs), "labels": table, "by_source": by_source}
    if args.calibrate:
        dev = metrics["dev"]["labels"]  # type: ignore[index]
        calibration = {
            "confidence": {lb: round(max(dev[lb]["precision"], 0.05), 3) for lb in LABELS},
            "method": "fixed confidence per label = exact-span precision on the dev split",
        }
        write_json(args.model / "calibration.json", calibration)
        print(f"\n[ner] calibration: {calibration['confidence']}")
    if args.errors:
        shown = 0
        print(f"\n[ner] dev docs with wrong entities (first {args.errors}):")
        for gold, pred in splits["dev"]:
            g = {(e.text, e.label_) for e in gold.ents}
            p = {(e.text, e.label_) for e in pred.ents}
            if g != p and gold.user_data.get("source") in ("templates", "btc", "presidio"):
                print(
                    f"  [{gold.user_data.get('source')}] missed={sorted(g - p)} spurious={sorted(p - g)} "
                    f":: {gold.text[:140]!r}"
                )
                shown += 1
                if shown >= args.errors:
                    break
    if args.write:
        write_json(args.model / "metrics.json", metrics)


if __name__ == "__main__":
    main()
