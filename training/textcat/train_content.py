"""Train, cross-validate and calibrate the eight-label content classifier on in-genre staff posts.

    python -m training.textcat.train_content [--public N] [--folds 5] [--epochs E] [--write]

Data: the project's hand-written staff posts (``training.textcat.in_genre``), all eight content labels;
optionally ``--public N`` documents sampled from the public corpus of ``training.textcat.convert``
(``training/textcat/corpus/train.spacy``; PERSONAL_ADVICE / UNPROFESSIONAL only, the other labels missing).
Model: spaCy ``textcat_multilabel`` with ``TextCatBOW.v3`` (unigrams + bigrams, hashed), fixed seed.

Calibration, all from k-fold cross-validation over the in-genre posts (out-of-fold scores only):
1. per label, Platt scaling of the out-of-fold raw score (``p = sigmoid(a * logit(s) + b)``, Platt's
   smoothed targets): the shipped ``calibration.json`` ``platt`` section; the adapter reports ``p``;
2. per label, the threshold on ``p``: the best out-of-fold F1 among thresholds whose out-of-fold
   precision reaches ``TARGET_PRECISION`` (a model-only finding holds a post, so precision comes first);
   none reaching it -> 1.0 (the label never fires on the model alone; it can still raise a rule's finding).
The rules + model combination is measured out of fold too, through the real ``AdviceClassifier`` merge.
``--write`` trains the final model on every in-genre post, packages it into services/postguard/models/textcat
and writes calibration.json and metrics.json there.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import spacy
from postguard.domain.textcat_architecture import ARCHITECTURE
from spacy.language import Language
from spacy.tokens import DocBin
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch
from thinc.api import Adam

from training.common import MODELS_DIR, SEED, Counts, fingerprint, package, sample, write_json
from training.textcat.in_genre import LABELS, LabelledPost, load_in_genre
from training.textcat.package import PUBLIC_SOURCES

HERE = Path(__file__).resolve().parent
TARGET_PRECISION = 0.97
MIN_THRESHOLD = 0.6
"""The default policy's min_confidence: a model-only finding below it is not acted on anyway."""
Row = tuple[str, dict[str, float]]


@dataclass(frozen=True)
class Settings:
    """Training hyper-parameters (chosen by out-of-fold F1, see the README)."""

    epochs: int = 10
    learn_rate: float = 0.01
    dropout: float = 0.1
    batch: int = 16
    ngram: int = 1
    length: int = 2**16
    public: int = 0
    """How many public-corpus documents join the training data (0: in-genre posts only)."""
    in_genre_repeat: int = 1
    """How many times each in-genre post is shown per epoch (weights it against public documents)."""
    lower: int = 1
    """1: lower-cased n-grams (``postguard.TextCatBOWLower.v1``); 0: ``TextCatBOW.v3`` (exact text)."""


def build_pipeline(settings: Settings) -> Language:
    """A blank English pipeline (the other models' tokenizer) with a bag-of-words multilabel textcat."""
    nlp = spacy.blank("en")
    model: dict[str, object] = {"ngram_size": settings.ngram, "length": settings.length}
    if settings.lower:
        model["@architectures"] = ARCHITECTURE
    else:
        model.update(
            {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "no_output_layer": False}
        )
    textcat = nlp.add_pipe("textcat_multilabel", config={"model": model})
    for label in LABELS:
        textcat.add_label(label)
    return nlp


def train(rows: Sequence[Row], settings: Settings, seed: int = SEED) -> Language:
    """A pipeline trained on ``rows`` ((text, cats); a label missing from cats is not annotated)."""
    fix_random_seed(seed)
    nlp = build_pipeline(settings)
    examples = [Example.from_dict(nlp.make_doc(text), {"cats": cats}) for text, cats in rows]
    optimizer = Adam(settings.learn_rate)
    nlp.initialize(lambda: examples, sgd=optimizer)
    rng = random.Random(seed)
    for _ in range(settings.epochs):
        order = list(examples)
        rng.shuffle(order)
        for batch in minibatch(order, size=settings.batch):
            nlp.update(batch, sgd=optimizer, drop=settings.dropout)
    return nlp


def raw_scores(nlp: Language, texts: Sequence[str]) -> np.ndarray:
    """(texts x LABELS) raw model probabilities."""
    return np.array([[doc.cats[label] for label in LABELS] for doc in nlp.pipe(texts, batch_size=256)])


def fold_of(posts: Sequence[LabelledPost], k: int) -> list[int]:
    """A fold per post, stratified by the post's rarest label (or "clean"), seeded."""
    counts = {label: sum(label in p.labels for p in posts) for label in LABELS}
    order = list(range(len(posts)))
    random.Random(f"{SEED}-folds").shuffle(order)
    key = {i: min(posts[i].labels, key=lambda x: (counts[x], x), default="-") for i in order}
    folds = [0] * len(posts)
    next_fold: dict[str, int] = {}
    for i in order:
        folds[i] = next_fold.get(key[i], 0) % k
        next_fold[key[i]] = folds[i] + 1
    return folds


def fold_by_source(posts: Sequence[LabelledPost]) -> list[int]:
    """A fold per source file: each fold is one writer's set, unseen by the model that scores it."""
    names = sorted({p.source for p in posts})
    return [names.index(p.source) for p in posts]


def public_rows(n: int) -> list[Row]:
    """``n`` seeded documents of the public training corpus (``make textcat-corpus``)."""
    if n <= 0:
        return []
    path = HERE / "corpus" / "train.spacy"
    if not path.is_file():
        raise SystemExit(f"{path} is missing: run `make textcat-corpus` (or use --public 0)")
    docs = list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))
    return [(d.text, dict(d.cats)) for d in sample(docs, n, "content-public")]


def training_rows(posts: Sequence[LabelledPost], public: Sequence[Row], settings: Settings) -> list[Row]:
    """In-genre rows (repeated ``in_genre_repeat`` times) plus the public rows whose text is not in-genre."""
    own = {fingerprint(p.text) for p in posts}
    rows = [(p.text, p.cats()) for p in posts] * settings.in_genre_repeat
    return rows + [r for r in public if fingerprint(r[0]) not in own]


def out_of_fold(posts: Sequence[LabelledPost], settings: Settings, k: int) -> np.ndarray:
    """Raw scores of every post from the model trained on the other folds: ``k`` stratified folds, or
    (``k`` = 0) one fold per source file (leave one writer's set out)."""
    folds = fold_of(posts, k) if k else fold_by_source(posts)
    k = max(folds) + 1
    public = public_rows(settings.public)
    scores = np.zeros((len(posts), len(LABELS)))
    for fold in range(k):
        held = [i for i, f in enumerate(folds) if f == fold]
        rest = [p for p, f in zip(posts, folds, strict=True) if f != fold]
        nlp = train(training_rows(rest, public, settings), settings, seed=SEED + fold)
        scores[held] = raw_scores(nlp, [posts[i].text for i in held])
    return scores


def _logit(s: np.ndarray) -> np.ndarray:
    s = np.clip(s, 1e-6, 1 - 1e-6)
    return np.log(s / (1 - s))


def fit_platt(s: np.ndarray, y: np.ndarray, iterations: int = 100) -> tuple[float, float]:
    """Platt scaling ``p = sigmoid(a * logit(s) + b)`` by Newton's method on Platt's smoothed targets
    (positives (N+ + 1) / (N+ + 2), negatives 1 / (N- + 2)), with a small ridge for stability."""
    x = _logit(s)
    pos = float(y.sum())
    neg = float(len(y) - pos)
    t = np.where(y > 0.5, (pos + 1) / (pos + 2), 1 / (neg + 2))
    w = np.zeros(2)
    design = np.stack([x, np.ones_like(x)], axis=1)
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(design @ w)))
        gradient = design.T @ (p - t) + 1e-3 * w
        hessian = (design * (p * (1 - p))[:, None]).T @ design + 1e-3 * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return float(w[0]), float(w[1])


def platt(s: np.ndarray, a: float, b: float) -> np.ndarray:
    """Calibrated probabilities of raw scores ``s``."""
    return 1 / (1 + np.exp(-(a * _logit(s) + b)))


def counts_at(p: np.ndarray, y: np.ndarray, threshold: float) -> Counts:
    """Confusion counts of one label at ``threshold``."""
    hit = p >= threshold
    return Counts(tp=int((hit & y).sum()), fp=int((hit & ~y).sum()), fn=int((~hit & y).sum()))


def pick_threshold(p: np.ndarray, y: np.ndarray, target: float = TARGET_PRECISION) -> float:
    """Best F1 among thresholds (MIN_THRESHOLD .. 0.99) reaching precision ``target``; 1.0 when none does."""
    grid = [t / 100 for t in range(round(100 * MIN_THRESHOLD), 100)]
    precise = [(counts_at(p, y, t).f1, -t) for t in grid if counts_at(p, y, t).precision >= target]
    precise = [(f, t) for f, t in precise if f > 0]
    return -max(precise)[1] if precise else 1.0


@dataclass
class Calibration:
    """Per label: Platt parameters and the threshold on the calibrated probability."""

    platt: dict[str, dict[str, float]]
    thresholds: dict[str, float]

    def probabilities(self, raw: np.ndarray) -> np.ndarray:
        cols = [platt(raw[:, j], **self.platt[label]) for j, label in enumerate(LABELS)]
        return np.stack(cols, axis=1)


def calibrate(raw: np.ndarray, gold: np.ndarray, target: float = TARGET_PRECISION) -> Calibration:
    """Platt parameters and thresholds (out-of-fold precision ``target``) from out-of-fold raw scores
    ``raw`` and labels ``gold``."""
    params: dict[str, dict[str, float]] = {}
    thresholds: dict[str, float] = {}
    for j, label in enumerate(LABELS):
        a, b = fit_platt(raw[:, j], gold[:, j])
        params[label] = {"a": round(a, 6), "b": round(b, 6)}
        thresholds[label] = pick_threshold(platt(raw[:, j], a, b), gold[:, j], target)
    return Calibration(params, thresholds)


def gold_matrix(posts: Sequence[LabelledPost]) -> np.ndarray:
    return np.array([[label in p.labels for label in LABELS] for p in posts], dtype=bool)


def model_table(p: np.ndarray, gold: np.ndarray, thresholds: dict[str, float]) -> dict[str, dict]:
    """Per label P / R / F1 / support of the model alone at the thresholds."""
    return {
        label: counts_at(p[:, j], gold[:, j], thresholds[label]).as_dict() for j, label in enumerate(LABELS)
    }


def brier(p: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    """Per-label Brier score of calibrated probabilities (lower is better)."""
    return {label: round(float(((p[:, j] - gold[:, j]) ** 2).mean()), 4) for j, label in enumerate(LABELS)}


def log_loss(p: np.ndarray, gold: np.ndarray) -> float:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-(gold * np.log(q) + (~gold) * np.log(1 - q)).mean())


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    defaults = Settings()
    for name, value in asdict(defaults).items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    parser.add_argument(
        "--folds", type=int, default=0, help="k stratified folds; 0 (default): leave one source file out"
    )
    parser.add_argument(
        "--target-precision",
        type=float,
        default=TARGET_PRECISION,
        help=f"out-of-fold precision each label's threshold must reach (default {TARGET_PRECISION})",
    )
    parser.add_argument("--write", action="store_true", help="train on everything and ship the model")
    parser.add_argument("--dest", type=Path, default=MODELS_DIR / "textcat")
    parser.add_argument("--errors", type=int, default=0, help="print this many out-of-fold errors")
    return parser.parse_args()


def main() -> None:
    from training.textcat.combine import combined_tables, print_errors, print_report

    args = arguments()
    settings = Settings(**{k: getattr(args, k) for k in asdict(Settings())})
    posts = load_in_genre()
    gold = gold_matrix(posts)
    raw = out_of_fold(posts, settings, args.folds)
    calibration = calibrate(raw, gold, args.target_precision)
    p = calibration.probabilities(raw)
    report = {
        "settings": asdict(settings),
        "folds": args.folds,
        "target_precision": args.target_precision,
        "posts": len(posts),
        "log_loss_raw": round(log_loss(raw, gold), 4),
        "log_loss_calibrated": round(log_loss(p, gold), 4),
        "brier": brier(p, gold),
        "model_alone": model_table(p, gold, calibration.thresholds),
        **combined_tables(posts, p, calibration.thresholds),
    }
    print_report(report, calibration)
    if args.errors:
        print_errors(posts, p, gold, calibration.thresholds, args.errors)
    if args.write:
        ship(posts, settings, calibration, report, args.dest)


def ship(
    posts: Sequence[LabelledPost], settings: Settings, calibration: Calibration, report: dict, dest: Path
) -> None:
    """Train on every in-genre post (+ public rows), package to ``dest``, write calibration and metrics."""
    from training.textcat.combine import public_test_table

    nlp = train(training_rows(posts, public_rows(settings.public), settings), settings)
    out = HERE / "output" / "content-final"
    out.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    package(out, dest, "postguard_textcat", DESCRIPTION, sources(settings))
    method = (
        f"{len(posts)} in-genre posts, {_cv_name(report['folds'], posts)} (out-of-fold scores): per label "
        f"Platt scaling of the raw score, then the threshold on the calibrated probability with the best "
        f"out-of-fold F1 among those with precision >= {report['target_precision']} (1.0: none reached it)"
    )
    write_json(dest / "calibration.json", {"method": method, **asdict(calibration)})
    report["public_test"] = public_test_table(nlp, calibration)
    write_json(dest / "metrics.json", {"model": "textcat", **report})
    size = sum(f.stat().st_size for f in dest.rglob("*") if f.is_file())
    print(f"shipped {dest} ({size / 1e6:.1f} MB)")


def _cv_name(folds: int, posts: Sequence[LabelledPost]) -> str:
    if folds:
        return f"{folds}-fold stratified cross-validation"
    return f"leave-one-source-file-out cross-validation ({len({p.source for p in posts})} files)"


DESCRIPTION = (
    "PostGuard content classifier: the eight content labels (multilabel bag-of-words, in-genre posts)"
)
OWN_SOURCE = {
    "name": "PostGuard hand-written staff posts (data/dev, data/train)",
    "license": "project-written",
}


def sources(settings: Settings) -> list[dict[str, str]]:
    """What the model was trained on, for ``meta.json``: the public corpus only when it was used."""
    return [OWN_SOURCE, *(PUBLIC_SOURCES if settings.public else [])]


if __name__ == "__main__":
    main()
