"""The content classifier's model architecture: spaCy's ``TextCatBOW.v3`` over lower-cased words.

spaCy's bag-of-words text classifier hashes the exact token text (``ORTH``), so "Lazy", "lazy" and "LAZY"
are three unrelated features; with a few thousand training posts (``training/textcat``) that wastes most
of them. This is the same model over ``LOWER``. It is registered under ``postguard.TextCatBOWLower.v1``
when this module is imported, which ``domain.models`` does before loading a pipeline.
"""

from __future__ import annotations

from functools import partial

from spacy.attrs import LOWER
from spacy.ml.extract_ngrams import extract_ngrams
from spacy.ml.models.textcat import NEG_VALUE, resize_and_set_ref
from spacy.util import registry
from thinc.api import Logistic, Model, SparseLinear_v2, chain, resizable, with_cpu
from thinc.layers.resizable import resize_linear_weighted

ARCHITECTURE = "postguard.TextCatBOWLower.v1"


@registry.architectures(ARCHITECTURE)
def build_lower_bow_classifier(ngram_size: int, length: int = 65536, nO: int | None = None) -> Model:  # noqa: N803 (spaCy's name)
    """Multilabel bag-of-words classifier over lower-cased n-grams (``ngram_size``), hashed into ``length``
    rows (rounded up to a power of two), one logistic output per label: ``TextCatBOW.v3`` with
    ``exclusive_classes=false``, ``no_output_layer=false`` and ``LOWER`` instead of ``ORTH``."""
    if length < 1:
        raise ValueError(f"length must be positive, not {length}")
    sparse = SparseLinear_v2(nO=nO, length=2 ** (length - 1).bit_length())
    layer = resizable(
        sparse, resize_layer=partial(resize_linear_weighted, fill_defaults={"b": NEG_VALUE, "W": 0})
    )
    model = chain(
        with_cpu(chain(extract_ngrams(ngram_size, attr=LOWER), layer), layer.ops),
        with_cpu(Logistic(), layer.ops),
    )
    if nO is not None:
        model.set_dim("nO", nO)
    model.set_ref("output_layer", sparse)
    model.attrs["multi_label"] = True
    model.attrs["resize_output"] = partial(resize_and_set_ref, resizable_layer=layer)
    return model
