"""Evaluate the content classifier per label on the public corpus's dev/test splits.

    python -m training.textcat.evaluate [--model DIR] [--corpus DIR] [--calibrate] [--write]

The shipped model is trained and calibrated on in-genre staff posts by ``training.textcat.train_content``
(its out-of-fold numbers are in metrics.json); here it is scored, with its calibrated probabilities and
thresholds, on the public PERSONAL_ADVICE / UNPROFESSIONAL splits for contrast. ``--calibrate`` and
``--write`` belong to the former public-data workflow and refuse a model calibrated out of fold.
Without the corpus (no datasets on this machine) it prints the committed out-of-fold metrics instead.
"""

from __future__ import annotations

import json
from pathlib import Path

from postguard.domain.models import SpacyTextCategoryModel
from spacy.tokens import DocBin

from training.common import (
    MODELS_DIR,
    Counts,
    evaluation_arguments,
    print_table,
    write_json,
)

HERE = Path(__file__).resolve().parent
MODEL_DIR = MODELS_DIR / "textcat"
LABELS = ("PERSONAL_ADVICE", "UNPROFESSIONAL")


def load_split(model: SpacyTextCategoryModel, corpus: Path, split: str) -> list[tuple[str, str, dict, dict]]:
    """(source, text, gold cats, calibrated predicted probabilities) for every doc of ``split``."""
    docs = list(DocBin().from_disk(corpus / f"{split}.spacy").get_docs(model.nlp.vocab))
    preds = model.score([d.text for d in docs])
    return [(d.user_data.get("source", "?"), d.text, d.cats, p) for d, p in zip(docs, preds, strict=True)]


def counts(rows: list[tuple[str, str, dict, dict]], label: str, threshold: float) -> Counts:
    """Confusion counts of ``label`` at ``threshold`` over the rows that annotate it."""
    c = Counts()
    for _, _, gold, pred in rows:
        if label not in gold:
            continue
        g, p = gold[label] >= 0.5, pred[label] >= threshold
        c.tp += g and p
        c.fp += p and not g
        c.fn += g and not p
    return c


TARGET_PRECISION = 0.85


def calibrate(rows: list[tuple[str, str, dict, dict]], label: str) -> float:
    """The threshold with the best F1 among those reaching TARGET_PRECISION on ``rows`` (else best F1).

    A model-only finding holds a post for review, so precision is protected first: false holds cost
    reviewers and erode trust; the rules still catch the explicit cases.
    """
    grid = [(counts(rows, label, t / 100), t / 100) for t in range(5, 96)]
    precise = [(c.f1, t) for c, t in grid if c.precision >= TARGET_PRECISION]
    return max(precise or [(c.f1, t) for c, t in grid])[1]


def per_source(rows: list[tuple[str, str, dict, dict]], label: str, threshold: float) -> dict[str, dict]:
    """Share of each source's docs predicted positive, next to its gold positive share."""
    out: dict[str, dict] = {}
    for source in sorted({r[0] for r in rows}):
        sel = [r for r in rows if r[0] == source and label in r[2]]
        if sel:
            out[source] = {
                "docs": len(sel),
                "gold_positive_rate": round(sum(r[2][label] >= 0.5 for r in sel) / len(sel), 4),
                "predicted_positive_rate": round(sum(r[3][label] >= threshold for r in sel) / len(sel), 4),
            }
    return out


def main() -> None:
    args = evaluation_arguments(
        __doc__,
        MODEL_DIR,
        HERE / "corpus",
        calibrate_help="pick thresholds on dev, write calibration.json",
        errors_help="print this many misclassified dev examples",
    )
    calib_file = args.model / "calibration.json"
    calibration = json.loads(calib_file.read_text(encoding="utf-8")) if calib_file.is_file() else {}
    if "platt" in calibration and (args.calibrate or args.write):
        raise SystemExit("this model is calibrated out of fold: rebuild it with `make train-advice`")
    if not (args.corpus / "dev.spacy").is_file():
        committed = json.loads((args.model / "metrics.json").read_text(encoding="utf-8"))
        print(f"[textcat] no corpus at {args.corpus} (run `make textcat-corpus`); committed metrics.json:")
        print_table("[textcat] in-genre posts, out of fold, model alone", committed["model_alone"])
        return
    model = SpacyTextCategoryModel.from_path(args.model)
    dev = load_split(model, args.corpus, "dev")
    test = load_split(model, args.corpus, "test")
    if args.calibrate:
        calibration["thresholds"] = {label: calibrate(dev, label) for label in LABELS}
        calibration["method"] = (
            f"per label: best dev F1 among thresholds with dev precision >= {TARGET_PRECISION}"
        )
        write_json(calib_file, calibration)
    thresholds = calibration.get("thresholds", dict.fromkeys(LABELS, 0.5))
    metrics: dict[str, object] = {"model": "textcat", "thresholds": thresholds}
    for split, rows in (("dev", dev), ("test", test)):
        table = {label: counts(rows, label, thresholds[label]).as_dict() for label in LABELS}
        print_table(f"[textcat] {split} ({len(rows)} docs), thresholds {thresholds}", table)
        metrics[split] = {
            "docs": len(rows),
            "labels": table,
            "by_source": {label: per_source(rows, label, thresholds[label]) for label in LABELS},
        }
    for label in LABELS:
        print(f"\n[textcat] test {label} by source:")
        for source, m in metrics["test"]["by_source"][label].items():  # type: ignore[index]
            print(
                f"  {source:<14} docs={m['docs']:>5} gold+={m['gold_positive_rate']:.3f} "
                f"pred+={m['predicted_positive_rate']:.3f}"
            )
    if args.errors:
        wrong = [
            r
            for r in dev
            for lb in LABELS
            if lb in r[2] and (r[2][lb] >= 0.5) != (r[3][lb] >= thresholds[lb])
        ]
        print(f"\n[textcat] first {args.errors} of {len(wrong)} dev errors:")
        for source, text, gold, pred in wrong[: args.errors]:
            shown = {k: round(v, 2) for k, v in pred.items()}
            print(f"  [{source}] gold={gold} pred={shown} :: {text[:160]!r}")
    if args.write:
        write_json(args.model / "metrics.json", metrics)


if __name__ == "__main__":
    main()
