"""Hygiene checks of the training data, run as tests (tests/nlu/test_data_hygiene.py).

- Overlap: no training line may be a near-copy of an evaluation line (`../shared/eval/*.tsv`),
  or the eval figures measure memory instead of understanding.
- Consistency: near-identical training lines must carry the same labels; two labels for one
  situation teach the model a coin toss (and once made a welfare check critical in one file
  and high in another). A key situation written in many different words (a blocked fire lane,
  a hornets' nest, a festival greeting: `nlu/situations.py`) carries its one label everywhere.

Lines are compared after `canonical` (simplified, lower-case, half-width, punctuation and spaces
removed) with rapidfuzz's Indel ratio, 2 * LCS / (len a + len b), the ratio difflib reports.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from nlu.situations import SITUATIONS, Situation
from nlu.text import normalize
from nlu.trainingdata import Example, read_tsv

OVERLAP_RATIO = 0.8
CONFLICT_RATIO = 0.9
EVAL_DIR_ENV = "SHAOSHENG_EVAL_DIR"


@dataclass(frozen=True, slots=True)
class Pair:
    left: Example
    right: Example
    ratio: float

    def __str__(self) -> str:
        return (f"{self.ratio:.2f}  {_labels(self.left)} {self.left.text!r}\n"
                f"      {_labels(self.right)} {self.right.text!r}")


def _labels(example: Example) -> str:
    return f"{example.intent}/{example.category or '-'}/{example.urgency or '-'}"


def canonical(text: str) -> str:
    """What two lines are compared by: letters, digits and CJK only, folded."""
    return "".join(ch for ch in normalize(text)
                   if unicodedata.category(ch)[0] in "LN")


def near_pairs(left: Sequence[str], right: Sequence[str] | None, cutoff: float
               ) -> list[tuple[int, int, float]]:
    """(i, j, ratio) of canonical texts at or above `cutoff`; `right` None compares `left`
    with itself (each unordered pair once)."""
    a = [canonical(text) for text in left]
    b = a if right is None else [canonical(text) for text in right]
    scores = process.cdist(a, b, scorer=fuzz.ratio, score_cutoff=cutoff * 100,
                           dtype=np.uint8, workers=1)
    rows, cols = np.nonzero(scores)
    found = []
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        if right is None and j <= i:
            continue
        if not a[i] or not b[j]:
            continue
        found.append((i, j, float(fuzz.ratio(a[i], b[j])) / 100))
    return found


def eval_overlaps(training: Sequence[Example], evaluation: Sequence[Example],
                  cutoff: float = OVERLAP_RATIO) -> list[Pair]:
    pairs = near_pairs([e.text for e in training], [e.text for e in evaluation], cutoff)
    return [Pair(training[i], evaluation[j], ratio) for i, j, ratio in pairs]


def self_overlaps(training: Sequence[Example], cutoff: float = OVERLAP_RATIO) -> list[Pair]:
    pairs = near_pairs([e.text for e in training], None, cutoff)
    return [Pair(training[i], training[j], ratio) for i, j, ratio in pairs]


def label_conflicts(training: Sequence[Example], cutoff: float = CONFLICT_RATIO) -> list[Pair]:
    """Near-identical lines whose intent, category or urgency differ."""
    return [pair for pair in self_overlaps(training, cutoff)
            if _labels(pair.left) != _labels(pair.right)]


@dataclass(frozen=True, slots=True)
class Break:
    situation: Situation
    example: Example

    def __str__(self) -> str:
        return (f"{self.situation.name}: {_labels(self.example)} {self.example.text!r} "
                f"(wants {self.situation.labels()})")


def situation_breaks(training: Sequence[Example],
                     situations: Sequence[Situation] = SITUATIONS) -> list[Break]:
    """Lines of a key situation whose labels differ from the situation's."""
    found: list[Break] = []
    for example in training:
        folded = normalize(example.text)
        found.extend(Break(situation, example) for situation in situations
                     if situation.covers(example.intent, folded)
                     and not situation.agrees(example.intent, example.category, example.urgency))
    return found


def eval_dir(repo_root: Path) -> Path | None:
    """`$SHAOSHENG_EVAL_DIR`, else the first `shared/eval` beside the repository or one of its
    parents (`../shared/eval` of a clone in /work/X, `../../shared/eval` of /work/wt/X)."""
    configured = os.environ.get(EVAL_DIR_ENV)
    if configured:
        return Path(configured)
    for parent in repo_root.resolve().parents:
        candidate = parent / "shared" / "eval"
        if candidate.is_dir():
            return candidate
    return None


def eval_examples(folder: Path) -> list[Example]:
    return [example for path in sorted(folder.glob("*.tsv")) for example in read_tsv(path)]
