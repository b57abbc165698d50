"""Evaluate the identifier NER per label on the dev/test splits; calibrate per-label confidence on dev.

    python -m training.ner.evaluate [--model DIR] [--corpus DIR] [--calibrate] [--write] [--errors N]

Exact-span P/R/F1 per model label (predicted @handles are ignored: the runtime adapter drops them),
plus "overlap" recall (a gold entity counts as found when a predicted entity of the same label overlaps
it, which is what redaction needs). Without the corpus it prints the committed metrics.json instead.
"""

from __future__ import annotations

from pathlib import Path

import postguard.domain.ner_tagging  # noqa: F401  (the tagging NER's spaCy factory, for spacy.load)
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
SHAPE_LABELS = ("PERSON", "LOCATION")
"""Labels whose confidence is a logistic model of the span's shape (``entity_shape``)."""


def shape_rows(pairs: list[tuple[Doc, Doc]], label: str) -> tuple[list[dict[str, bool]], list[bool]]:
    """Shape features of every entity the runtime adapter reports as ``label`` and whether it overlaps
    a gold entity of that label (what redaction needs: "Dr. Patel" for "Patel" still hides the name)."""
    from postguard.domain.identifiers.entity_shape import shape_features
    from postguard.domain.models import SpacyNerModel

    adapter = SpacyNerModel.__new__(SpacyNerModel)  # only its filters: no pipeline, no calibration
    adapter.confidences = {}
    adapter.shapes = {}
    rows, outcomes = [], []
    for gold, pred in pairs:
        wanted = [(e.start_char, e.end_char) for e in gold.ents if e.label_ == label]
        for ent in pred.ents:
            finding = adapter._finding(ent)
            if finding is None or finding.label != label or ent.label_ != label:
                continue  # a relabelled entity keeps its model label's fixed confidence (the adapter)
            rows.append(shape_features(ent))
            outcomes.append(any(s < ent.end_char and ent.start_char < e for s, e in wanted))
    return rows, outcomes


def fit_logistic(
    rows: list[dict[str, bool]], outcomes: list[bool], l2: float = 1.0, steps: int = 100
) -> dict:
    """Newton's method on the L2-penalised log loss (bias not penalised): ``{"bias", "weights"}`` for
    ``entity_shape.ShapeCalibration``."""
    import numpy as np
    from postguard.domain.identifiers.entity_shape import FEATURES

    x = np.array([[1.0] + [float(r[f]) for f in FEATURES] for r in rows])
    y = np.array([float(o) for o in outcomes])
    penalty = np.eye(x.shape[1]) * l2
    penalty[0, 0] = 0.0
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        step = np.linalg.solve((x * (p * (1 - p))[:, None]).T @ x + penalty, x.T @ (p - y) + penalty @ w)
        w -= step
        if float(np.abs(step).max()) < 1e-9:
            break
    return {
        "bias": round(float(w[0]), 4),
        "weights": {f: round(float(v), 4) for f, v in zip(FEATURES, w[1:], strict=True)},
    }


def calibration_report(model: dict, rows: list[dict[str, bool]], outcomes: list[bool], fixed: float) -> dict:
    """Log loss and Brier score of the shape model against the fixed per-label confidence, and the
    precision / share kept of the spans at or above 0.5 (the default policy's bar)."""
    import math

    from postguard.domain.identifiers.entity_shape import ShapeCalibration

    calibration = ShapeCalibration.from_mapping(model)
    probs = [calibration.confidence(r) for r in rows]
    out: dict[str, float | int] = {
        "spans": len(rows),
        "precision_all": round(sum(outcomes) / max(len(rows), 1), 4),
    }
    for name, ps in (("shape", probs), ("fixed", [fixed] * len(rows))):
        eps = 1e-6
        out[f"log_loss_{name}"] = round(
            -sum(
                math.log(max(p, eps)) if o else math.log(max(1 - p, eps))
                for p, o in zip(ps, outcomes, strict=True)
            )
            / max(len(rows), 1),
            4,
        )
        out[f"brier_{name}"] = round(
            sum((p - o) ** 2 for p, o in zip(ps, outcomes, strict=True)) / max(len(rows), 1), 4
        )
    kept = [o for p, o in zip(probs, outcomes, strict=True) if p >= 0.5]
    out["kept_at_0.5"] = len(kept)
    out["precision_at_0.5"] = round(sum(kept) / max(len(kept), 1), 4)
    out["recall_of_true_at_0.5"] = round(sum(kept) / max(sum(outcomes), 1), 4)
    return out


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
            "method": "fixed confidence per label = exact-span precision on the dev split; PERSON and "
            "LOCATION: a logistic model of the span's shape (entity_shape.py) fitted on the dev split, "
            "target = the reported span overlaps a gold span of its label",
            "shape_model": {},
            "shape_report": {},
        }
        for label in SHAPE_LABELS:
            model = fit_logistic(*shape_rows(splits["dev"], label))
            calibration["shape_model"][label] = model
            calibration["shape_report"][label] = {
                split: calibration_report(model, *shape_rows(splits[split], label), dev[label]["precision"])
                for split in ("dev", "test")
            }
            print(f"[ner] {label} shape model {model}\n      {calibration['shape_report'][label]}")
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
