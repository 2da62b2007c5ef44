"""Scoring a parser on a labelled TSV (`intent	category	urgency	text`, '-' = n/a)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlu.parser import Parser
from nlu.schema import Parse
from nlu.trainingdata import Example, read_tsv

_WARMUP = 5


@dataclass(frozen=True, slots=True)
class Scored:
    gold: list[str]
    predicted: list[str]

    @property
    def accuracy(self) -> float | None:
        """None when the file labels no line for this field (e.g. urgency in real_311_en)."""
        hits = sum(g == p for g, p in zip(self.gold, self.predicted, strict=True))
        return hits / len(self.gold) if self.gold else None

    def per_class(self) -> dict[str, dict[str, float]]:
        """Precision, recall, F1 and support of every gold class."""
        table = {}
        for label in sorted(set(self.gold)):
            table[label] = _prf(self.gold, self.predicted, label)
        return table

    @property
    def macro_f1(self) -> float | None:
        table = self.per_class()
        return float(np.mean([row["f1"] for row in table.values()])) if table else None

    def confusion(self) -> tuple[list[str], list[list[int]]]:
        labels = sorted(set(self.gold) | set(self.predicted))
        index = {label: i for i, label in enumerate(labels)}
        matrix = [[0] * len(labels) for _ in labels]
        for g, p in zip(self.gold, self.predicted, strict=True):
            matrix[index[g]][index[p]] += 1
        return labels, matrix


def _prf(gold: Sequence[str], predicted: Sequence[str], label: str) -> dict[str, float]:
    pairs = list(zip(gold, predicted, strict=True))
    tp = sum(g == label and p == label for g, p in pairs)
    fp = sum(g != label and p == label for g, p in pairs)
    fn = sum(g == label and p != label for g, p in pairs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": float(tp + fn)}


@dataclass(frozen=True, slots=True)
class Evaluation:
    n: int
    intent: Scored
    category: Scored
    urgency: Scored
    latencies_ms: list[float]

    def summary(self) -> dict[str, Any]:
        """Headline figures; a figure with nothing to measure is null, not a misleading 0."""
        critical = _prf(self.urgency.gold, self.urgency.predicted, "critical")
        predicted_critical = self.urgency.predicted.count("critical")
        return {
            "n": self.n,
            "intent_accuracy": _round(self.intent.accuracy),
            "category_accuracy": _round(self.category.accuracy),
            "category_macro_f1": _round(self.category.macro_f1),
            "urgency_accuracy": _round(self.urgency.accuracy),
            "critical_recall": _round(critical["recall"] if critical["support"] else None),
            "critical_precision": _round(critical["precision"] if predicted_critical else None),
            "critical_support": int(critical["support"]),
            "n_category": len(self.category.gold),
            "n_urgency": len(self.urgency.gold),
            "latency_ms_p50": round(float(np.percentile(self.latencies_ms, 50)), 2),
            "latency_ms_p99": round(float(np.percentile(self.latencies_ms, 99)), 2),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def evaluate_file(parser: Parser, path: Path) -> Evaluation:
    return evaluate(parser, read_tsv(path))


def evaluate(parser: Parser, examples: list[Example]) -> Evaluation:
    if not examples:
        raise ValueError("no labelled lines to evaluate")
    for example in examples[:_WARMUP]:
        parser.parse(example.text)
    results, latencies = [], []
    for example in examples:  # one at a time: the latency a resident waits for
        started = time.perf_counter()
        results.append(parser.parse(example.text))
        latencies.append((time.perf_counter() - started) * 1000)
    return Evaluation(
        n=len(examples),
        intent=Scored([e.intent for e in examples], [r.intent.name for r in results]),
        category=_score(examples, results, "category"),
        urgency=_score(examples, results, "urgency"),
        latencies_ms=latencies,
    )


def _score(examples: list[Example], results: list[Parse], field: str) -> Scored:
    """Only lines whose gold label is given; a missing prediction counts as '-'."""
    gold, predicted = [], []
    for example, result in zip(examples, results, strict=True):
        expected = getattr(example, field)
        if expected is None:
            continue
        label = getattr(result, field)
        gold.append(expected)
        predicted.append(label.name if label else "-")
    return Scored(gold, predicted)


def render(evaluation: Evaluation) -> str:
    """The human report: headline figures, per-class P/R/F1 and confusion matrices."""
    lines = [f"{key:>20}: {value}" for key, value in evaluation.summary().items()]
    for name in ("intent", "category", "urgency"):
        scored: Scored = getattr(evaluation, name)
        lines += ["", f"== {name} ==", f"{'class':>16} {'P':>6} {'R':>6} {'F1':>6} {'n':>5}"]
        for label, row in scored.per_class().items():
            lines.append(f"{label:>16} {row['precision']:6.3f} {row['recall']:6.3f} "
                         f"{row['f1']:6.3f} {int(row['support']):5d}")
        lines += ["", "confusion (rows = gold, columns = predicted):"]
        lines += _render_confusion(*scored.confusion())
    return "\n".join(lines)


def _render_confusion(labels: list[str], matrix: list[list[int]]) -> list[str]:
    short = [label[:5] for label in labels]
    out = [" " * 17 + " ".join(f"{s:>5}" for s in short)]
    for label, row in zip(labels, matrix, strict=True):
        out.append(f"{label:>16} " + " ".join(f"{v:5d}" for v in row))
    return out
