"""The built-in classifiers: one head per label (intent, category, urgency), each the average
of calibrated probabilities of an n-gram model and, when available, an embedding model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from nlu.arrays import ArrayHead
from nlu.features import EMBED_TOKEN_BUDGET, Embedder, NgramFeaturizer

if TYPE_CHECKING:  # training only: a bot process reads the arrays (nlu/arrays.py)
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.preprocessing import LabelEncoder

# Bump when features or training change, so `nlu ensure` retrains old artifacts.
MODEL_CODE_VERSION = f"nlu-builtin-9-tok{EMBED_TOKEN_BUDGET}-noplace-zhwords-ic"
# The heads whose n-gram model reads the Chinese word table (nlu/words.py); the others see
# only the character tables (their weights on the word columns are zero). Urgency with words
# was surer of "normal" on implicit emergencies the patterns do not name, so the cascade no
# longer asked the embedding (a stroke described in plain words went from "ask" to no alarm).
WORD_HEADS = frozenset({"intent", "category"})
# Weight of the embedding model in the average; n-grams carry Chinese keywords, the
# embedding carries English and new phrasings.
EMBED_WEIGHT = 0.5


@dataclass
class Head:
    """One label set: its n-gram and embedding classifiers share the label encoding."""

    labels: LabelEncoder
    ngram: SGDClassifier | None
    embed: LogisticRegression | None

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.labels.classes_]

    def proba(self, ngram_x: object, embed_x: np.ndarray | None) -> np.ndarray:
        n = embed_x.shape[0] if embed_x is not None else ngram_x.shape[0]  # type: ignore[attr-defined]
        if len(self.classes) == 1:
            return np.ones((n, 1))
        probs = self.ngram.predict_proba(ngram_x)  # type: ignore[union-attr]
        if self.embed is not None and embed_x is not None:
            probs = (1 - EMBED_WEIGHT) * probs + EMBED_WEIGHT * self.embed.predict_proba(embed_x)
        return np.asarray(probs)


@dataclass
class BuiltinModel:
    featurizer: NgramFeaturizer
    heads: dict[str, Head] = field(default_factory=dict)
    uses_embedding: bool = False
    fingerprint: str = ""
    code_version: str = MODEL_CODE_VERSION
    n_examples: int = 0
    place_lookup: list[str] = field(default_factory=list)  # `lookup: place` of the data


def _ngram_classifier() -> SGDClassifier:
    from sklearn.linear_model import SGDClassifier

    # Logistic loss by SGD: the same answers as lbfgs on 100k+ sparse n-grams, 10x faster,
    # which keeps `nlu train` within its minute.
    return SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=30, tol=None,
                         class_weight="balanced", random_state=0)


def _embed_classifier() -> LogisticRegression:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced")


def train_head(labels: Sequence[str], ngram_x: object, embed_labels: Sequence[str],
               embed_x: np.ndarray | None) -> Head:
    """Both models share one label encoding; the embedding model may see fewer examples."""
    from sklearn.preprocessing import LabelEncoder

    encoder = LabelEncoder().fit(list(labels))
    if len(encoder.classes_) == 1:
        return Head(encoder, None, None)
    ngram = _ngram_classifier().fit(ngram_x, encoder.transform(list(labels)))
    embed = None
    if embed_x is not None and set(embed_labels) == set(encoder.classes_):
        embed = _embed_classifier().fit(embed_x, encoder.transform(list(embed_labels)))
    return Head(encoder, ngram, embed)


def rank(head: Head | ArrayHead, probs: np.ndarray) -> list[tuple[str, float]]:
    """Labels of one row, most probable first."""
    classes = head.classes
    return [(classes[i], float(probs[i])) for i in np.argsort(-probs)]


def embed_or_none(embedder: Embedder | None, texts: Sequence[str]) -> np.ndarray | None:
    if embedder is None or not embedder.available:
        return None
    return embedder.embed(texts)
