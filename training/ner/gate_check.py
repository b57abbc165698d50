"""How the NER gate (``identifiers.ner_gate``) changes the model's entities on the NER's dev/test splits.

    python -m training.ner.gate_check [--splits dev,test] [--misses N]

Per split: the docs and tokens the gate passes, the gold entities with a token outside every gated
window (what the gate itself would miss), the model's own whole-text entities outside the windows, and
the model's entities and gold overlap recall per label with and without the gate. ``--misses N`` prints
up to N gold entities outside the windows with their token (dev/test text of the public corpora).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from postguard.domain.identifiers.ner_gate import windows
from postguard.domain.models import NER_DIR, SpacyNerModel
from spacy.tokens import DocBin

HERE = Path(__file__).resolve().parent
LABELS = ("PERSON", "LOCATION", "FACILITY", "ORG")


def _key(ents: list) -> set[tuple[int, int, str]]:
    return {(e.start_char, e.end_char, e.label_) for e in ents}


def _found(gold: object, ents: list) -> bool:
    return any(
        p.label_ == gold.label_ and p.start_char < gold.end_char and gold.start_char < p.end_char
        for p in ents
    )


def _inside(start: int, end: int, found: list[tuple[int, int]]) -> bool:
    return any(lo <= start and end <= hi for lo, hi in found)


def check(model: SpacyNerModel, corpus: Path, split: str, misses: int) -> None:
    nlp = model.nlp
    gold = list(DocBin().from_disk(corpus / f"{split}.spacy").get_docs(nlp.vocab))
    docs = [nlp.make_doc(g.text) for g in gold]
    wins = [windows([t.text for t in d]) for d in docs]
    whole = model._whole([nlp.make_doc(g.text) for g in gold])
    gated = model._gated([nlp.make_doc(g.text) for g in gold], None)
    passed = sum(1 for w in wins if w)
    tokens = sum(len(d) for d in docs)
    kept = sum(hi - lo for w in wins for lo, hi in w)
    print(
        f"{split}: {len(docs)} docs, {passed} pass the gate ({passed / len(docs):.1%}); tokens in windows "
        f"{kept}/{tokens} ({kept / max(tokens, 1):.1%})"
    )
    gold_out, pred_out, shown = Counter(), Counter(), 0
    hits = {"whole": Counter(), "gated": Counter()}
    totals, changed = Counter(), 0
    for g, w, a, b in zip(gold, wins, whole, gated, strict=True):
        for e in g.ents:
            totals[e.label_] += 1
            if not _inside(e.start, e.end, w):
                gold_out[e.label_] += 1
                if shown < misses:
                    shown += 1
                    context = g.text[max(0, e.start_char - 40) : e.end_char + 40]
                    print(f"  gold {e.label_} outside: {e.text!r} in {context!r}")
            for name, ents in (("whole", a), ("gated", b)):
                if _found(e, ents):
                    hits[name][e.label_] += 1
        pred_out.update(e.label_ for e in a if not _inside(e.start, e.end, w))
        changed += _key(a) != _key(b)
    print(f"  gold entities outside the windows: {dict(gold_out)}")
    print(f"  model (whole-text) entities outside: {dict(pred_out)}")
    print(f"  docs whose model entities differ gated vs whole: {changed}")
    for label in LABELS:
        n = totals[label]
        print(
            f"  {label:9s} gold {n:5d}  overlap recall whole {hits['whole'][label] / max(n, 1):.4f}  "
            f"gated {hits['gated'][label] / max(n, 1):.4f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--splits", default="dev,test")
    parser.add_argument("--misses", type=int, default=0)
    args = parser.parse_args()
    model = SpacyNerModel.from_path(NER_DIR)
    for split in args.splits.split(","):
        check(model, args.corpus, split, args.misses)


if __name__ == "__main__":
    main()
