"""k-fold cross-validation of the model and the baseline on the training data.

    shaosheng nlu cv [--folds 5] [--json] [--no-baseline] [--no-model]

Each training line is parsed by a model trained on the other folds (lines of equal normalised
text share a fold, so no line is scored by a model that saw it) and scored like `nlu eval`
scores a file. Embeddings come from the model directory's cache (the first run embeds every
training text once, ~1-2 minutes on 2 threads).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import GroupKFold

from nlu.baseline import fit_baseline
from nlu.cascade import Cascade
from nlu.evaluate import Evaluation, Scored, evaluate
from nlu.features import Embedder, without_places
from nlu.parser import BuiltinParser, Parser
from nlu.text import clean_input, model_text
from nlu.training import _embed_all, fit_model
from nlu.trainingdata import Example

Fit = Callable[[list[Example]], Parser]


class VectorLookup:
    """An embedder answering from precomputed vectors, so the folds re-embed nothing."""

    available = True
    engine = "lookup"

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.vstack([self.vectors[text] for text in texts])


def embedded_texts(examples: Sequence[Example]) -> list[str]:
    """What the parser embeds for each example, deduplicated (the keys of VectorLookup)."""
    return sorted({without_places(model_text(clean_input(e.text))) for e in examples})


def vectors_for(examples: Sequence[Example], cache_dir: Path) -> dict[str, np.ndarray] | None:
    texts = embedded_texts(examples)
    matrix = _embed_all(texts, Embedder(threads=2), progress=True, cache_dir=cache_dir)
    return None if matrix is None else dict(zip(texts, matrix, strict=True))


def fold_indices(examples: Sequence[Example], folds: int) -> list[tuple[list[int], list[int]]]:
    texts = [model_text(clean_input(example.text)) for example in examples]
    groups = [int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) for text in texts]
    splitter = GroupKFold(folds)
    return [(list(train), list(test)) for train, test in splitter.split(texts, groups=groups)]


def model_fit(vectors: dict[str, np.ndarray] | None,
              cascade: Cascade | None = None) -> Fit:
    lookup = VectorLookup(vectors) if vectors is not None else None

    def fit(train: list[Example]) -> Parser:
        model = fit_model(train, lookup)  # type: ignore[arg-type]
        return BuiltinParser(model, lookup, cascade=cascade)  # type: ignore[arg-type]

    return fit


def baseline_fit(train: list[Example]) -> Parser:
    return fit_baseline(train)


def cross_validate(examples: list[Example], fit: Fit, folds: int = 5) -> Evaluation:
    """One Evaluation over every held-out line of every fold."""
    parts = []
    for train, test in fold_indices(examples, folds):
        parser = fit([examples[i] for i in train])
        parts.append(evaluate(parser, [examples[i] for i in test]))
    return merge(parts)


def merge(parts: Sequence[Evaluation]) -> Evaluation:
    def joined(name: str) -> Scored:
        scored = [getattr(part, name) for part in parts]
        return Scored([g for s in scored for g in s.gold],
                      [p for s in scored for p in s.predicted])

    return Evaluation(n=sum(part.n for part in parts), intent=joined("intent"),
                      category=joined("category"), urgency=joined("urgency"),
                      latencies_ms=[ms for part in parts for ms in part.latencies_ms])


def compare(examples: list[Example], *, folds: int, cache_dir: Path, model: bool = True,
            baseline: bool = True, embedding: bool = True) -> dict[str, dict[str, Any]]:
    """{"model": summary, "baseline": summary} of k-fold cross-validation."""
    out: dict[str, dict[str, Any]] = {}
    if model:
        vectors = vectors_for(examples, cache_dir) if embedding else None
        out["model"] = cross_validate(examples, model_fit(vectors), folds).summary()
    if baseline:
        out["baseline"] = cross_validate(examples, baseline_fit, folds).summary()
    return out
